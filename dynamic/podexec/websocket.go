package podexec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/coder/websocket"
	"k8s.io/apimachinery/pkg/util/remotecommand"

	"github.com/anykube/anykube/dynamic/internal/upgrade"
)

// The channel protocol (v4.channel.k8s.io, v5.channel.k8s.io) carries
// every stream in one WebSocket: each binary message starts with the
// number of the channel it belongs to. v5 adds a CLOSE signal, the message
// {255, channel}, which is how a client says its stdin has ended.
const (
	chanStdin  = remotecommand.StreamStdIn
	chanStdout = remotecommand.StreamStdOut
	chanStderr = remotecommand.StreamStdErr
	chanError  = remotecommand.StreamErr
	chanResize = remotecommand.StreamResize
	chanClose  = remotecommand.StreamClose
)

// wsStream is one Exec or Attach over a WebSocket.
type wsStream struct {
	d    *upgrade.Dialer
	ws   *upgrade.WSConn
	v5   bool
	opts Options
}

// writeError is a failure of the caller's Stdout or Stderr.
type writeError struct {
	stream string
	err    error
}

// Error names the stream whose writer failed, and how.
func (e *writeError) Error() string { return fmt.Sprintf("writing %s: %v", e.stream, e.err) }

// Unwrap returns the writer's error.
func (e *writeError) Unwrap() error { return e.err }

// run streams until the server closes the connection or ctx ends, and
// returns what the exit status says (see outcome).
func (s *wsStream) run(parent context.Context) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	// Closing the connection is what unblocks every read and write when
	// ctx ends.
	stop := context.AfterFunc(ctx, func() { s.ws.CloseNow() })
	defer stop()
	defer s.ws.CloseNow()

	var wg sync.WaitGroup
	var beatMu sync.Mutex
	var beatErr error // guarded by beatMu
	wg.Go(func() {
		s.d.Heartbeat(ctx, s.ws.Conn, func(err error) {
			beatMu.Lock()
			beatErr = err
			beatMu.Unlock()
		})
	})
	if s.opts.TTY && s.opts.Resize != nil {
		wg.Go(func() {
			sendSizes(ctx, s.opts.Resize, func(b []byte) error { return s.send(ctx, chanResize, b) })
		})
	}
	var in *stdinPump
	if s.opts.Stdin != nil {
		in = startStdin(s.opts.Stdin, 1, func(msg []byte) error {
			msg[0] = chanStdin
			return s.ws.WriteMessage(ctx, msg)
		}, func() error {
			if !s.v5 {
				// v4 has no way to say it; the remote input stays open.
				return nil
			}
			return s.ws.WriteMessage(ctx, []byte{chanClose, chanStdin})
		})
	}

	status, readErr := s.read(ctx)
	cancel()
	wg.Wait()
	stdinErr := in.stop()
	beatMu.Lock()
	defer beatMu.Unlock()
	return outcome(parent, status, readErr, beatErr, stdinErr)
}

// send writes one message on channel ch.
func (s *wsStream) send(ctx context.Context, ch byte, data []byte) error {
	msg := make([]byte, 1+len(data))
	msg[0] = ch
	copy(msg[1:], data)
	return s.ws.WriteMessage(ctx, msg)
}

// read dispatches the server's messages until the connection ends. It
// returns what arrived on the error channel and, unless the server closed
// the connection normally, why reading stopped.
func (s *wsStream) read(ctx context.Context) (status []byte, err error) {
	buf := make([]byte, chunk)
	for {
		typ, r, err := s.ws.Reader(ctx)
		if err != nil {
			switch websocket.CloseStatus(err) {
			case websocket.StatusNormalClosure, websocket.StatusGoingAway:
				return status, nil
			}
			return status, err
		}
		if typ != websocket.MessageBinary {
			return status, upgrade.Violation("a text message on a channel stream")
		}
		if _, err := io.ReadFull(r, buf[:1]); err != nil {
			if errors.Is(err, io.EOF) {
				continue // an empty message, which carries nothing
			}
			return status, err
		}
		switch ch := buf[0]; ch {
		case chanStdout:
			err = copyMessage(s.opts.Stdout, "stdout", r, buf)
		case chanStderr:
			err = copyMessage(s.opts.Stderr, "stderr", r, buf)
		case chanError:
			var n int
			n, err = io.ReadFull(r, buf[:min(len(buf), maxStatus+1-len(status))])
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				err = nil
			}
			status = append(status, buf[:n]...)
			if len(status) > maxStatus {
				return status, upgrade.Violation("more than %d bytes on the error channel", maxStatus)
			}
		case chanStdin, chanResize:
			// Nothing should come back on them; what does is ignored.
			err = copyMessage(nil, "", r, buf)
		case chanClose:
			if !s.v5 {
				return status, upgrade.Violation("a message on channel %d", ch)
			}
			// The server says it closed one of its channels: there is
			// nothing to do, the data before it has arrived.
			err = copyMessage(nil, "", r, buf)
		default:
			return status, upgrade.Violation("a message on channel %d, which the protocol does not have", ch)
		}
		if err != nil {
			return status, err
		}
	}
}

// copyMessage writes the rest of message r to w (nil discards it), through
// buf. A failure of w is a *writeError; one of r is returned as it is.
func copyMessage(w io.Writer, name string, r io.Reader, buf []byte) error {
	for {
		n, err := r.Read(buf)
		if n > 0 && w != nil {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return &writeError{stream: name, err: werr}
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// outcome decides what a finished stream returns. An exit status that
// arrived decides, whatever happened after it; then the caller's context
// ending; then a dead heartbeat, a failed writer, a protocol violation, a
// broken connection; a stream that ended cleanly without a status lost
// its connection too, since v4 and v5 servers always send one. A failure
// to read Stdin is reported only when all else went well.
func outcome(parent context.Context, status []byte, readErr, beatErr, stdinErr error) error {
	if len(status) > 0 {
		if err := exitStatus(status); err != nil || stdinErr == nil {
			return err
		}
		return fmt.Errorf("reading stdin: %w", stdinErr)
	}
	if parent.Err() != nil {
		return context.Cause(parent)
	}
	if beatErr != nil {
		return beatErr
	}
	var we *writeError
	switch {
	case readErr == nil:
		return upgrade.Lost(errors.New("the server ended the stream without an exit status"))
	case errors.As(readErr, &we), errors.Is(readErr, upgrade.ErrProtocol):
		return readErr
	}
	return upgrade.Classify(readErr)
}
