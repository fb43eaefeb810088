package portforward

import "strconv"

// Options tune a tunnel. The zero value is what most callers want.
type Options struct {
	// Protocol chooses the wire protocol; the zero value tries WebSocket
	// first and falls back to SPDY.
	Protocol Protocol
	// NoPodWatch turns off the watch on the pod that ends the tunnel with
	// ErrPodGone when the pod is deleted, replaced or finished. Without
	// it (or without the right to watch pods, which is then silently
	// done without) the tunnel ends only with its connection, and
	// connections opened after the pod went away fail one by one.
	NoPodWatch bool
	// ErrorHandler, when set, receives the failure of each connection
	// accepted by Listen that failed while the tunnel was up: a
	// *PortError from the pod's side, or an error of the local side. Nil
	// means such failures are dropped, as the local connection's close
	// already tells its client.
	ErrorHandler func(err error)
}

// Protocol chooses how a tunnel reaches the pod.
type Protocol int

const (
	// ProtocolAuto opens a WebSocket carrying SPDY (subprotocol
	// SPDY/3.1+portforward.k8s.io, served since Kubernetes 1.30) and,
	// when the server refuses it, SPDY/3.1 directly (portforward.k8s.io),
	// as kubectl does.
	ProtocolAuto Protocol = iota
	// ProtocolWebSocket uses only the WebSocket and fails when the
	// server refuses it.
	ProtocolWebSocket
	// ProtocolSPDY uses only SPDY/3.1, which every server version serves.
	ProtocolSPDY
)

// String returns "auto", "websocket" or "spdy".
func (p Protocol) String() string {
	switch p {
	case ProtocolAuto:
		return "auto"
	case ProtocolWebSocket:
		return "websocket"
	case ProtocolSPDY:
		return "spdy"
	}
	return "Protocol(" + strconv.Itoa(int(p)) + ")"
}
