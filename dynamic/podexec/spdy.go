package podexec

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"

	"k8s.io/streaming/pkg/httpstream"

	"github.com/anykube/anykube/dynamic/internal/upgrade"
)

// Over SPDY (v4.channel.k8s.io) every standard stream is an SPDY stream of
// its own, named by its streamType header; half-closing the stdin stream is
// how the remote process gets end of file.
const (
	headerStreamType = "streamType"
	streamError      = "error"
	streamStdin      = "stdin"
	streamStdout     = "stdout"
	streamStderr     = "stderr"
	streamResize     = "resize"
)

// spdyStream is one Exec or Attach over SPDY.
type spdyStream struct {
	conn *upgrade.SPDYConn
	opts Options
}

// run opens the streams the call asked for, copies until the server has
// sent the exit status and closed the output streams, or ctx ends, and
// returns what the exit status says (see outcome).
func (s *spdyStream) run(parent context.Context) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { s.conn.Close() })
	defer stop()
	defer s.conn.Close()

	// The error stream comes first, so that a failure to set up the rest
	// is reported on it.
	errStream, err := s.create(ctx, streamError)
	if err != nil {
		return s.setupFailed(parent, err)
	}
	var stdin, stdout, stderr, resize httpstream.Stream
	for _, want := range []struct {
		on     bool
		kind   string
		stream *httpstream.Stream
	}{
		{s.opts.Stdin != nil, streamStdin, &stdin},
		{s.opts.Stdout != nil, streamStdout, &stdout},
		{s.opts.Stderr != nil && !s.opts.TTY, streamStderr, &stderr},
		{s.opts.TTY, streamResize, &resize},
	} {
		if !want.on {
			continue
		}
		if *want.stream, err = s.create(ctx, want.kind); err != nil {
			return s.setupFailed(parent, err)
		}
	}

	var outputs sync.WaitGroup
	var status []byte
	var statusErr, outErr, errErr error
	outputs.Go(func() {
		status, statusErr = io.ReadAll(io.LimitReader(errStream, maxStatus+1))
	})
	// A writer that fails ends the stream: its output would otherwise
	// back up until the remote process blocks.
	if stdout != nil {
		outputs.Go(func() {
			if outErr = copyStream(s.opts.Stdout, "stdout", stdout); outErr != nil {
				cancel()
			}
		})
	}
	if stderr != nil {
		outputs.Go(func() {
			if errErr = copyStream(s.opts.Stderr, "stderr", stderr); errErr != nil {
				cancel()
			}
		})
	}
	var sizes sync.WaitGroup
	if resize != nil && s.opts.Resize != nil {
		sizes.Go(func() {
			sendSizes(ctx, s.opts.Resize, func(b []byte) error {
				_, err := resize.Write(b)
				return err
			})
		})
	}
	var in *stdinPump
	if stdin != nil {
		in = startStdin(s.opts.Stdin, 0, func(b []byte) error {
			_, err := stdin.Write(b)
			return err
		}, stdin.Close)
	}

	outputs.Wait()
	lost := false
	select {
	case <-s.conn.Done():
		lost = true
	default:
	}
	cancel()
	sizes.Wait()
	stdinErr := in.stop()

	if len(status) > maxStatus {
		return upgrade.Violation("more than %d bytes on the error stream", maxStatus)
	}
	// A dropped connection ends every SPDY stream as if it had been
	// closed; what tells the two apart is the exit status, which a server
	// that finished sent before closing.
	readErr := errors.Join(statusErr, outErr, errErr)
	var we *writeError
	if readErr == nil && lost && len(status) == 0 {
		readErr = s.conn.LostError()
	} else if readErr != nil && !errors.As(readErr, &we) {
		readErr = upgrade.Classify(readErr)
	}
	return outcome(parent, status, readErr, nil, stdinErr)
}

// create opens one stream of the given type.
func (s *spdyStream) create(ctx context.Context, kind string) (httpstream.Stream, error) {
	h := http.Header{}
	h.Set(headerStreamType, kind)
	return s.conn.CreateStream(ctx, h)
}

// setupFailed reports a stream that could not be opened.
func (s *spdyStream) setupFailed(parent context.Context, err error) error {
	if parent.Err() != nil {
		return context.Cause(parent)
	}
	if errors.Is(err, upgrade.ErrConnectionLost) {
		return err
	}
	return upgrade.Lost(err)
}

// copyStream copies an output stream to w until the server closes it. A
// failure of w is a *writeError.
func copyStream(w io.Writer, name string, r io.Reader) error {
	buf := make([]byte, chunk)
	return copyMessage(w, name, r, buf)
}
