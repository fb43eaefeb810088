// Package kubeconfig reads kubeconfig files, merges several of them the way
// kubectl does, and picks the cluster and user a context names. It knows the
// file format only; turning a selection into an anykube.Config is the root
// package's job.
package kubeconfig

// File is one kubeconfig file as written on disk. Relative paths in it have
// already been resolved against the file's directory, and the *-data fields
// decoded from base64, by the time LoadFile returns it.
type File struct {
	// Path is where the file was read from.
	Path string `yaml:"-"`

	CurrentContext string         `yaml:"current-context"`
	Clusters       []NamedCluster `yaml:"clusters"`
	Users          []NamedUser    `yaml:"users"`
	Contexts       []NamedContext `yaml:"contexts"`
}

// NamedCluster is one entry of the clusters list.
type NamedCluster struct {
	Name    string  `yaml:"name"`
	Cluster Cluster `yaml:"cluster"`
}

// NamedUser is one entry of the users list.
type NamedUser struct {
	Name string `yaml:"name"`
	User User   `yaml:"user"`
}

// NamedContext is one entry of the contexts list.
type NamedContext struct {
	Name    string  `yaml:"name"`
	Context Context `yaml:"context"`
}

// Cluster says where an API server is and how to trust it.
type Cluster struct {
	Server                   string           `yaml:"server"`
	TLSServerName            string           `yaml:"tls-server-name"`
	InsecureSkipTLSVerify    bool             `yaml:"insecure-skip-tls-verify"`
	CertificateAuthority     string           `yaml:"certificate-authority"`
	CertificateAuthorityData string           `yaml:"certificate-authority-data"`
	ProxyURL                 string           `yaml:"proxy-url"`
	DisableCompression       bool             `yaml:"disable-compression"`
	Extensions               []NamedExtension `yaml:"extensions"`

	// CAData is CertificateAuthorityData decoded.
	CAData []byte `yaml:"-"`
	// Origin is the file this entry came from.
	Origin string `yaml:"-"`
}

// NamedExtension is one entry of a cluster's extensions list. Extension is
// whatever the YAML held, with every map keyed by string.
type NamedExtension struct {
	Name      string `yaml:"name"`
	Extension any    `yaml:"extension"`
}

// User holds the credentials of one kubeconfig user.
type User struct {
	ClientCertificate     string              `yaml:"client-certificate"`
	ClientCertificateData string              `yaml:"client-certificate-data"`
	ClientKey             string              `yaml:"client-key"`
	ClientKeyData         string              `yaml:"client-key-data"`
	Token                 string              `yaml:"token"`
	TokenFile             string              `yaml:"tokenFile"`
	Impersonate           string              `yaml:"as"`
	ImpersonateUID        string              `yaml:"as-uid"`
	ImpersonateGroups     []string            `yaml:"as-groups"`
	ImpersonateUserExtra  map[string][]string `yaml:"as-user-extra"`
	Username              string              `yaml:"username"`
	Password              string              `yaml:"password"`
	AuthProvider          *AuthProvider       `yaml:"auth-provider"`
	Exec                  *Exec               `yaml:"exec"`

	// CertData and KeyData are ClientCertificateData and ClientKeyData
	// decoded.
	CertData []byte `yaml:"-"`
	KeyData  []byte `yaml:"-"`
	// Origin is the file this entry came from.
	Origin string `yaml:"-"`
}

// AuthProvider is the legacy in-tree auth provider stanza. It is parsed only
// so that a user relying on it gets a clear error instead of silently
// anonymous requests.
type AuthProvider struct {
	Name string `yaml:"name"`
}

// Exec is a user's credential plugin stanza.
type Exec struct {
	Command            string   `yaml:"command"`
	Args               []string `yaml:"args"`
	Env                []EnvVar `yaml:"env"`
	APIVersion         string   `yaml:"apiVersion"`
	InstallHint        string   `yaml:"installHint"`
	ProvideClusterInfo bool     `yaml:"provideClusterInfo"`
	InteractiveMode    string   `yaml:"interactiveMode"`
}

// EnvVar is one variable of an exec stanza's env list.
type EnvVar struct {
	Name  string `yaml:"name"`
	Value string `yaml:"value"`
}

// Context pairs a cluster with a user and a default namespace.
type Context struct {
	Cluster   string `yaml:"cluster"`
	User      string `yaml:"user"`
	Namespace string `yaml:"namespace"`

	// Origin is the file this entry came from.
	Origin string `yaml:"-"`
}

// ExecExtensionName is the cluster extension whose value is handed to exec
// plugins as their per-cluster configuration.
const ExecExtensionName = "client.authentication.k8s.io/exec"

// ExecExtension returns the value of the cluster's exec extension, or nil
// when the cluster has none.
func (c *Cluster) ExecExtension() any {
	for _, e := range c.Extensions {
		if e.Name == ExecExtensionName {
			return e.Extension
		}
	}
	return nil
}
