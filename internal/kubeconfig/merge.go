package kubeconfig

// Merged is several kubeconfig files seen as one: for each cluster, user and
// context name, and for current-context, the first file that sets it wins
// and later files never change it. This is kubectl's rule for KUBECONFIG
// lists.
type Merged struct {
	// Files are the files merged, in order.
	Files          []string
	CurrentContext string
	Clusters       map[string]*Cluster
	Users          map[string]*User
	Contexts       map[string]*Context
}

// Merge merges files in order of precedence, first first.
func Merge(files ...*File) *Merged {
	m := &Merged{
		Clusters: map[string]*Cluster{},
		Users:    map[string]*User{},
		Contexts: map[string]*Context{},
	}
	for _, f := range files {
		m.Files = append(m.Files, f.Path)
		if m.CurrentContext == "" {
			m.CurrentContext = f.CurrentContext
		}
		for i := range f.Clusters {
			if _, ok := m.Clusters[f.Clusters[i].Name]; !ok {
				m.Clusters[f.Clusters[i].Name] = &f.Clusters[i].Cluster
			}
		}
		for i := range f.Users {
			if _, ok := m.Users[f.Users[i].Name]; !ok {
				m.Users[f.Users[i].Name] = &f.Users[i].User
			}
		}
		for i := range f.Contexts {
			if _, ok := m.Contexts[f.Contexts[i].Name]; !ok {
				m.Contexts[f.Contexts[i].Name] = &f.Contexts[i].Context
			}
		}
	}
	return m
}

// Selection is what one context resolves to.
type Selection struct {
	ContextName string
	Context     *Context
	ClusterName string
	Cluster     *Cluster
	// UserName is "" and User is an empty *User when the context names no
	// user: requests are then anonymous.
	UserName string
	User     *User
}

// Select resolves context (or current-context when context is "") to its
// cluster and user. It returns ErrNoCurrentContext when there is no context
// to use, and a *NotFoundError naming the missing context, cluster or user.
func (m *Merged) Select(context string) (*Selection, error) {
	if context == "" {
		context = m.CurrentContext
	}
	if context == "" {
		return nil, ErrNoCurrentContext
	}
	ctx, ok := m.Contexts[context]
	if !ok {
		return nil, &NotFoundError{Kind: "context", Name: context, Files: m.Files}
	}
	cl, ok := m.Clusters[ctx.Cluster]
	if !ok {
		return nil, &NotFoundError{Kind: "cluster", Name: ctx.Cluster, ByContext: context, Files: m.Files}
	}
	s := &Selection{ContextName: context, Context: ctx, ClusterName: ctx.Cluster, Cluster: cl, UserName: ctx.User, User: &User{}}
	if ctx.User != "" {
		u, ok := m.Users[ctx.User]
		if !ok {
			return nil, &NotFoundError{Kind: "user", Name: ctx.User, ByContext: context, Files: m.Files}
		}
		s.User = u
	}
	return s, nil
}
