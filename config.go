package anykube

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Config says how to reach one Kubernetes API server and how to authenticate
// to it. Its field names follow client-go's rest.Config so that moving a
// program over is mostly a change of import path.
//
// The zero value of every field is usable: zero QPS and Burst mean the
// defaults (DefaultQPS, DefaultBurst), a zero Timeout means none, a nil
// Transport means one built from TLSClientConfig and the auth fields.
//
// A Config is read, never written, by the functions that take it, so one
// Config may be shared by many clients and goroutines. Clients built from the
// same *Config share one client-side rate limiter.
//
// Printing a Config with the fmt package masks BearerToken, Password,
// TLSClientConfig.KeyData, exec plugin env values and any user info in Host
// (see String), so a Config may be logged.
type Config struct {
	// Host is the API server's address: a URL ("https://10.0.0.1:6443"), or a
	// host:port that gets https:// (or http:// when TLSClientConfig is empty
	// and no credentials are set) prepended. A path in the URL is kept as a
	// prefix for every request. User info ("https://user:password@host")
	// is refused by the clients, and by LoadKubeconfig in a server: field;
	// set Username and Password instead.
	Host string

	// BearerToken is sent as "Authorization: Bearer ..." on every request.
	BearerToken string
	// BearerTokenFile names a file holding the bearer token. It is re-read
	// when it changes, so rotated service-account tokens are picked up. When
	// both are set, BearerTokenFile wins.
	BearerTokenFile string

	// Username and Password are sent as HTTP basic auth. They may not be
	// combined with a bearer token; either one beside an ExecProvider wins
	// and the plugin is not run, as in client-go.
	Username string
	Password string

	// TLSClientConfig holds the TLS settings used to reach Host.
	TLSClientConfig TLSClientConfig

	// Impersonate, when UserName is set, makes every request act as another
	// user through the Impersonate-* headers.
	Impersonate ImpersonationConfig

	// ExecProvider, when set, runs an external command (a client-go
	// credential plugin) to obtain a token or client certificate.
	ExecProvider *ExecConfig

	// UserAgent is sent on every request; empty means DefaultUserAgent().
	UserAgent string

	// QPS is the sustained rate of requests per second allowed by the
	// client-side limiter. Zero means DefaultQPS; a negative value turns
	// client-side limiting off.
	QPS float32
	// Burst is the number of requests the limiter lets through at once.
	// Zero means DefaultBurst.
	Burst int
	// RateLimiter, when set, replaces the limiter built from QPS and Burst.
	RateLimiter RateLimiter

	// Timeout bounds each request, except watches and other long-running
	// streams, which end only when their context ends. Zero means no bound.
	Timeout time.Duration

	// Transport, when set, is used as the base round tripper instead of one
	// built from TLSClientConfig; the TLS fields must then be empty
	// (TransportFor fails otherwise), and an exec plugin can only supply a
	// token, not a client certificate.
	Transport http.RoundTripper
	// WrapTransport, when set, wraps the fully built transport (auth
	// included), for tracing, metrics or request rewriting.
	WrapTransport func(rt http.RoundTripper) http.RoundTripper

	// Proxy picks the proxy for each request. Nil means
	// http.ProxyFromEnvironment. http, https and socks5 proxy URLs work;
	// a kubeconfig's proxy-url sets this to http.ProxyURL.
	Proxy func(*http.Request) (*url.URL, error)

	// WarningHandler receives the Warning headers the server returns. Nil
	// means the default handler, which logs each distinct message once.
	WarningHandler WarningHandler

	// DisableCompression turns off gzip response compression, which trades
	// bandwidth for CPU on fast links.
	DisableCompression bool

	// MaxResponseBytes bounds the body of an answer that is read whole
	// (a Get, a List page, a discovery document): past it, the read stops
	// and the request fails with a *ResponseTooLargeError, so that an
	// endless or huge answer (a broken proxy, a hostile endpoint) cannot
	// fill memory. It counts the bytes after decompression. Zero means
	// DefaultMaxResponseBytes; a negative value means no limit. Watches
	// and other streams are not bounded by it: each watch event is
	// limited on its own (64 MiB). Error answers are read up to 1 MiB
	// whatever this says.
	MaxResponseBytes int64
}

// TLSClientConfig holds the TLS settings used to reach the API server. File
// and data fields are alternatives: when both are set, the data wins.
type TLSClientConfig struct {
	// Insecure skips verification of the server's certificate. It must not
	// be combined with CAFile or CAData.
	Insecure bool
	// ServerName overrides the name the server's certificate is checked
	// against (and sent as SNI).
	ServerName string

	// CertFile and KeyFile name a PEM client certificate and its key.
	CertFile string
	KeyFile  string
	// CAFile names a PEM bundle of certificate authorities to trust instead
	// of the system pool. It is read again when it changes (one stat per
	// request), so a rotated CA is trusted from the next connection on
	// without a new client; while the file is missing or holds no
	// certificate, the bundle read before stays in use (see TransportFor).
	CAFile string

	// CertData, KeyData and CAData hold PEM bytes in place of the files;
	// they are parsed once.
	CertData []byte
	KeyData  []byte
	CAData   []byte
}

// ImpersonationConfig asks the server to treat requests as coming from
// another user. It is ignored unless UserName is set.
type ImpersonationConfig struct {
	UserName string
	UID      string
	Groups   []string
	Extra    map[string][]string
}

// ExecConfig describes a client-go credential plugin: a command that prints
// an ExecCredential (client.authentication.k8s.io v1 or v1beta1) holding a
// token or a client certificate. It has the shape of a kubeconfig user's
// "exec" stanza.
type ExecConfig struct {
	// Command is the program to run; a bare name is looked up in PATH.
	Command string
	// Args are passed to Command.
	Args []string
	// Env is added to the environment of Command.
	Env []ExecEnvVar
	// APIVersion is the ExecCredential version the plugin speaks:
	// "client.authentication.k8s.io/v1" or ".../v1beta1".
	APIVersion string
	// InstallHint is shown when Command cannot be found.
	InstallHint string
	// ProvideClusterInfo passes the cluster's address and CA to the plugin
	// in KUBERNETES_EXEC_INFO.
	ProvideClusterInfo bool
	// InteractiveMode is "Never", "IfAvailable" or "Always" (v1 requires
	// it; v1beta1 defaults to "IfAvailable"). It says whether the plugin may
	// read standard input.
	InteractiveMode ExecInteractiveMode
	// Config is the cluster's "extensions.client.authentication.k8s.io/exec"
	// extension, passed to the plugin with the cluster info.
	Config map[string]any
}

// ExecEnvVar is one environment variable set for an exec plugin.
type ExecEnvVar struct {
	Name  string
	Value string
}

// ExecInteractiveMode says whether an exec plugin may use standard input.
type ExecInteractiveMode string

// The interactive modes an exec plugin may declare.
const (
	NeverExecInteractiveMode       ExecInteractiveMode = "Never"
	IfAvailableExecInteractiveMode ExecInteractiveMode = "IfAvailable"
	AlwaysExecInteractiveMode      ExecInteractiveMode = "Always"
)

// RateLimiter decides when the next request may be sent. Wait blocks until
// then, or returns the context's error when it ends first.
type RateLimiter interface {
	Wait(ctx context.Context) error
}

// WarningHandler receives each Warning header the API server sends (RFC 7234
// warnings with code 299 carry deprecation notices and admission warnings).
type WarningHandler interface {
	HandleWarningHeader(code int, agent string, text string)
}

// DefaultMaxResponseBytes is the limit a zero Config.MaxResponseBytes
// stands for: 2 GiB. It is far above what an API server answers to a
// paged list (kubectl asks for 500 objects a page), and above a whole
// unpaged list of most clusters, while a body that size already needs
// several times as much memory once decoded; raise it, or turn it off
// with a negative value, for a program that lists a very large cluster in
// one request.
const DefaultMaxResponseBytes int64 = 2 << 30

// The defaults that a zero QPS and Burst stand for. They are higher than
// client-go's 5 and 10: since API Priority and Fairness the server protects
// itself, and a limiter that low stalls generic tools that touch many
// resources. kubectl uses the same burst for discovery.
const (
	DefaultQPS   float32 = 50
	DefaultBurst int     = 300
)
