package podexec

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"
)

// chunk is how much of Stdin is read and sent at a time.
const chunk = 32 << 10

// stdinPump copies the caller's Stdin to the stream in its own goroutine,
// since a Read of Stdin (a terminal, a pipe) may block for as long as it
// likes.
type stdinPump struct {
	r    io.Reader
	done chan struct{}
	// err is the first failure of r other than io.EOF; it is written
	// before done is closed.
	err error
}

// startStdin starts copying r: each chunk read is handed to send in a
// buffer with room for prefix bytes in front of the data (send sees the
// whole buffer); at the end of r, eof is called. A failed send ends the
// copy: the stream is over.
func startStdin(r io.Reader, prefix int, send func([]byte) error, eof func() error) *stdinPump {
	p := &stdinPump{r: r, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		buf := make([]byte, prefix+chunk)
		for {
			n, err := r.Read(buf[prefix:])
			if n > 0 {
				if send(buf[:prefix+n]) != nil {
					return
				}
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					p.err = err
				}
				// The remote side sees the end of its input either way.
				_ = eof()
				return
			}
		}
	}()
	return p
}

// stop is called once the stream is over. A Read in progress is
// interrupted when the reader has a SetReadDeadline that works, and waited
// for (the deadline is then cleared, so the reader stays usable); without
// one the copy ends by itself when that Read returns. It returns the
// reader's failure, if the copy met one before the stream ended. It is
// safe on a nil pump.
func (p *stdinPump) stop() error {
	if p == nil {
		return nil
	}
	select {
	case <-p.done:
		return p.err
	default:
	}
	if d, ok := p.r.(interface{ SetReadDeadline(time.Time) error }); ok && d.SetReadDeadline(time.Now()) == nil {
		<-p.done
		_ = d.SetReadDeadline(time.Time{})
	}
	// Whatever the copy meets from here on is of its own making.
	return nil
}

// sendSizes sends each terminal size from sizes until sizes is closed, ctx
// ends or a send fails.
func sendSizes(ctx context.Context, sizes <-chan TerminalSize, send func([]byte) error) {
	for {
		select {
		case <-ctx.Done():
			return
		case size, ok := <-sizes:
			if !ok {
				return
			}
			b, _ := json.Marshal(size)
			if send(b) != nil {
				return
			}
		}
	}
}
