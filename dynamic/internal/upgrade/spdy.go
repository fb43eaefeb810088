package upgrade

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"k8s.io/streaming/pkg/httpstream/spdy"
)

// The headers of an SPDY upgrade. The client lists the stream protocols it
// speaks in X-Stream-Protocol-Version; the server names the one it chose
// in the same header of its 101.
const (
	headerProtocol = "X-Stream-Protocol-Version"
	spdyUpgrade    = "SPDY/3.1"
)

// SPDY upgrades a POST to u to an SPDY/3.1 connection offering the stream
// protocols, most preferred first, and returns the connection and the
// protocol the server chose. The handshake is bounded by ctx and the
// Dialer's timeout; the connection is not: the caller closes it.
//
// It fails as WebSocket does, and when the transport does not hand over
// the upgraded connection (a WrapTransport that replaces response bodies).
func (d *Dialer) SPDY(ctx context.Context, u *url.URL, name string, protocols []string) (*SPDYConn, error) {
	hctx, cancel := d.handshakeContext(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(hctx, http.MethodPost, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("POST %s: %w", redactedURL(u), err)
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", spdyUpgrade)
	for _, p := range protocols {
		req.Header.Add(headerProtocol, p)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, handshakeError(hctx, http.MethodPost, u, err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxRefusalBody))
		resp.Body.Close()
		return nil, refused(resp.StatusCode, http.MethodPost, name, body)
	}
	rwc, ok := resp.Body.(io.ReadWriteCloser)
	if !ok {
		resp.Body.Close()
		return nil, fmt.Errorf("POST %s: the transport did not hand over the upgraded connection (response body %T); a WrapTransport must pass 101 responses through", redactedURL(u), resp.Body)
	}
	if !strings.EqualFold(resp.Header.Get("Upgrade"), spdyUpgrade) {
		rwc.Close()
		return nil, fmt.Errorf("%w: POST %s: the server switched to %q, not %s", ErrProtocol, redactedURL(u), resp.Header.Get("Upgrade"), spdyUpgrade)
	}
	chosen := resp.Header.Get(headerProtocol)
	if !slices.Contains(protocols, chosen) {
		rwc.Close()
		return nil, &NegotiationError{Kind: "SPDY", Offered: protocols, Chosen: chosen}
	}
	frames := newFrameConn(bodyConn{rwc})
	conn, err := spdy.NewClientConnectionWithPings(frames, d.PingEvery)
	if err != nil {
		return nil, fmt.Errorf("POST %s: starting SPDY: %w", redactedURL(u), err)
	}
	c := newSPDYConn(conn, frames, frames.Close, chosen)
	c.watch(d)
	return c, nil
}

// SPDYOverWebSocket opens a WebSocket to u offering the one subprotocol
// "SPDY/3.1+" + protocol, as the API server serves port-forward since
// Kubernetes 1.30 (beta, on by default, in 1.31), and runs an SPDY
// connection inside it: every WebSocket binary message carries a piece of
// the SPDY byte stream. The WebSocket is kept alive by Heartbeat until the
// connection is closed. It fails as WebSocket does.
func (d *Dialer) SPDYOverWebSocket(ctx context.Context, u *url.URL, name, protocol string) (*SPDYConn, error) {
	ws, _, err := d.WebSocket(ctx, u, name, []string{"SPDY/3.1+" + protocol})
	if err != nil {
		return nil, err
	}
	frames := newFrameConn(&wsConn{ws: ws})
	conn, err := spdy.NewClientConnectionWithPings(frames, d.PingEvery)
	if err != nil {
		ws.CloseNow()
		return nil, fmt.Errorf("GET %s: starting SPDY in the WebSocket: %w", redactedURL(u), err)
	}
	c := newSPDYConn(conn, frames, frames.Close, protocol)
	c.beat(d, ws.Conn)
	return c, nil
}

// stripURLError drops net/http's *url.Error, whose message repeats the
// method and the URL with its query.
func stripURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
