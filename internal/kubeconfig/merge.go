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
	return m.SelectWith(Override{Context: context})
}

// Override is what a command line may say instead of the files, as
// kubectl's --context, --cluster and --user do. Empty fields change
// nothing.
type Override struct {
	Context, Cluster, User string
}

// SelectWith resolves o.Context (or current-context) and then replaces its
// cluster or user by o.Cluster and o.User. With a cluster given, no context
// is needed: the selection then has an empty context (and no user unless
// o.User names one). It returns ErrNoCurrentContext when there is neither
// a context nor a cluster to use, and a *NotFoundError naming a missing
// context, cluster or user (ByContext empty when the name came from o).
func (m *Merged) SelectWith(o Override) (*Selection, error) {
	name := o.Context
	if name == "" {
		name = m.CurrentContext
	}
	ctx := &Context{}
	switch {
	case name != "":
		c, ok := m.Contexts[name]
		if !ok {
			return nil, &NotFoundError{Kind: "context", Name: name, Files: m.Files}
		}
		ctx = c
	case o.Cluster == "":
		return nil, ErrNoCurrentContext
	}
	s := &Selection{ContextName: name, Context: ctx, ClusterName: ctx.Cluster, UserName: ctx.User, User: &User{}}
	byContext := name
	if o.Cluster != "" {
		s.ClusterName, byContext = o.Cluster, ""
	}
	cl, ok := m.Clusters[s.ClusterName]
	if !ok {
		return nil, &NotFoundError{Kind: "cluster", Name: s.ClusterName, ByContext: byContext, Files: m.Files}
	}
	s.Cluster = cl
	byContext = name
	if o.User != "" {
		s.UserName, byContext = o.User, ""
	}
	if s.UserName != "" {
		u, ok := m.Users[s.UserName]
		if !ok {
			return nil, &NotFoundError{Kind: "user", Name: s.UserName, ByContext: byContext, Files: m.Files}
		}
		s.User = u
	}
	return s, nil
}
