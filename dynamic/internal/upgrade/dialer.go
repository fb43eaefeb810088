package upgrade

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
)

// Heartbeat defaults. Pings keep idle connections open through load
// balancers that drop them after a minute or so, and a missing pong finds
// a connection that died without a word; the wait for a pong is long
// because pongs are only read between the messages a slow reader of the
// stream is still consuming.
const (
	DefaultPingEvery  = 10 * time.Second
	DefaultPongWithin = 60 * time.Second
)

// Dialer opens upgraded connections to one API server. It is safe for
// concurrent use.
type Dialer struct {
	client *http.Client
	// wsClient is client with a batchingTransport in front, for
	// WebSocket handshakes.
	wsClient *http.Client
	rest     *anykube.RESTClient
	// timeout bounds each handshake (Config.Timeout); zero means only the
	// caller's context does.
	timeout time.Duration

	// PingEvery and PongWithin drive the heartbeat of WebSocket
	// connections (see Heartbeat) and the pings of direct SPDY ones, whose
	// silence for PongWithin ends them; tests shorten them.
	PingEvery, PongWithin time.Duration
}

// New returns a Dialer for the server cfg names that sends its upgrade
// requests through httpClient, which must carry cfg's TLS settings and
// credentials (anykube.HTTPClientFor builds one). A Timeout on httpClient
// bounds the handshakes only, never the streams. It fails when cfg or
// httpClient is nil or cfg.Host is not a usable address.
func New(cfg *anykube.Config, httpClient *http.Client) (*Dialer, error) {
	rc, err := anykube.RESTClientForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	if httpClient.Timeout > 0 {
		// A client timeout would cut every stream at that age.
		if timeout == 0 || httpClient.Timeout < timeout {
			timeout = httpClient.Timeout
		}
		hc := *httpClient
		hc.Timeout = 0
		httpClient = &hc
	}
	ws := *httpClient
	next := ws.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	ws.Transport = batchingTransport{next: next}
	return &Dialer{client: httpClient, wsClient: &ws, rest: rc, timeout: timeout, PingEvery: DefaultPingEvery, PongWithin: DefaultPongWithin}, nil
}

// URL returns the URL of subresource sub of the pod namespace/name, with
// query q. The caller has validated namespace and name.
func (d *Dialer) URL(namespace, name, sub string, q url.Values) *url.URL {
	req := d.rest.Get().GroupVersion(schema.GroupVersion{Version: "v1"}).Namespace(namespace).Resource("pods").Name(name).SubResource(sub)
	for k, vs := range q {
		for _, v := range vs {
			req = req.Param(k, v)
		}
	}
	return req.URL()
}

// handshakeContext bounds a handshake by the Dialer's timeout.
func (d *Dialer) handshakeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if d.timeout > 0 {
		return context.WithTimeout(ctx, d.timeout)
	}
	return context.WithCancel(ctx)
}

// handshakeError reports a handshake that failed without an answer from
// the server, naming the request. A context that ended is wrapped so that
// errors.Is finds context.Canceled or context.DeadlineExceeded.
func handshakeError(ctx context.Context, method string, u *url.URL, err error) error {
	// net/http's *url.Error repeats the URL with its query; its cause is
	// what matters.
	err = stripURLError(err)
	if ctx.Err() != nil && !errorsIsContext(err) {
		err = fmt.Errorf("%w: %w", context.Cause(ctx), err)
	}
	return fmt.Errorf("%s %s: %w", method, redactedURL(u), err)
}

// redactedURL is u without its query, which holds the command line of an
// exec and may hold secrets passed on it.
func redactedURL(u *url.URL) string {
	c := *u
	c.RawQuery = ""
	return c.String()
}
