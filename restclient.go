package anykube

import (
	"errors"
	"net/http"

	"k8s.io/apimachinery/pkg/types"

	"github.com/anykube/anykube/internal/rest"
)

// RESTClient sends raw requests to one API server: what the dynamic client
// does not model, such as non-resource paths (/healthz, /version,
// /metrics), subresources (proxy, eviction, token, log, approval) or
// requests in another content type. It is the layer the discovery,
// dynamic and scale clients are built on, so a request sent through it gets
// the same TLS settings and credentials, the same client-side rate limiter
// (one per *Config), the same retries after 429, 503 with Retry-After and
// lost connections (see Request), the same warning handler and the same
// errors: a non-2xx answer is an *apierrors.StatusError, so
// apierrors.IsNotFound and friends work.
//
// Its requests start at the server's root and name their path themselves,
// as those of client-go's UnversionedRESTClientFor do: by AbsPath
// ("/healthz"), or by Group and Version (or GroupVersion), which give
// /api/v1 for the core group and /apis/GROUP/VERSION for the others,
// followed by Namespace, Resource, Name, SubResource and Suffix. There is
// no client-wide group-version, so one RESTClient serves every group.
//
//	rc, err := anykube.RESTClientFor(cfg)
//	...
//	pod, err := rc.Get().Version("v1").Namespace("default").Resource("pods").Name("web").Do(ctx).Get()
//
// A RESTClient is safe for concurrent use; build one per Config and share
// it. Each request is built and sent by one goroutine.
type RESTClient rest.Client

// RESTClientFor returns a RESTClient for the server cfg describes, with
// cfg's TLS settings, credentials, rate limits, timeout and warning
// handler. It stands for both of client-go's rest.RESTClientFor and
// rest.UnversionedRESTClientFor: requests name their group and version
// themselves (see RESTClient), and bodies are JSON, so cfg needs no
// GroupVersion, APIPath or serializer.
//
// It is RESTClientForConfigAndClient with the client HTTPClientFor(cfg)
// builds, and fails when that does or when cfg.Host is not a usable
// address.
func RESTClientFor(cfg *Config) (*RESTClient, error) {
	hc, err := HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	return RESTClientForConfigAndClient(cfg, hc)
}

// RESTClientForConfigAndClient returns a RESTClient for the server cfg
// describes that sends through httpClient, which takes precedence over
// cfg's transport settings (TLS and credentials must already be in it); cfg
// still gives the address, the rate limits (clients built from the same
// *Config share one limiter), the timeout and the warning handler. Sharing
// one httpClient between clients shares its connections.
//
// If httpClient has a Timeout, it bounds ordinary requests, but streams and
// watches are sent through a copy without it, since a fixed bound would cut
// every one of them; prefer cfg.Timeout.
//
// It fails when cfg or httpClient is nil, or when cfg.Host is empty, has a
// scheme other than http or https, a query, or user info (the error never
// quotes a password; set Username and Password instead).
func RESTClientForConfigAndClient(cfg *Config, httpClient *http.Client) (*RESTClient, error) {
	if cfg == nil {
		return nil, errors.New("rest: nil *anykube.Config")
	}
	c, err := rest.New(restSettings(cfg), httpClient)
	if err != nil {
		return nil, err
	}
	return (*RESTClient)(c), nil
}

// restSettings is what the request layer needs from cfg.
func restSettings(cfg *Config) rest.Settings {
	return rest.Settings{
		Host:     cfg.Host,
		Secure:   expectsTLS(cfg),
		Limiter:  limiterFor(cfg),
		Warnings: cfg.WarningHandler,
		Timeout:  cfg.Timeout,
		MaxBody:  maxBodyFor(cfg.MaxResponseBytes),
	}
}

// maxBodyFor turns Config.MaxResponseBytes into the request layer's limit,
// where 0 means none.
func maxBodyFor(n int64) int64 {
	switch {
	case n == 0:
		return DefaultMaxResponseBytes
	case n < 0:
		return 0
	}
	return n
}

// expectsTLS reports whether a bare host:port in cfg.Host gets https: as
// soon as anything says the server expects TLS or credentials, which must
// never be sent in clear. Only a config with neither, like a local insecure
// port or a kubectl proxy, gets http.
func expectsTLS(cfg *Config) bool {
	t := &cfg.TLSClientConfig
	return t.Insecure || t.ServerName != "" || t.CertFile != "" || t.KeyFile != "" || t.CAFile != "" ||
		len(t.CertData) > 0 || len(t.KeyData) > 0 || len(t.CAData) > 0 ||
		cfg.BearerToken != "" || cfg.BearerTokenFile != "" || cfg.Username != "" || cfg.Password != "" ||
		cfg.ExecProvider != nil
}

// Verb starts a request with the given HTTP method.
func (c *RESTClient) Verb(verb string) *Request {
	return (*Request)((*rest.Client)(c).Verb(verb))
}

// Get starts a GET request.
func (c *RESTClient) Get() *Request { return c.Verb(http.MethodGet) }

// Post starts a POST request.
func (c *RESTClient) Post() *Request { return c.Verb(http.MethodPost) }

// Put starts a PUT request.
func (c *RESTClient) Put() *Request { return c.Verb(http.MethodPut) }

// Delete starts a DELETE request.
func (c *RESTClient) Delete() *Request { return c.Verb(http.MethodDelete) }

// Patch starts a PATCH request whose body is of the given patch type
// (types.MergePatchType, types.StrategicMergePatchType,
// types.JSONPatchType, types.ApplyPatchType), which becomes its
// Content-Type.
func (c *RESTClient) Patch(pt types.PatchType) *Request {
	return (*Request)((*rest.Client)(c).Patch(pt))
}
