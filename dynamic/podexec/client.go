package podexec

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/remotecommand"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic/internal/upgrade"
	"github.com/anykube/anykube/dynamic/internal/validate"
)

// Client runs commands in containers and attaches to them. It is safe for
// concurrent use; build one per Config and share it.
type Client struct {
	d *upgrade.Dialer
	// wsProtocols are the channel protocols offered over WebSocket; nil
	// means v5 then v4. Tests narrow it.
	wsProtocols []string
}

// NewForConfig returns a client for the server cfg describes, with cfg's
// TLS settings, proxy, credentials and impersonation: it is
// NewForConfigAndClient with the client anykube.HTTPClientFor(cfg) builds,
// and fails when that does or when cfg.Host is not a usable address.
func NewForConfig(cfg *anykube.Config) (*Client, error) {
	hc, err := anykube.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("podexec: %w", err)
	}
	return NewForConfigAndClient(cfg, hc)
}

// NewForConfigAndClient returns a client for the server cfg describes that
// sends its upgrade requests through httpClient, which must already carry
// TLS and credentials and must hand back the connection of a 101 answer as
// its body, as net/http does. cfg.Timeout (or httpClient.Timeout) bounds
// each handshake, never a running stream. It fails when cfg or httpClient
// is nil or cfg.Host is not a usable address.
func NewForConfigAndClient(cfg *anykube.Config, httpClient *http.Client) (*Client, error) {
	d, err := upgrade.New(cfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("podexec: %w", err)
	}
	return &Client{d: d}, nil
}

// Exec runs command in a container of the pod namespace/pod, with the
// streams of opts, and returns when the command has exited and its output
// has been written to opts.Stdout and opts.Stderr, or when ctx ends (the
// connection is then closed at once).
//
// It returns nil when the command exited with 0; an *ExitError with the
// code when it exited otherwise; the server's *apierrors.StatusError when
// it refused (no such pod or container, not allowed, the container is not
// running) or could not start the command; and an *Error otherwise: the
// context's error, a lost connection (ErrConnectionLost), a protocol
// violation (ErrProtocol), a failed write to Stdout or Stderr, or an
// invalid request (ErrInvalidRequest: empty command, no stream asked for).
func (c *Client) Exec(ctx context.Context, namespace, pod string, command []string, opts Options) error {
	return c.stream(ctx, call{op: "exec", namespace: namespace, pod: pod, command: command, opts: opts})
}

// Attach connects the streams of opts to the main process of a container
// of the pod namespace/pod, as it runs, and returns when that process ends
// or detaches, or when ctx ends (cancelling ctx is how a caller detaches;
// the error then wraps context.Canceled). Stdin reaching io.EOF closes the
// process's standard input when the container was started with stdin
// open and stdinOnce. It fails as Exec does.
func (c *Client) Attach(ctx context.Context, namespace, pod string, opts Options) error {
	return c.stream(ctx, call{op: "attach", namespace: namespace, pod: pod, opts: opts})
}

// call is one Exec or Attach.
type call struct {
	op             string
	namespace, pod string
	command        []string
	opts           Options
}

// errUseSPDY says that the WebSocket attempt found a server that will not
// serve this call over WebSocket: try SPDY.
var errUseSPDY = errors.New("fall back to SPDY")

// stream is the one path of Exec and Attach: validate, build the URL, try
// the protocols, run the stream, and report.
func (c *Client) stream(ctx context.Context, k call) error {
	e := &Error{Op: k.op, Namespace: k.namespace, Pod: k.pod, Container: k.opts.Container}
	if err := k.validate(); err != nil {
		e.Err = err
		return e
	}
	u := c.d.URL(k.namespace, k.pod, k.op, k.query())
	switch k.opts.Protocol {
	case ProtocolSPDY:
		return c.overSPDY(ctx, u, k, e)
	case ProtocolWebSocket:
		return c.overWebSocket(ctx, u, k, e, false)
	}
	err := c.overWebSocket(ctx, u, k, e, true)
	if errors.Is(err, errUseSPDY) {
		return c.overSPDY(ctx, u, k, e)
	}
	return err
}

// validate refuses what the server would refuse, before anything is sent.
func (k *call) validate() error {
	if err := validate.Segment("namespace", k.namespace); err != nil {
		return err
	}
	if err := validate.Segment("pod name", k.pod); err != nil {
		return err
	}
	if k.op == "exec" && len(k.command) == 0 {
		return fmt.Errorf("%w: exec needs a command", ErrInvalidRequest)
	}
	o := &k.opts
	if o.Stdin == nil && o.Stdout == nil && (o.Stderr == nil || o.TTY) {
		return fmt.Errorf("%w: at least one of Stdin, Stdout and Stderr (without TTY) must be set", ErrInvalidRequest)
	}
	switch o.Protocol {
	case ProtocolAuto, ProtocolWebSocket, ProtocolSPDY:
	default:
		return fmt.Errorf("%w: unknown %v", ErrInvalidRequest, o.Protocol)
	}
	return nil
}

// query holds the call's parameters, as the API server reads them for
// both protocols.
func (k *call) query() url.Values {
	q := url.Values{}
	for _, arg := range k.command {
		q.Add("command", arg)
	}
	if k.opts.Container != "" {
		q.Set("container", k.opts.Container)
	}
	if k.opts.Stdin != nil {
		q.Set("stdin", "true")
	}
	if k.opts.Stdout != nil {
		q.Set("stdout", "true")
	}
	// On a terminal, standard error is part of the terminal's output.
	if k.opts.Stderr != nil && !k.opts.TTY {
		q.Set("stderr", "true")
	}
	if k.opts.TTY {
		q.Set("tty", "true")
	}
	return q
}

// overWebSocket runs the call over a WebSocket. With fallback it returns
// errUseSPDY when the server refuses the WebSocket, chooses none of the
// subprotocols, or offers only v4 where v4 cannot do the job (stdin to
// close without a terminal).
func (c *Client) overWebSocket(ctx context.Context, u *url.URL, k call, e *Error, fallback bool) error {
	offer := c.wsProtocols
	if offer == nil {
		offer = []string{remotecommand.StreamProtocolV5Name, remotecommand.StreamProtocolV4Name}
	}
	ws, proto, err := c.d.WebSocket(ctx, u, k.pod, offer)
	if err != nil {
		var se *apierrors.StatusError
		refused := errors.As(err, &se)
		if fallback && (refused || errors.Is(err, ErrProtocol)) {
			return errUseSPDY
		}
		if refused {
			return se
		}
		e.Err = err
		return e
	}
	if fallback && proto == remotecommand.StreamProtocolV4Name && k.opts.Stdin != nil && !k.opts.TTY {
		ws.CloseNow()
		return errUseSPDY
	}
	e.Transport, e.Protocol = "WebSocket", proto
	s := &wsStream{d: c.d, ws: ws, v5: proto == remotecommand.StreamProtocolV5Name, opts: k.opts}
	return e.result(s.run(ctx))
}

// overSPDY runs the call over SPDY/3.1.
func (c *Client) overSPDY(ctx context.Context, u *url.URL, k call, e *Error) error {
	conn, err := c.d.SPDY(ctx, u, k.pod, []string{remotecommand.StreamProtocolV4Name})
	if err != nil {
		var se *apierrors.StatusError
		if errors.As(err, &se) {
			return se
		}
		e.Err = err
		return e
	}
	e.Transport, e.Protocol = "SPDY", conn.Protocol
	s := &spdyStream{conn: conn, opts: k.opts}
	return e.result(s.run(ctx))
}

// result returns what a finished stream reports: its exit status and the
// server's refusals as they are, anything else wrapped in e.
func (e *Error) result(err error) error {
	var exit *ExitError
	var se *apierrors.StatusError
	if err == nil || errors.As(err, &exit) || errors.As(err, &se) {
		return err
	}
	e.Err = err
	return e
}
