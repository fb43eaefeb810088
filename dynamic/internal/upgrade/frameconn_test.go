package upgrade

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/moby/spdystream/spdy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeRecorder is a net.Conn that keeps every Write apart.
type writeRecorder struct {
	net.Conn
	writes [][]byte
}

func (w *writeRecorder) Write(p []byte) (int, error) {
	w.writes = append(w.writes, append([]byte(nil), p...))
	return len(p), nil
}

// The framer writes each frame in several pieces; through frameConn each
// frame up to gatherLimit arrives in one write, a larger one as its header
// and then its payload, and the byte stream is unchanged.
func TestFrameConnWritesWholeFrames(t *testing.T) {
	rec := &writeRecorder{}
	fc := newFrameConn(rec)
	framer, err := spdy.NewFramer(fc, bytes.NewReader(nil))
	require.NoError(t, err)
	var direct bytes.Buffer
	reference, err := spdy.NewFramer(&direct, bytes.NewReader(nil))
	require.NoError(t, err)

	big := bytes.Repeat([]byte("x"), gatherLimit+10)
	frames := []spdy.Frame{
		&spdy.SynStreamFrame{StreamId: 1, Headers: http.Header{"Streamtype": {"error"}}},
		&spdy.DataFrame{StreamId: 1, Data: []byte("hello")},
		&spdy.DataFrame{StreamId: 1, Flags: spdy.DataFlagFin},
		&spdy.PingFrame{Id: 7},
		&spdy.DataFrame{StreamId: 3, Data: big},
		&spdy.RstStreamFrame{StreamId: 3, Status: spdy.Cancel},
		&spdy.DataFrame{StreamId: 5, Data: bytes.Repeat([]byte("y"), gatherLimit)},
	}
	for _, f := range frames {
		require.NoError(t, framer.WriteFrame(f))
		require.NoError(t, reference.WriteFrame(f))
	}
	sizes := make([]int, len(rec.writes))
	for i, w := range rec.writes {
		sizes[i] = len(w)
	}
	synLen := len(rec.writes[0])
	assert.Equal(t, []int{synLen, 8 + 5, 8, 8 + 4, 8, len(big), 8 + 8, 8 + gatherLimit}, sizes)
	assert.True(t, bytes.Equal(direct.Bytes(), bytes.Join(rec.writes, nil)), "the byte stream is unchanged")
}

// Writes that split a frame anywhere, even inside its header, still come
// out a frame at a time.
func TestFrameConnAnySplit(t *testing.T) {
	var stream bytes.Buffer
	framer, err := spdy.NewFramer(&stream, bytes.NewReader(nil))
	require.NoError(t, err)
	require.NoError(t, framer.WriteFrame(&spdy.DataFrame{StreamId: 1, Data: []byte("abcdefgh")}))
	require.NoError(t, framer.WriteFrame(&spdy.DataFrame{StreamId: 3, Data: []byte("ij")}))
	all := stream.Bytes()
	for split := 1; split < len(all); split++ {
		rec := &writeRecorder{}
		fc := newFrameConn(rec)
		n1, err := fc.Write(all[:split])
		require.NoError(t, err)
		n2, err := fc.Write(all[split:])
		require.NoError(t, err)
		assert.Equal(t, len(all), n1+n2)
		require.Len(t, rec.writes, 2, "split at %d", split)
		assert.Len(t, rec.writes[0], 16)
		assert.Len(t, rec.writes[1], 10)
	}
}

// readConn is a net.Conn that reads from r in pieces of size n.
type readConn struct {
	net.Conn
	r io.Reader
	n int
}

func (c *readConn) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// Reading follows frame headers through any split, so that the end of the
// connection can be explained: a GOAWAY, the connection's end, a failed
// read, or a frame the SPDY library refused.
func TestFrameConnExplainsTheEnd(t *testing.T) {
	var stream bytes.Buffer
	framer, err := spdy.NewFramer(&stream, bytes.NewReader(nil))
	require.NoError(t, err)
	// A data frame whose payload looks like a GOAWAY header must not
	// count as one.
	fake := []byte{0x80, 0x03, 0x00, 0x07, 0x00, 0x00, 0x00, 0x08}
	require.NoError(t, framer.WriteFrame(&spdy.DataFrame{StreamId: 1, Data: fake}))
	require.NoError(t, framer.WriteFrame(&spdy.PingFrame{Id: 1}))
	withoutGoAway := append([]byte(nil), stream.Bytes()...)
	require.NoError(t, framer.WriteFrame(&spdy.GoAwayFrame{Status: spdy.GoAwayOK}))
	for _, n := range []int{1, 3, 7, 100} {
		fc := newFrameConn(&readConn{r: bytes.NewReader(withoutGoAway), n: n})
		fc.endLimit = 0
		_, err := io.Copy(io.Discard, fc)
		require.NoError(t, err)
		assert.ErrorIs(t, fc.endReason(), ErrConnectionLost, "EOF, split %d", n)

		fc = newFrameConn(&readConn{r: bytes.NewReader(stream.Bytes()), n: n})
		_, _ = io.ReadAll(io.LimitReader(fc, int64(stream.Len())))
		assert.ErrorIs(t, fc.endReason(), ErrConnectionLost, "GOAWAY, split %d", n)
		assert.True(t, fc.goAway, "split %d", n)
	}
	fc := newFrameConn(&readConn{r: bytes.NewReader(withoutGoAway), n: 100})
	_, _ = fc.Read(make([]byte, 4))
	assert.ErrorIs(t, fc.endReason(), ErrProtocol, "reading stopped without a failure: a frame was refused")
}

// The end of the connection, a GOAWAY or the end of the byte stream, is
// held from the SPDY library until the readers of the streams this side
// opened have taken every data byte the server sent them (the library
// would drop frames its workers had not handled yet), until this side
// closes, or until endLimit; with nothing outstanding it is not held.
func TestFrameConnHoldsTheEndUntilDelivered(t *testing.T) {
	var server bytes.Buffer
	framer, err := spdy.NewFramer(&server, bytes.NewReader(nil))
	require.NoError(t, err)
	require.NoError(t, framer.WriteFrame(&spdy.SynReplyFrame{StreamId: 1}))
	require.NoError(t, framer.WriteFrame(&spdy.DataFrame{StreamId: 1, Data: []byte("status")}))
	require.NoError(t, framer.WriteFrame(&spdy.DataFrame{StreamId: 3, Data: []byte("not ours")}))
	withoutGoAway := append([]byte(nil), server.Bytes()...)
	require.NoError(t, framer.WriteFrame(&spdy.GoAwayFrame{Status: spdy.GoAwayOK}))
	withGoAway := server.Bytes()

	// start opens stream 1 through a frameConn reading input in pieces of
	// n, and reads it all in the background; the channel is closed when
	// the reads are over.
	start := func(input []byte, n int) (*frameConn, chan struct{}) {
		fc := newFrameConn(&readWriteConn{readConn: readConn{r: bytes.NewReader(input), n: n}})
		client, err := spdy.NewFramer(fc, bytes.NewReader(nil))
		require.NoError(t, err)
		require.NoError(t, client.WriteFrame(&spdy.SynStreamFrame{StreamId: 1, Headers: http.Header{"Streamtype": {"error"}}}))
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = io.Copy(io.Discard, fc)
		}()
		return fc, done
	}
	held := func(done chan struct{}) bool {
		select {
		case <-done:
			return false
		case <-time.After(100 * time.Millisecond):
			return true
		}
	}
	for _, input := range [][]byte{withGoAway, withoutGoAway} {
		for _, n := range []int{1, 5, 100} {
			fc, done := start(input, n)
			assert.True(t, held(done), "the end must wait for the reader, split %d", n)
			fc.took(1, 4)
			assert.True(t, held(done), "4 of 6 bytes taken, split %d", n)
			fc.took(1, 2)
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("the end was held after the reader took everything, split %d", n)
			}
		}
		fc, done := start(input, 100)
		assert.True(t, held(done))
		require.NoError(t, fc.Close())
		<-done

		fc, done = start(input, 100)
		fc.untrack(1)
		<-done

		fc = newFrameConn(&readWriteConn{readConn: readConn{r: bytes.NewReader(input), n: 100}})
		fc.track(1)
		fc.endLimit = 50 * time.Millisecond
		_, _ = io.Copy(io.Discard, fc)
	}
	// A GOAWAY reaches the library whole once released.
	fc := newFrameConn(&readWriteConn{readConn: readConn{r: bytes.NewReader(withGoAway), n: 3}})
	got, err := io.ReadAll(fc)
	require.NoError(t, err)
	assert.Equal(t, withGoAway, got)
	assert.True(t, fc.goAway)
}

// readWriteConn reads like readConn and discards writes.
type readWriteConn struct{ readConn }

func (c *readWriteConn) Write(p []byte) (int, error) { return len(p), nil }
func (c *readWriteConn) Close() error                { return nil }
