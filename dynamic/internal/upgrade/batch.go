package upgrade

import (
	"context"
	"io"
	"net/http"
	"sync"
)

// A client must mask what it sends on a WebSocket, and the WebSocket
// library masks a message in its 4 KiB write buffer, writing the buffer out
// each time it fills: a 32 KiB message is nine writes to the connection,
// nine TLS records, nine system calls. batchWriter sits under the library
// and gathers what it writes while a message is being sent, then writes it
// out in one go; what the library writes on its own at other times (pongs,
// pings, close frames) goes through at once.
type batchWriter struct {
	io.ReadWriteCloser

	mu       sync.Mutex // guards the fields below, and orders writes to the connection
	sending  int        // messages being sent; writes are gathered while > 0
	buf      []byte
	writeErr error // the first failure to write, returned from then on
}

// maxBatch bounds the buffer kept between messages; a larger one is let go.
const maxBatch = 256 << 10

// Write gathers p while a message is being sent, and writes it (after
// anything gathered) otherwise.
func (b *batchWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.writeErr != nil {
		return 0, b.writeErr
	}
	if b.sending > 0 {
		b.buf = append(b.buf, p...)
		return len(p), nil
	}
	if err := b.flushLocked(); err != nil {
		return 0, err
	}
	n, err := b.ReadWriteCloser.Write(p)
	if err != nil {
		b.writeErr = err
	}
	return n, err
}

// begin starts gathering for a message.
func (b *batchWriter) begin() {
	b.mu.Lock()
	b.sending++
	b.mu.Unlock()
}

// end writes out what the last message being sent gathered.
func (b *batchWriter) end() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sending--
	if b.sending > 0 {
		return nil
	}
	return b.flushLocked()
}

func (b *batchWriter) flushLocked() error {
	if len(b.buf) == 0 || b.writeErr != nil {
		return b.writeErr
	}
	_, err := b.ReadWriteCloser.Write(b.buf)
	if err != nil {
		b.writeErr = err
	}
	b.buf = b.buf[:0]
	if cap(b.buf) > maxBatch {
		b.buf = nil
	}
	return err
}

// batchSlot is where batchingTransport leaves the batchWriter it made for
// the handshake whose context carries the slot.
type batchSlot struct{ w *batchWriter }

type batchSlotKey struct{}

// batchingTransport puts a batchWriter under the connection of a 101
// answer, for a request whose context carries a *batchSlot.
type batchingTransport struct{ next http.RoundTripper }

// RoundTrip sends req through the next round tripper and wraps the
// connection of a 101 answer.
func (t batchingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		return resp, err
	}
	slot, _ := req.Context().Value(batchSlotKey{}).(*batchSlot)
	if rwc, ok := resp.Body.(io.ReadWriteCloser); ok && slot != nil {
		slot.w = &batchWriter{ReadWriteCloser: rwc}
		resp.Body = slot.w
	}
	return resp, nil
}

// withBatchSlot returns ctx carrying a new slot.
func withBatchSlot(ctx context.Context) (context.Context, *batchSlot) {
	s := &batchSlot{}
	return context.WithValue(ctx, batchSlotKey{}, s), s
}
