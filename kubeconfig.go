package anykube

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	"github.com/anykube/anykube/internal/kubeconfig"
)

// KubeconfigOptions says which kubeconfig files to read and which context
// of them to use. The zero value reads what kubectl reads and uses the
// current context.
type KubeconfigOptions struct {
	// Paths are the kubeconfig files to merge. For each cluster, user and
	// context name, and for current-context, the first file that sets it
	// wins. Every listed file must exist.
	//
	// Empty means the files in the KUBECONFIG environment variable
	// (separated by os.PathListSeparator; missing ones are skipped, as
	// kubectl does), or ~/.kube/config when KUBECONFIG is empty.
	Paths []string
	// Context is the context to use; empty means the current-context.
	Context string

	// The overrides kubectl takes on its command line. Empty fields change
	// nothing.

	// Cluster uses this cluster of the files instead of the context's
	// (kubectl --cluster). With Cluster set, no context is needed.
	Cluster string
	// User uses this user of the files instead of the context's (kubectl
	// --user).
	User string
	// Namespace replaces the context's namespace (kubectl --namespace).
	Namespace string
	// Server replaces the cluster's server URL (kubectl --server). With
	// Server set and no file found, the Config reaches Server anonymously,
	// as kubectl -s does.
	Server string
}

// Kubeconfig is the outcome of reading kubeconfig files: the Config of the
// chosen context and what else a program needs to know about that choice.
type Kubeconfig struct {
	// Config reaches the chosen context's cluster as its user.
	Config *Config
	// Context is the name of the chosen context.
	Context string
	// Namespace is the chosen context's namespace, "default" when it sets
	// none.
	Namespace string
	// Files are the kubeconfig files that were merged, in order.
	Files []string
}

// ConfigFromKubeconfig returns the Config of the context opts chooses. It is
// LoadKubeconfig without the namespace; see LoadKubeconfig for the errors.
func ConfigFromKubeconfig(opts KubeconfigOptions) (*Config, error) {
	kc, err := LoadKubeconfig(opts)
	if err != nil {
		return nil, err
	}
	return kc.Config, nil
}

// LoadKubeconfig reads and merges the kubeconfig files opts names, picks the
// context, and builds its Config.
//
// Paths in a file (certificate-authority, client-certificate, client-key,
// tokenFile, and an exec command that contains a path separator) are
// relative to that file. Certificate and key files are checked for
// existence here, so a typo fails now rather than at the first request;
// their content is read by HTTPClientFor, and read again when it changes.
//
// Errors: ErrNoConfig (wrapped) when no file is found; the os error for a
// listed file that cannot be read; *KubeconfigParseError for bad YAML;
// ErrNoCurrentContext; *KubeconfigNotFoundError for a missing context,
// cluster or user; *KubeconfigFieldError for an unusable field (bad base64,
// missing referenced file, bad proxy-url, server missing or carrying user
// info, unsupported auth-provider).
func LoadKubeconfig(opts KubeconfigOptions) (*Kubeconfig, error) {
	paths := opts.Paths
	if len(paths) == 0 {
		var tried []string
		paths, tried = defaultKubeconfigPaths()
		if len(paths) == 0 && opts.Server == "" {
			return nil, fmt.Errorf("%w: tried %s", ErrNoConfig, joinTried(tried))
		}
	}
	files := make([]*kubeconfig.File, 0, len(paths))
	for _, p := range paths {
		f, err := kubeconfig.LoadFile(p)
		if err != nil {
			return nil, kubeconfigError(err)
		}
		files = append(files, f)
	}
	merged := kubeconfig.Merge(files...)
	sel, err := selectWith(merged, opts)
	if err != nil {
		return nil, kubeconfigError(err)
	}
	cfg, err := configFromSelection(sel)
	if err != nil {
		return nil, err
	}
	ns := sel.Context.Namespace
	if opts.Namespace != "" {
		ns = opts.Namespace
	}
	if ns == "" {
		ns = "default"
	}
	return &Kubeconfig{Config: cfg, Context: sel.ContextName, Namespace: ns, Files: merged.Files}, nil
}

// selectWith picks the context, cluster and user opts asks for. A Server
// override replaces the chosen cluster's server on a copy (the merged files
// are not changed), or stands for a cluster of its own when there is no
// context or cluster to take one from.
func selectWith(m *kubeconfig.Merged, opts KubeconfigOptions) (*kubeconfig.Selection, error) {
	sel, err := m.SelectWith(kubeconfig.Override{Context: opts.Context, Cluster: opts.Cluster, User: opts.User})
	if opts.Server == "" {
		return sel, err
	}
	if errors.Is(err, kubeconfig.ErrNoCurrentContext) {
		sel, err = &kubeconfig.Selection{Context: &kubeconfig.Context{}, Cluster: &kubeconfig.Cluster{}, User: &kubeconfig.User{}}, nil
	}
	if err != nil {
		return nil, err
	}
	cl := *sel.Cluster
	cl.Server = opts.Server
	sel.Cluster = &cl
	return sel, nil
}

// defaultKubeconfigPaths returns the files kubectl would read, and a note
// for each place it looked in vain.
func defaultKubeconfigPaths() (paths, tried []string) {
	if env := os.Getenv("KUBECONFIG"); env != "" {
		seen := map[string]bool{}
		for _, p := range filepath.SplitList(env) {
			if p == "" || seen[p] {
				continue
			}
			seen[p] = true
			if _, err := os.Stat(p); err != nil {
				tried = append(tried, "KUBECONFIG file "+p+": "+describeStatErr(err))
				continue
			}
			paths = append(paths, p)
		}
		if len(paths) == 0 && len(tried) == 0 {
			tried = append(tried, "KUBECONFIG lists no file")
		}
		return paths, tried
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, []string{"~/.kube/config: no home directory"}
	}
	p := filepath.Join(home, ".kube", "config")
	if _, err := os.Stat(p); err != nil {
		return nil, []string{"KUBECONFIG unset", p + ": " + describeStatErr(err)}
	}
	return []string{p}, nil
}

func describeStatErr(err error) string {
	if errors.Is(err, os.ErrNotExist) {
		return "does not exist"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// kubeconfigError turns the internal package's errors into the exported
// types.
func kubeconfigError(err error) error {
	var pe *kubeconfig.ParseError
	var nf *kubeconfig.NotFoundError
	var fe *kubeconfig.FieldError
	switch {
	case errors.As(err, &pe):
		return &KubeconfigParseError{Path: pe.Path, Line: pe.Line, Err: pe.Err}
	case errors.As(err, &nf):
		return &KubeconfigNotFoundError{Kind: nf.Kind, Name: nf.Name, Context: nf.ByContext, Files: nf.Files}
	case errors.As(err, &fe):
		return &KubeconfigFieldError{Kubeconfig: fe.Path, Kind: fe.Kind, Name: fe.Name, Field: fe.Field, Err: fe.Err}
	case errors.Is(err, kubeconfig.ErrNoCurrentContext):
		return ErrNoCurrentContext
	}
	return err
}

// configFromSelection builds the Config of one resolved context.
func configFromSelection(sel *kubeconfig.Selection) (*Config, error) {
	cl, u := sel.Cluster, sel.User
	clusterErr := func(field, path string, err error) error {
		return &KubeconfigFieldError{Kubeconfig: cl.Origin, Kind: "cluster", Name: sel.ClusterName, Field: field, Path: path, Err: err}
	}
	userErr := func(field, path string, err error) error {
		return &KubeconfigFieldError{Kubeconfig: u.Origin, Kind: "user", Name: sel.UserName, Field: field, Path: path, Err: err}
	}
	if cl.Server == "" {
		return nil, clusterErr("server", "", errors.New("not set"))
	}
	if _, _, _, ok := splitUserInfo(cl.Server); ok {
		// Refused here, where the file and entry can be named, rather
		// than by the first request; the value is not quoted.
		return nil, clusterErr("server", "", errors.New("must not contain user info (user:password@); put credentials in the user entry"))
	}
	cfg := &Config{
		Host:            cl.Server,
		BearerToken:     u.Token,
		BearerTokenFile: u.TokenFile,
		Username:        u.Username,
		Password:        u.Password,
		TLSClientConfig: TLSClientConfig{
			Insecure:   cl.InsecureSkipTLSVerify,
			ServerName: cl.TLSServerName,
			CAData:     cl.CAData,
			CertData:   u.CertData,
			KeyData:    u.KeyData,
		},
		Impersonate: ImpersonationConfig{
			UserName: u.Impersonate,
			UID:      u.ImpersonateUID,
			Groups:   u.ImpersonateGroups,
			Extra:    u.ImpersonateUserExtra,
		},
		DisableCompression: cl.DisableCompression,
	}
	// A data field wins over its file field, so the file need not exist.
	if len(cl.CAData) == 0 && cl.CertificateAuthority != "" {
		if err := checkFile(cl.CertificateAuthority); err != nil {
			return nil, clusterErr("certificate-authority", cl.CertificateAuthority, err)
		}
		cfg.TLSClientConfig.CAFile = cl.CertificateAuthority
	}
	if len(u.CertData) == 0 && u.ClientCertificate != "" {
		if err := checkFile(u.ClientCertificate); err != nil {
			return nil, userErr("client-certificate", u.ClientCertificate, err)
		}
		cfg.TLSClientConfig.CertFile = u.ClientCertificate
	}
	if len(u.KeyData) == 0 && u.ClientKey != "" {
		if err := checkFile(u.ClientKey); err != nil {
			return nil, userErr("client-key", u.ClientKey, err)
		}
		cfg.TLSClientConfig.KeyFile = u.ClientKey
	}
	if cl.ProxyURL != "" {
		proxy, err := parseProxyURL(cl.ProxyURL)
		if err != nil {
			return nil, clusterErr("proxy-url", "", err)
		}
		cfg.Proxy = proxy
	}
	if e := u.Exec; e != nil {
		ec := &ExecConfig{
			Command:            e.Command,
			Args:               e.Args,
			APIVersion:         e.APIVersion,
			InstallHint:        e.InstallHint,
			ProvideClusterInfo: e.ProvideClusterInfo,
			InteractiveMode:    ExecInteractiveMode(e.InteractiveMode),
		}
		for _, v := range e.Env {
			ec.Env = append(ec.Env, ExecEnvVar{Name: v.Name, Value: v.Value})
		}
		if ext := cl.ExecExtension(); ext != nil {
			m, ok := ext.(map[string]any)
			if !ok {
				return nil, clusterErr("extensions["+kubeconfig.ExecExtensionName+"]", "", errors.New("must be a mapping"))
			}
			ec.Config = m
		}
		cfg.ExecProvider = ec
	}
	if ap := u.AuthProvider; ap != nil && cfg.ExecProvider == nil && cfg.BearerToken == "" &&
		cfg.BearerTokenFile == "" && cfg.Username == "" && cfg.TLSClientConfig.CertFile == "" && len(cfg.TLSClientConfig.CertData) == 0 {
		// Sending such requests anonymously would fail later with a
		// confusing 401 or 403; say why now.
		return nil, userErr("auth-provider", "", fmt.Errorf("provider %q is not supported; use an exec credential plugin", ap.Name))
	}
	return cfg, nil
}

func checkFile(path string) error {
	_, err := os.Stat(path)
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err // the path is already in the field error
	}
	return err
}

// parseProxyURL accepts the schemes Go's transport can use. Its errors never
// quote the URL, which may carry a password.
func parseProxyURL(raw string) (func(*http.Request) (*url.URL, error), error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a valid URL")
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, fmt.Errorf("unsupported scheme %q; use http, https or socks5", u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("has no host")
	}
	return http.ProxyURL(u), nil
}
