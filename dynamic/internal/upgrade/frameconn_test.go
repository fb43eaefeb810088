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
		fc.linger = 0
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

// When the server finishes every stream this side opened and then closes
// the connection, as it does after an exit status, the end is held back
// until this side closes (up to finishedLinger), however the reads split
// the frames; when a stream is left unfinished, or the streams ended long
// before the connection did, the usual linger applies.
func TestFrameConnHoldsTheEndOfFinishedStreams(t *testing.T) {
	var server bytes.Buffer
	framer, err := spdy.NewFramer(&server, bytes.NewReader(nil))
	require.NoError(t, err)
	require.NoError(t, framer.WriteFrame(&spdy.SynReplyFrame{StreamId: 1}))
	require.NoError(t, framer.WriteFrame(&spdy.DataFrame{StreamId: 1, Data: []byte("status")}))
	unfinished := append([]byte(nil), server.Bytes()...)
	require.NoError(t, framer.WriteFrame(&spdy.DataFrame{StreamId: 1, Flags: spdy.DataFlagFin}))
	require.NoError(t, framer.WriteFrame(&spdy.SynReplyFrame{StreamId: 3, CFHeader: spdy.ControlFrameHeader{Flags: spdy.ControlFlagFin}}))
	require.NoError(t, framer.WriteFrame(&spdy.RstStreamFrame{StreamId: 5, Status: spdy.Cancel}))
	finished := server.Bytes()

	open := func(fc *frameConn) {
		client, err := spdy.NewFramer(fc, bytes.NewReader(nil))
		require.NoError(t, err)
		for _, id := range []spdy.StreamId{1, 3, 5} {
			require.NoError(t, client.WriteFrame(&spdy.SynStreamFrame{StreamId: id, Headers: http.Header{"Streamtype": {"x"}}}))
		}
	}
	for _, n := range []int{1, 2, 5, 9, 100} {
		fc := newFrameConn(&readWriteConn{readConn: readConn{r: bytes.NewReader(finished), n: n}})
		open(fc)
		_, _ = io.ReadAll(io.LimitReader(fc, int64(len(finished))))
		assert.Equal(t, finishedLinger, fc.endWait(time.Now()), "all finished, split %d", n)
		assert.Equal(t, endLinger, fc.endWait(time.Now().Add(2*endLinger)), "finished long before the end, split %d", n)

		fc = newFrameConn(&readWriteConn{readConn: readConn{r: bytes.NewReader(unfinished), n: n}})
		open(fc)
		_, _ = io.ReadAll(io.LimitReader(fc, int64(len(unfinished))))
		assert.Equal(t, endLinger, fc.endWait(time.Now()), "streams left open, split %d", n)
	}

	// A connection that opened no stream (an idle port-forward tunnel)
	// ends after the usual linger.
	fc := newFrameConn(&readWriteConn{readConn: readConn{r: bytes.NewReader(finished), n: 100}})
	_, _ = io.ReadAll(io.LimitReader(fc, int64(len(finished))))
	assert.Equal(t, endLinger, fc.endWait(time.Now()))

	// Closing ends the wait at once.
	fc = newFrameConn(&readWriteConn{readConn: readConn{r: bytes.NewReader(finished), n: 100}})
	open(fc)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(io.Discard, fc)
	}()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	require.NoError(t, fc.Close())
	<-done
	assert.Less(t, time.Since(start), endLinger)
}

// readWriteConn reads like readConn and discards writes.
type readWriteConn struct{ readConn }

func (c *readWriteConn) Write(p []byte) (int, error) { return len(p), nil }
func (c *readWriteConn) Close() error                { return nil }
