package podexec

import (
	"io"
	"strconv"
)

// Options are the streams and settings of one Exec or Attach. At least one
// of Stdin, Stdout and Stderr must be set.
type Options struct {
	// Container names the container; empty means the pod's default one
	// (its only container, or the one its
	// kubectl.kubernetes.io/default-container annotation names; the
	// server refuses the call otherwise).
	Container string

	// Stdin, when set, is copied to the remote process; when it reaches
	// io.EOF the remote process sees end of file on its standard input.
	// Nil means the process gets no standard input.
	//
	// A Read of Stdin in progress when the stream ends is interrupted when
	// Stdin has a SetReadDeadline method that works (an *os.File pipe, a
	// net.Conn), and Exec waits for it; otherwise Exec returns without
	// waiting, and the bytes that Read returns are dropped.
	Stdin io.Reader
	// Stdout receives the remote standard output (with TTY, the
	// terminal's output). Nil means it is not asked for.
	Stdout io.Writer
	// Stderr receives the remote standard error. Nil means it is not
	// asked for; with TTY it is never used, standard error being part of
	// the terminal's output.
	Stderr io.Writer

	// TTY runs the process on a terminal, in raw mode as far as the
	// remote side is concerned: the caller puts its own terminal in raw
	// mode, if it has one.
	TTY bool
	// Resize, when TTY is set, delivers terminal sizes to apply to the
	// remote terminal, the first one as soon as the stream starts. It is
	// read until it is closed or the stream ends. Nil means the remote
	// terminal keeps its default size.
	Resize <-chan TerminalSize

	// Protocol chooses the wire protocol; the zero value tries WebSocket
	// first and falls back to SPDY.
	Protocol Protocol
}

// TerminalSize is the size of a terminal in character cells. Its JSON
// form ({"Width":80,"Height":24}) is the one the resize channel carries.
type TerminalSize struct {
	Width  uint16
	Height uint16
}

// Protocol chooses how Exec and Attach reach the container.
type Protocol int

const (
	// ProtocolAuto opens a WebSocket (subprotocol v5.channel.k8s.io, or
	// v4.channel.k8s.io from servers without v5) and, when the server
	// refuses it, as servers before Kubernetes 1.30 do, SPDY/3.1
	// (v4.channel.k8s.io), as kubectl does. With Stdin set and TTY not,
	// a server that offers only v4 over WebSocket is also left for SPDY,
	// because v4 cannot tell the remote process that stdin ended.
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
