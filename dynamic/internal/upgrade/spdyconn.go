package upgrade

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"k8s.io/streaming/pkg/httpstream"
)

// SPDYConn is an SPDY connection to the API server, directly over an
// upgraded HTTP/1.1 connection or inside a WebSocket.
type SPDYConn struct {
	conn   httpstream.Connection
	frames *frameConn
	// closeRaw closes the connection SPDY runs over, at once.
	closeRaw func() error
	// Protocol is the stream protocol the server chose
	// ("v4.channel.k8s.io", "portforward.k8s.io").
	Protocol string
	// Tunnelled is true when the connection runs inside a WebSocket.
	Tunnelled bool

	closeOnce sync.Once
	stopBeat  context.CancelFunc // nil without a heartbeat or watch
	mu        sync.Mutex         // guards lostBy
	lostBy    error              // why the heartbeat gave up, if it did
}

func newSPDYConn(conn httpstream.Connection, frames *frameConn, closeRaw func() error, protocol string) *SPDYConn {
	return &SPDYConn{conn: conn, frames: frames, closeRaw: closeRaw, Protocol: protocol}
}

// beat keeps the WebSocket below the connection alive until Close.
func (c *SPDYConn) beat(d *Dialer, ws *websocket.Conn) {
	c.Tunnelled = true
	ctx, cancel := context.WithCancel(context.Background())
	c.stopBeat = cancel
	go d.Heartbeat(ctx, ws, func(err error) {
		c.mu.Lock()
		c.lostBy = err
		c.mu.Unlock()
	})
}

// watch closes a direct SPDY connection whose reader has waited
// d.PongWithin for the server while pings go out every d.PingEvery. A live
// server answers every ping, so the silence means the server or the
// network is gone (a reader held up by a slow consumer is not waiting, and
// does not count); TCP alone would take many minutes to say so, since unanswered pings
// keep its keepalive from ever starting. The SPDY library sends the pings
// but never looks for the answers.
func (c *SPDYConn) watch(d *Dialer) {
	if d.PingEvery <= 0 || d.PongWithin <= 0 {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.stopBeat = cancel
	go func() {
		t := time.NewTicker(min(d.PingEvery, d.PongWithin))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-c.Done():
				return
			case now := <-t.C:
				if c.frames.silentFor(now) <= d.PongWithin {
					continue
				}
			}
			c.mu.Lock()
			c.lostBy = Lost(errors.New("no answer to SPDY pings within " + d.PongWithin.String()))
			c.mu.Unlock()
			_ = c.closeRaw()
			return
		}
	}()
}

// Done is closed when the connection has ended, for whatever reason.
func (c *SPDYConn) Done() <-chan bool { return c.conn.CloseChan() }

// LostError returns the error for a connection that ended without being
// closed by Close: it wraps ErrConnectionLost when the connection ended
// (and says so when the heartbeat or the watch found it dead), ErrProtocol when what
// came over it broke SPDY or the WebSocket.
func (c *SPDYConn) LostError() error {
	c.mu.Lock()
	lostBy := c.lostBy
	c.mu.Unlock()
	if lostBy != nil {
		return lostBy
	}
	return c.frames.endReason()
}

// Close ends the connection and every stream on it at once: the
// connection below goes first, so that a stalled network cannot hold up
// the goodbye frames SPDY would write. It may be called more than once.
func (c *SPDYConn) Close() error {
	c.closeOnce.Do(func() {
		if c.stopBeat != nil {
			c.stopBeat()
		}
		_ = c.closeRaw()
		_ = c.conn.Close()
	})
	return nil
}

// CreateStream opens a stream with the given headers and waits for the
// server to accept it, or for ctx or the connection to end. The SPDY
// library waits up to 30 seconds for an acceptance that a dead connection
// never delivers; a wait given up on is left to finish in the background,
// which resets the stream should it arrive after all.
func (c *SPDYConn) CreateStream(ctx context.Context, h http.Header) (httpstream.Stream, error) {
	type result struct {
		s   httpstream.Stream
		err error
	}
	done := make(chan result, 1)
	var mu sync.Mutex // guards abandoned
	abandoned := false
	go func() {
		s, err := c.conn.CreateStream(h)
		mu.Lock()
		defer mu.Unlock()
		if abandoned {
			if s != nil {
				c.Remove(s)
			}
			return
		}
		done <- result{s, err}
	}()
	giveUp := func(err error) (httpstream.Stream, error) {
		mu.Lock()
		defer mu.Unlock()
		select {
		case r := <-done:
			if r.err != nil {
				return nil, r.err
			}
			return &countingStream{Stream: r.s, frames: c.frames}, nil
		default:
			abandoned = true
			return nil, err
		}
	}
	select {
	case r := <-done:
		if r.err != nil {
			select {
			case <-c.Done():
				return nil, c.LostError()
			default:
			}
			return nil, r.err
		}
		return &countingStream{Stream: r.s, frames: c.frames}, nil
	case <-ctx.Done():
		return giveUp(context.Cause(ctx))
	case <-c.Done():
		return giveUp(c.LostError())
	}
}

// Remove resets streams, so that neither side sends on them any more, and
// forgets them: a stream left open would keep the connection from ever
// shutting down.
func (c *SPDYConn) Remove(streams ...httpstream.Stream) {
	for _, s := range streams {
		if s != nil {
			_ = s.Reset()
			c.frames.untrack(s.Identifier())
		}
	}
	c.conn.RemoveStreams(streams...)
}

// countingStream is a stream whose reads are counted, so that the end of
// the connection waits for what the server sent it (see holdEnd).
type countingStream struct {
	httpstream.Stream
	frames *frameConn
}

func (s *countingStream) Read(p []byte) (int, error) {
	n, err := s.Stream.Read(p)
	if n > 0 {
		s.frames.took(s.Identifier(), n)
	}
	return n, err
}
