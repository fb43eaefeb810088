// Package upgrade opens the upgraded connections that pod exec, attach and
// port-forward run over, for dynamic/podexec and dynamic/portforward: a
// WebSocket (RFC 6455, what Kubernetes 1.30 and later serve) or an SPDY/3.1
// connection (what every server serves), both requested through the
// *http.Client anykube.HTTPClientFor builds, so that they carry the
// Config's TLS settings, proxy, credentials, impersonation and
// WrapTransport exactly as every other request does.
//
// The WebSocket side is github.com/coder/websocket: it performs its
// handshake through a caller's *http.Client (net/http hands a 101 answer's
// connection back as the response body), which is what lets the upgrade go
// through anykube's transport instead of a second dialer that would have to
// repeat TLS, proxies and authentication; it has no dependencies, no
// goroutine of its own per connection, context-bounded reads, writes and
// pings, and the close handshake with status codes. The SPDY side is
// k8s.io/streaming, the Kubernetes project's own implementation, already in
// apimachinery's dependency graph.
//
// Errors: a server that answers the upgrade request with anything but 101
// gives an *apierrors.StatusError (the Status it sent, or one made from the
// HTTP code); a server that switches protocols but picks none of the
// subprotocols offered gives a *NegotiationError. Both mean "this server
// will not speak this protocol here", which is when callers fall back from
// WebSocket to SPDY. Failures of an established connection wrap
// ErrConnectionLost; frames that break a protocol wrap ErrProtocol.
package upgrade
