// Package transport builds the http.RoundTripper that anykube clients send
// requests through: a tuned base transport with the cluster's TLS settings,
// then the headers every request carries (credentials, impersonation, user
// agent). It mirrors the parts of anykube.Config it needs in its own types so
// that the root package can import it.
package transport

import (
	"net/http"
	"net/url"
)

// Config is what New needs. Its zero value builds an anonymous transport
// that trusts the system roots.
type Config struct {
	// Host is the API server's address. It is only passed on to an exec
	// plugin that asked for cluster info.
	Host string

	TLS TLS

	// Base, when set, replaces the http.Transport New would build; the TLS
	// fields must then be empty.
	Base http.RoundTripper
	// Proxy picks the proxy per request; nil means http.ProxyFromEnvironment.
	Proxy func(*http.Request) (*url.URL, error)
	// DisableCompression turns off transparent gzip.
	DisableCompression bool

	BearerToken     string
	BearerTokenFile string
	Username        string
	Password        string
	Exec            *ExecConfig

	Impersonate Impersonation

	// UserAgent is set on requests that carry none; "" sets nothing.
	UserAgent string

	// Wrap, when set, wraps the finished round tripper.
	Wrap func(http.RoundTripper) http.RoundTripper
}

// TLS holds the TLS settings. Data fields win over file fields.
type TLS struct {
	Insecure   bool
	ServerName string
	CAFile     string
	CertFile   string
	KeyFile    string
	CAData     []byte
	CertData   []byte
	KeyData    []byte
}

// empty reports whether no TLS setting is made.
func (t *TLS) empty() bool {
	return !t.Insecure && t.ServerName == "" && t.CAFile == "" && t.CertFile == "" && t.KeyFile == "" &&
		len(t.CAData) == 0 && len(t.CertData) == 0 && len(t.KeyData) == 0
}

// Impersonation is sent as Impersonate-* headers when UserName is set.
type Impersonation struct {
	UserName string
	UID      string
	Groups   []string
	Extra    map[string][]string
}

// ExecConfig describes a credential plugin; see anykube.ExecConfig.
type ExecConfig struct {
	Command            string
	Args               []string
	Env                []EnvVar
	APIVersion         string
	InstallHint        string
	ProvideClusterInfo bool
	InteractiveMode    string
	Config             map[string]any
}

// EnvVar is one variable set for an exec plugin.
type EnvVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}
