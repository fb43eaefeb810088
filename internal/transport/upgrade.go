package transport

import (
	"crypto/tls"
	"net/http"
	"strings"
)

// Kubernetes serves exec, attach and port-forward over a connection
// upgrade: WebSocket on current servers, SPDY/3.1 on older ones and on
// request. net/http sends a WebSocket upgrade over HTTP/1.1 of its own
// accord, but any other upgrade goes wherever an ordinary request would: on
// an HTTP/2 connection, which the API server offers and the base transport
// accepts, there is no Upgrade, and the request fails. Such requests are
// sent through an HTTP/1.1-only copy of the base transport instead, so that
// one transport, with the Config's TLS settings, proxy, credentials and
// wrappers, serves both kinds.

// nextFor returns the round tripper req goes to from the header layer:
// next itself, or, for an upgrade to a protocol other than WebSocket when
// next is an *http.Transport, an HTTP/1.1-only copy of next. A base
// transport of another type is used as it is and must handle such upgrades
// itself, as caRotation does by calling nextFor with its current transport.
func nextFor(next http.RoundTripper, req *http.Request) http.RoundTripper {
	t, ok := next.(*http.Transport)
	if !ok || !nonWebSocketUpgrade(req.Header) {
		return next
	}
	return http1Only(t)
}

// nonWebSocketUpgrade reports whether h asks to switch the connection to a
// protocol other than WebSocket.
func nonWebSocketUpgrade(h http.Header) bool {
	up := h.Get("Upgrade")
	if up == "" || strings.EqualFold(strings.TrimSpace(up), "websocket") {
		return false
	}
	for _, v := range h["Connection"] {
		for tok := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(tok), "upgrade") {
				return true
			}
		}
	}
	return false
}

// http1Only returns a copy of t that speaks only HTTP/1.1. The copy is made
// per request and keeps no idle connection: an upgraded connection belongs
// to the caller, and one that was refused must not linger in a pool nobody
// closes.
func http1Only(t *http.Transport) *http.Transport {
	c := t.Clone()
	c.ForceAttemptHTTP2 = false
	c.HTTP2 = nil
	c.Protocols = new(http.Protocols)
	c.Protocols.SetHTTP1(true)
	// The copy inherits h2 in ALPN and its handler when t has been used;
	// both must go, or the server may still pick HTTP/2.
	c.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	if c.TLSClientConfig != nil {
		c.TLSClientConfig.NextProtos = []string{"http/1.1"}
	}
	c.DisableKeepAlives = true
	return c
}
