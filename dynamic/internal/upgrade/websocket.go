package upgrade

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/coder/websocket"
)

// WebSocket opens a WebSocket to u (GET, as RFC 6455 requires) offering
// protocols, most preferred first, and returns the connection and the
// subprotocol the server chose. The handshake is bounded by ctx and the
// Dialer's timeout; the connection is not: the caller closes it.
//
// It returns an *apierrors.StatusError when the server answers with
// anything but 101, a *NegotiationError when it switches protocols without
// choosing one of protocols, an error wrapping ErrProtocol when the
// handshake answer is otherwise broken, and otherwise the transport's error naming the
// request (wrapping the context's error when ctx ended).
func (d *Dialer) WebSocket(ctx context.Context, u *url.URL, name string, protocols []string) (*WSConn, string, error) {
	hctx, cancel := d.handshakeContext(ctx)
	defer cancel()
	hctx, slot := withBatchSlot(hctx)
	c, resp, err := websocket.Dial(hctx, u.String(), &websocket.DialOptions{HTTPClient: d.wsClient, Subprotocols: protocols})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			// The library keeps the first KiB of a refusal's body, which
			// holds any Status the API server sends.
			var body []byte
			if resp.Body != nil {
				body, _ = io.ReadAll(io.LimitReader(resp.Body, maxRefusalBody))
			}
			return nil, "", refused(resp.StatusCode, http.MethodGet, name, body)
		}
		if resp != nil {
			// 101, but not a handshake the library accepts.
			if chosen := resp.Header.Get("Sec-WebSocket-Protocol"); chosen != "" && !slices.Contains(protocols, chosen) {
				return nil, "", &NegotiationError{Kind: "WebSocket", Offered: protocols, Chosen: chosen}
			}
			return nil, "", fmt.Errorf("%w: GET %s: %w", ErrProtocol, redactedURL(u), err)
		}
		return nil, "", handshakeError(hctx, http.MethodGet, u, err)
	}
	chosen := c.Subprotocol()
	if !slices.Contains(protocols, chosen) {
		c.CloseNow()
		return nil, "", &NegotiationError{Kind: "WebSocket", Offered: protocols, Chosen: chosen}
	}
	// Messages are read as streams, never whole, so their size needs no
	// bound; the library's default of 32 KiB is smaller than what the API
	// server sends.
	c.SetReadLimit(-1)
	return &WSConn{Conn: c, batch: slot.w}, chosen, nil
}

// WSConn is a WebSocket whose messages, sent with WriteMessage, go out in
// as few writes as the library allows (see batchWriter).
type WSConn struct {
	*websocket.Conn
	batch *batchWriter // nil when a WrapTransport hid the connection
}

// WriteMessage sends p as one binary message. It fails as the library's
// Write does.
func (c *WSConn) WriteMessage(ctx context.Context, p []byte) error {
	if c.batch == nil {
		return c.Conn.Write(ctx, websocket.MessageBinary, p)
	}
	c.batch.begin()
	err := c.Conn.Write(ctx, websocket.MessageBinary, p)
	if ferr := c.batch.end(); err == nil {
		err = ferr
	}
	return err
}

// Heartbeat pings c every d.PingEvery until ctx ends, and closes c when a
// ping fails or its pong does not come back within d.PongWithin (reads of c
// then fail), after handing the reason, which wraps ErrConnectionLost, to
// lost: whoever reads c sees the reason first. Pongs are noticed by
// whoever reads c, so c must be read meanwhile.
func (d *Dialer) Heartbeat(ctx context.Context, c *websocket.Conn, lost func(error)) {
	t := time.NewTicker(d.PingEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// The library closes the connection when a ping's context ends;
		// the reason is recorded before that happens.
		pctx, cancel := context.WithCancel(ctx)
		late := time.AfterFunc(d.PongWithin, func() {
			if ctx.Err() == nil {
				lost(Lost(errors.New("no answer to a WebSocket ping within " + d.PongWithin.String())))
			}
			cancel()
		})
		err := c.Ping(pctx)
		timedOut := !late.Stop()
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			if !timedOut {
				lost(Lost(err))
			}
			c.CloseNow()
			return
		}
	}
}
