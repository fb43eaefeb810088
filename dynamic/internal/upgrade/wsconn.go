package upgrade

import (
	"context"
	"errors"
	"io"
	"net"
	"time"

	"github.com/coder/websocket"
)

// wsConn is the byte stream of a WebSocket whose binary messages carry
// pieces of it, as the port-forward tunnel's SPDY does. It is the
// library's NetConn without its per-call contexts and deadlines: the SPDY
// framer reads in pieces of a few bytes, and a context per read is an
// allocation and a timer registration each. Nothing needs the deadlines;
// closing the WebSocket ends every read and write.
type wsConn struct {
	ws *WSConn
	r  io.Reader // the message being read, nil between messages
}

// Read reads the stream, message after message; a normal close of the
// WebSocket is its end.
func (c *wsConn) Read(p []byte) (int, error) {
	for {
		if c.r == nil {
			typ, r, err := c.ws.Reader(context.Background())
			if err != nil {
				switch websocket.CloseStatus(err) {
				case websocket.StatusNormalClosure, websocket.StatusGoingAway:
					return 0, io.EOF
				}
				return 0, err
			}
			if typ != websocket.MessageBinary {
				c.ws.Close(websocket.StatusUnsupportedData, "binary messages only")
				return 0, errors.New("a text message in a binary stream")
			}
			c.r = r
		}
		n, err := c.r.Read(p)
		if errors.Is(err, io.EOF) {
			c.r = nil
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

// Write sends p as one binary message.
func (c *wsConn) Write(p []byte) (int, error) {
	if err := c.ws.WriteMessage(context.Background(), p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close closes the WebSocket at once.
func (c *wsConn) Close() error { return c.ws.CloseNow() }

// LocalAddr, RemoteAddr and the deadline setters satisfy net.Conn.
func (c *wsConn) LocalAddr() net.Addr              { return upgradedAddr{} }
func (c *wsConn) RemoteAddr() net.Addr             { return upgradedAddr{} }
func (c *wsConn) SetDeadline(time.Time) error      { return errNoDeadline }
func (c *wsConn) SetReadDeadline(time.Time) error  { return errNoDeadline }
func (c *wsConn) SetWriteDeadline(time.Time) error { return errNoDeadline }
