package portforward

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	portforwardapi "k8s.io/apimachinery/pkg/util/portforward"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/internal/upgrade"
	"github.com/anykube/anykube/dynamic/internal/validate"
)

// Client opens port-forward tunnels to pods. It is safe for concurrent
// use; build one per Config and share it.
type Client struct {
	d *upgrade.Dialer
	// pods reads the pods tunnels watch.
	pods *dynamic.DynamicClient
}

// NewForConfig returns a client for the server cfg describes, with cfg's
// TLS settings, proxy, credentials and impersonation: it is
// NewForConfigAndClient with the client anykube.HTTPClientFor(cfg) builds,
// and fails when that does or when cfg.Host is not a usable address.
func NewForConfig(cfg *anykube.Config) (*Client, error) {
	hc, err := anykube.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("portforward: %w", err)
	}
	return NewForConfigAndClient(cfg, hc)
}

// NewForConfigAndClient returns a client for the server cfg describes that
// sends its requests through httpClient, which must already carry TLS and
// credentials and must hand back the connection of a 101 answer as its
// body, as net/http does. cfg.Timeout (or httpClient.Timeout) bounds each
// handshake, never a tunnel. It fails when cfg or httpClient is nil or
// cfg.Host is not a usable address.
func NewForConfigAndClient(cfg *anykube.Config, httpClient *http.Client) (*Client, error) {
	d, err := upgrade.New(cfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("portforward: %w", err)
	}
	pods, err := dynamic.NewForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("portforward: %w", err)
	}
	return &Client{d: d, pods: pods}, nil
}

// Open opens a tunnel to the pod namespace/pod: one connection to the API
// server, over which DialPort and Listen open as many connections to the
// pod's ports as they like, concurrently. The tunnel lasts until ctx ends,
// Close is called, the connection is lost, or (see Options.NoPodWatch)
// the pod goes away; Done and Err tell when and why.
//
// It returns the server's *apierrors.StatusError when it refused (no such
// pod, not allowed, the pod is not running), and an *Error otherwise: an
// invalid request (ErrInvalidRequest), a subprotocol the server should not
// have chosen (ErrProtocol), the context's error, a transport failure.
func (c *Client) Open(ctx context.Context, namespace, pod string, opts Options) (*Tunnel, error) {
	e := &Error{Namespace: namespace, Pod: pod}
	if err := validate.Segment("namespace", namespace); err != nil {
		e.Err = err
		return nil, e
	}
	if err := validate.Segment("pod name", pod); err != nil {
		e.Err = err
		return nil, e
	}
	u := c.d.URL(namespace, pod, "portforward", nil)
	var conn *upgrade.SPDYConn
	var err error
	switch opts.Protocol {
	case ProtocolAuto, ProtocolWebSocket:
		conn, err = c.d.SPDYOverWebSocket(ctx, u, pod, portforwardapi.PortForwardV1Name)
		var se *apierrors.StatusError
		if err != nil && opts.Protocol == ProtocolAuto && (errors.As(err, &se) || errors.Is(err, ErrProtocol)) {
			conn, err = c.d.SPDY(ctx, u, pod, []string{portforwardapi.PortForwardV1Name})
		}
	case ProtocolSPDY:
		conn, err = c.d.SPDY(ctx, u, pod, []string{portforwardapi.PortForwardV1Name})
	default:
		e.Err = fmt.Errorf("%w: unknown %v", ErrInvalidRequest, opts.Protocol)
		return nil, e
	}
	if err != nil {
		var se *apierrors.StatusError
		if errors.As(err, &se) {
			return nil, se
		}
		e.Err = err
		return nil, e
	}
	e.Transport = "SPDY"
	if conn.Tunnelled {
		e.Transport = "WebSocket"
	}
	t := newTunnel(ctx, conn, e, opts)
	if !opts.NoPodWatch {
		t.goRun(func() { t.watchPod(c.pods) })
	}
	return t, nil
}
