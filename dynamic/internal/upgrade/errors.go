package upgrade

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
)

// ErrConnectionLost is wrapped by the error of a stream whose connection
// ended before the stream did: closed or reset by the server or a proxy in
// between, or silent for longer than the heartbeat allows.
var ErrConnectionLost = errors.New("connection to the API server lost")

// ErrProtocol is wrapped by the error of a stream whose peer broke the
// protocol: a frame of the wrong type or for no channel, a status that does
// not decode, a subprotocol that was not offered.
var ErrProtocol = errors.New("stream protocol violation")

// NegotiationError reports a server that switched protocols but chose none
// of the subprotocols offered (or no subprotocol at all).
type NegotiationError struct {
	// Kind is "WebSocket" or "SPDY".
	Kind string
	// Offered are the subprotocols asked for, most preferred first.
	Offered []string
	// Chosen is what the server answered with, possibly empty.
	Chosen string
}

// Error names the subprotocols offered and the one chosen.
func (e *NegotiationError) Error() string {
	return fmt.Sprintf("%s upgrade: the server chose subprotocol %q, not one of %s", e.Kind, e.Chosen, strings.Join(e.Offered, ", "))
}

// Unwrap returns ErrProtocol.
func (e *NegotiationError) Unwrap() error { return ErrProtocol }

// Lost returns an error wrapping ErrConnectionLost and cause.
func Lost(cause error) error {
	if cause == nil {
		return ErrConnectionLost
	}
	return fmt.Errorf("%w: %w", ErrConnectionLost, cause)
}

// Violation returns an error wrapping ErrProtocol, described by format and
// args.
func Violation(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrProtocol, fmt.Sprintf(format, args...))
}

// connectionFailure reports whether err, from reading or writing an
// established connection, means the connection itself failed (closed,
// reset, cut short, timed out) rather than that the peer sent something
// that breaks the protocol.
func connectionFailure(err error) bool {
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne)
}

// Classify wraps an error from reading an established connection in
// ErrConnectionLost or, when the connection is fine but what came over it
// is not, ErrProtocol.
func Classify(err error) error {
	if connectionFailure(err) {
		return Lost(err)
	}
	return fmt.Errorf("%w: %w", ErrProtocol, err)
}

// errorsIsContext reports whether err already says a context ended.
func errorsIsContext(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
