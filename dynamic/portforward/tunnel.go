package portforward

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/anykube/anykube/dynamic/internal/upgrade"
)

// The port-forward protocol (portforward.k8s.io) opens two SPDY streams
// per connection, named by these headers: an error stream, on which the
// kubelet reports why the connection failed, and a data stream. Both carry
// the pod's port and a request id that pairs them.
const (
	headerStreamType = "streamType"
	headerPort       = "port"
	headerRequestID  = "requestID"
	streamError      = "error"
	streamData       = "data"
)

// Tunnel is one connection to a pod's portforward subresource, carrying
// any number of connections to the pod's ports. It is safe for concurrent
// use.
type Tunnel struct {
	conn    *upgrade.SPDYConn
	errBase Error // names the pod and transport in the tunnel's errors
	onError func(error)

	// ctx ends with the tunnel; its cause says why.
	ctx    context.Context
	cancel context.CancelCauseFunc
	// done is closed once the tunnel has ended and everything it started
	// has stopped; err is set before.
	done chan struct{}
	err  error
	// goroutines counts what runs on the tunnel's behalf (the pod watch,
	// accept loops, forwarded connections), which ending waits for.
	goroutines sync.WaitGroup

	requestID atomic.Int64

	mu        sync.Mutex // guards the fields below
	ending    bool       // no goroutine may be started any more
	listeners []net.Listener
}

func newTunnel(ctx context.Context, conn *upgrade.SPDYConn, e *Error, opts Options) *Tunnel {
	t := &Tunnel{conn: conn, errBase: *e, onError: opts.ErrorHandler, done: make(chan struct{})}
	t.ctx, t.cancel = context.WithCancelCause(ctx)
	go t.run()
	return t
}

// run waits for the end and tears down.
func (t *Tunnel) run() {
	select {
	case <-t.ctx.Done():
	case <-t.conn.Done():
		t.cancel(t.conn.LostError())
	}
	err := context.Cause(t.ctx)
	t.mu.Lock()
	t.ending = true
	listeners := t.listeners
	t.mu.Unlock()
	for _, l := range listeners {
		_ = l.Close()
	}
	_ = t.conn.Close()
	t.goroutines.Wait()
	e := t.errBase
	e.Err = err
	t.err = &e
	close(t.done)
}

// goRun runs f on the tunnel's behalf, unless the tunnel is ending; it
// reports whether f was started.
func (t *Tunnel) goRun(f func()) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ending {
		return false
	}
	t.goroutines.Add(1)
	go func() {
		defer t.goroutines.Done()
		f()
	}()
	return true
}

// Transport returns "WebSocket" when the tunnel's SPDY runs inside a
// WebSocket, "SPDY" when it runs directly over the upgraded connection.
func (t *Tunnel) Transport() string { return t.errBase.Transport }

// Done returns a channel that is closed when the tunnel has ended and
// released everything: connection, listeners, goroutines.
func (t *Tunnel) Done() <-chan struct{} { return t.done }

// Err returns nil while the tunnel is up, and once Done is closed an
// *Error saying why it ended: net.ErrClosed after Close, the context's
// error, ErrPodGone, ErrConnectionLost.
func (t *Tunnel) Err() error {
	select {
	case <-t.done:
		return t.err
	default:
		return nil
	}
}

// Close ends the tunnel: its listeners stop, its connections fail with
// net.ErrClosed, and the connection to the API server is closed. It waits
// until all of that is done and returns nil; later calls do nothing.
func (t *Tunnel) Close() error {
	t.cancel(net.ErrClosed)
	<-t.done
	return nil
}

// ended returns the tunnel's error once it is ending, nil before.
func (t *Tunnel) ended() error {
	if t.ctx.Err() == nil {
		return nil
	}
	e := t.errBase
	e.Err = context.Cause(t.ctx)
	return &e
}

// DialPort opens a connection to port of the pod through the tunnel. The
// pod's answer to a connection does not exist in the protocol: a
// connection the pod refuses (nothing listens there) is reported by its
// first Read or Write after the refusal arrives, as a *PortError.
//
// It fails with the tunnel's error when the tunnel has ended, with an
// error wrapping ErrInvalidRequest for a port outside 1-65535, and with
// ctx's error when ctx ends before the server accepted the streams.
func (t *Tunnel) DialPort(ctx context.Context, port int) (*Conn, error) {
	if port < 1 || port > 65535 {
		return nil, fmt.Errorf("portforward: %w: port %d is outside 1-65535", ErrInvalidRequest, port)
	}
	if err := t.ended(); err != nil {
		return nil, err
	}
	// Creating the streams ends with whichever of ctx and the tunnel ends
	// first.
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := context.AfterFunc(t.ctx, func() { cancel(t.ended()) })
	defer stop()

	h := http.Header{}
	h.Set(headerStreamType, streamError)
	h.Set(headerPort, strconv.Itoa(port))
	h.Set(headerRequestID, strconv.FormatInt(t.requestID.Add(1), 10))
	errs, err := t.conn.CreateStream(cctx, h)
	if err != nil {
		return nil, t.dialError(ctx, err)
	}
	// The client never writes on the error stream.
	_ = errs.Close()
	h.Set(headerStreamType, streamData)
	data, err := t.conn.CreateStream(cctx, h)
	if err != nil {
		t.conn.Remove(errs)
		return nil, t.dialError(ctx, err)
	}
	return newConn(t, port, data, errs), nil
}

// dialError reports a DialPort that could not open its streams.
func (t *Tunnel) dialError(ctx context.Context, err error) error {
	if terr := t.ended(); terr != nil {
		return terr
	}
	e := t.errBase
	if ctx.Err() != nil {
		e.Err = context.Cause(ctx)
	} else {
		e.Err = err
	}
	return &e
}

// DialContext is DialPort for the port in address ("host:port"; the host
// is ignored, the pod is the tunnel's), with the signature of
// net.Dialer.DialContext, so that an http.Transport or a database driver
// can reach the pod through the tunnel. network must be "tcp", "tcp4" or
// "tcp6".
func (t *Tunnel) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, fmt.Errorf("portforward: %w: network %q is not tcp", ErrInvalidRequest, network)
	}
	_, p, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("portforward: %w: %w", ErrInvalidRequest, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return nil, fmt.Errorf("portforward: %w: port %q is not a number", ErrInvalidRequest, p)
	}
	c, err := t.DialPort(ctx, port)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// report hands a forwarded connection's failure to the ErrorHandler,
// unless the tunnel is ending, which is the failure that matters.
func (t *Tunnel) report(err error) {
	if err == nil || t.onError == nil || t.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
		return
	}
	t.onError(err)
}
