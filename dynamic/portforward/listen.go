package portforward

import (
	"context"
	"fmt"
	"io"
	"net"
)

// Listen listens on the local TCP address (such as "127.0.0.1:8080", or
// "localhost:0" for a port the system picks) and forwards every connection
// accepted there to port of the pod through the tunnel, until the tunnel
// ends, which also closes the listener. It returns the address listened
// on.
//
// A forwarded connection ends when either side closes it; a side that only
// half-closes passes its end of file on to the other. Failures of single
// connections go to Options.ErrorHandler. Listen fails when the address
// cannot be listened on, when port is outside 1-65535 (ErrInvalidRequest),
// and with the tunnel's error once the tunnel has ended.
func (t *Tunnel) Listen(address string, port int) (net.Addr, error) {
	if port < 1 || port > 65535 {
		return nil, fmt.Errorf("portforward: %w: port %d is outside 1-65535", ErrInvalidRequest, port)
	}
	if err := t.ended(); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", address)
	if err != nil {
		return nil, fmt.Errorf("portforward: listening for port %d: %w", port, err)
	}
	t.mu.Lock()
	t.listeners = append(t.listeners, l)
	t.mu.Unlock()
	if !t.goRun(func() { t.accept(l, port) }) {
		_ = l.Close()
		return nil, t.ended()
	}
	return l.Addr(), nil
}

// accept forwards each connection l accepts until l is closed.
func (t *Tunnel) accept(l net.Listener, port int) {
	for {
		local, err := l.Accept()
		if err != nil {
			return
		}
		if !t.goRun(func() { t.forward(local, port) }) {
			_ = local.Close()
			return
		}
	}
}

// forward copies between a local connection and a new connection to the
// pod's port, both ways, until both directions have ended or either side
// fails.
func (t *Tunnel) forward(local net.Conn, port int) {
	defer local.Close()
	// A local client may keep its side open for as long as it likes; the
	// tunnel's end must not wait for it.
	stop := context.AfterFunc(t.ctx, func() { local.Close() })
	defer stop()
	remote, err := t.DialPort(t.ctx, port)
	if err != nil {
		t.report(err)
		return
	}
	defer remote.Close()
	up := make(chan error, 1)
	go func() {
		_, err := io.Copy(remote, local)
		if err == nil {
			err = remote.CloseWrite()
		} else {
			// The local side failed: the pod's side must not wait for
			// more.
			remote.Close()
		}
		up <- err
	}()
	_, down := io.Copy(local, remote)
	if down == nil {
		if cw, ok := local.(interface{ CloseWrite() error }); ok {
			down = cw.CloseWrite()
		}
	} else {
		local.Close()
	}
	// The pod's side is done; the local side ends its sending in its own
	// time, or fails because local is closed.
	if down != nil {
		t.report(down)
	}
	if err := <-up; err != nil && down == nil {
		t.report(err)
	}
}
