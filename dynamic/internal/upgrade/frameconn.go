package upgrade

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// The SPDY framer writes a data frame in three writes (stream id, flags
// and length, payload) and control frames in more. On a TLS connection each
// write is a TLS record and a system call; in a WebSocket each is a
// message. frameConn gathers the writes of one frame and sends the frame in
// one write, which is what makes SPDY throughput worth having. Frames
// larger than gatherLimit are sent as their 8-byte header and then the
// payload as it comes, so that a large payload is not copied.
const gatherLimit = 64 << 10

// spdyHeaderLen is the size of every SPDY frame's header; its last three
// bytes are the length of the payload that follows, for data and control
// frames alike.
const spdyHeaderLen = 8

// frameConn is a net.Conn whose writes are SPDY frames, gathered (see
// gatherLimit). It also follows the frames it reads: to tell afterwards
// why the SPDY library stopped reading (it ends a connection the same way
// whether the server said goodbye, the connection broke or a frame did not
// parse), and to hold the end back until what came before it has been
// read (see holdEnd).
type frameConn struct {
	net.Conn
	// br buffers reads: the framer reads headers a few bytes at a time.
	br *bufio.Reader

	// The reading side is used by the SPDY library's one reader; what it
	// learns is read by others under readMu.
	rhdr    [spdyHeaderLen]byte
	rhdrLen int
	rskip   int
	// inGoAway is set while the payload of a GOAWAY is being read, whose
	// last byte is held back (see Read).
	inGoAway bool
	readMu   sync.Mutex // guards the fields below
	readErr  error      // the first error reading the connection
	goAway   bool       // the server sent GOAWAY
	// sent counts the data bytes the server sent on each stream this side
	// reads (see track), taken counts those its reader took.
	sent, taken map[uint32]int64
	// progress is signalled (without blocking) when a reader takes data.
	progress chan struct{}

	// waitingSince is when the read under way began, in Unix nanoseconds;
	// zero when no read is under way (the reader is busy handing frames
	// on, perhaps held up by a slow consumer: that is not silence).
	waitingSince atomic.Int64

	closeOnce sync.Once
	closed    chan struct{} // closed by Close
	endLimit  time.Duration // endHoldLimit; tests shorten it

	mu sync.Mutex // guards the fields below; the framer writes one frame at a time already
	// buf gathers the frame being written; need is its full length once
	// its header is in.
	buf  []byte
	need int
	// passing counts payload bytes of a large frame still to be written
	// through without gathering.
	passing int
}

func newFrameConn(c net.Conn) *frameConn {
	return &frameConn{
		Conn: c, br: bufio.NewReaderSize(c, readBuffer), buf: make([]byte, 0, 4<<10),
		closed: make(chan struct{}), endLimit: endHoldLimit,
		sent: map[uint32]int64{}, taken: map[uint32]int64{}, progress: make(chan struct{}, 1),
	}
}

// silentFor returns how long, as of now, the read under way has waited
// for the server; zero when no read is under way.
func (c *frameConn) silentFor(now time.Time) time.Duration {
	since := c.waitingSince.Load()
	if since == 0 {
		return 0
	}
	return now.Sub(time.Unix(0, since))
}

// endHoldLimit bounds how long the end of the connection, a GOAWAY or the
// end of the byte stream, is kept from the SPDY library while data read
// before it has not reached the streams' readers. The library hands frames
// to per-stream workers through queues and empties those queues
// unprocessed when its reader meets the end: a server that sends an exit
// status and then says goodbye at once (the kubelet does) would have the
// status dropped whenever the workers run late, as they do on a loaded
// machine. A reader that stops reading keeps the end back this long.
const endHoldLimit = 10 * time.Second

// readBuffer is the size of the read buffer; data frames larger than it
// are mostly read straight into their own buffer.
const readBuffer = 32 << 10

// Write takes a piece of the frame stream and writes out every frame it
// completes.
func (c *frameConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	written := 0
	for len(p) > 0 {
		switch {
		case c.passing > 0:
			n := min(c.passing, len(p))
			m, err := c.Conn.Write(p[:n])
			written += m
			c.passing -= m
			if err != nil {
				return written, err
			}
			p = p[n:]
		case len(c.buf) < spdyHeaderLen:
			n := min(spdyHeaderLen-len(c.buf), len(p))
			c.buf = append(c.buf, p[:n]...)
			p, written = p[n:], written+n
			if len(c.buf) < spdyHeaderLen {
				continue
			}
			size := int(c.buf[5])<<16 | int(c.buf[6])<<8 | int(c.buf[7])
			if size > gatherLimit {
				c.passing = size
				if err := c.flush(); err != nil {
					return written, err
				}
				continue
			}
			c.need = spdyHeaderLen + size
			if size == 0 {
				if err := c.flush(); err != nil {
					return written, err
				}
			}
		default:
			n := min(c.need-len(c.buf), len(p))
			c.buf = append(c.buf, p[:n]...)
			p, written = p[n:], written+n
			if len(c.buf) == c.need {
				if err := c.flush(); err != nil {
					return written, err
				}
			}
		}
	}
	return written, nil
}

// The control frame types of SYN_STREAM and GOAWAY; streamIDMask keeps the
// 31 bits of a stream id.
const (
	typeSynStream = 1
	typeGoAway    = 7
	streamIDMask  = 0x7fffffff
)

// Read reads from the connection and follows the frames read.
//
// No read goes past the end of the frame under way, so that a GOAWAY is
// seen before the library has it; the last byte of a GOAWAY, without
// which the library cannot act on it, is held back by holdEnd, and so is
// the end of the byte stream.
func (c *frameConn) Read(p []byte) (int, error) {
	switch {
	case c.inGoAway && c.rskip == 1:
		c.holdEnd()
		c.inGoAway = false
	case c.inGoAway:
		p = p[:min(len(p), c.rskip-1)]
	case c.rskip > 0:
		p = p[:min(len(p), c.rskip)]
	default:
		p = p[:min(len(p), spdyHeaderLen-c.rhdrLen)]
	}
	c.waitingSince.Store(time.Now().UnixNano())
	n, err := c.br.Read(p)
	c.waitingSince.Store(0)
	c.follow(p[:n])
	if err != nil {
		c.readMu.Lock()
		if c.readErr == nil {
			c.readErr = err
		}
		c.readMu.Unlock()
		if n == 0 {
			c.holdEnd()
		}
	}
	return n, err
}

// holdEnd waits until every data byte the server sent on the streams this
// side reads has been taken by their readers, this side closes, or
// endLimit passes: see endHoldLimit.
func (c *frameConn) holdEnd() {
	if c.delivered() {
		return
	}
	limit := time.NewTimer(c.endLimit)
	defer limit.Stop()
	for !c.delivered() {
		select {
		case <-c.closed:
			return
		case <-limit.C:
			return
		case <-c.progress:
		}
	}
}

// delivered says whether the readers of the tracked streams have taken all
// the server sent them.
func (c *frameConn) delivered() bool {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	for id, n := range c.taken {
		if n < c.sent[id] {
			return false
		}
	}
	return true
}

// track starts counting, for stream id, what the server sends and what
// its reader takes (see countingStream); it is called as this side opens
// the stream, before any data can come.
func (c *frameConn) track(id uint32) {
	c.readMu.Lock()
	c.taken[id] = 0
	c.readMu.Unlock()
}

// wrote notes the stream a whole frame written by this side opens.
func (c *frameConn) wrote(frame []byte) {
	if len(frame) >= spdyHeaderLen+4 && frame[0]&0x80 != 0 && int(frame[2])<<8|int(frame[3]) == typeSynStream {
		c.track(binary.BigEndian.Uint32(frame[spdyHeaderLen:]) & streamIDMask)
	}
}

// untrack stops counting stream id, which nobody reads any more.
func (c *frameConn) untrack(id uint32) {
	c.readMu.Lock()
	delete(c.taken, id)
	delete(c.sent, id)
	c.readMu.Unlock()
	c.signal()
}

// took notes that the reader of stream id took n bytes.
func (c *frameConn) took(id uint32, n int) {
	c.readMu.Lock()
	if _, ok := c.taken[id]; ok {
		c.taken[id] += int64(n)
	}
	c.readMu.Unlock()
	c.signal()
}

func (c *frameConn) signal() {
	select {
	case c.progress <- struct{}{}:
	default:
	}
}

// Close closes the connection below, and ends a wait at its end.
func (c *frameConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// follow walks frame headers through b, noting a GOAWAY and counting the
// data sent on each stream.
func (c *frameConn) follow(b []byte) {
	for len(b) > 0 {
		if c.rskip > 0 {
			k := min(c.rskip, len(b))
			c.rskip -= k
			b = b[k:]
			continue
		}
		k := copy(c.rhdr[c.rhdrLen:], b)
		c.rhdrLen += k
		b = b[k:]
		if c.rhdrLen < spdyHeaderLen {
			return
		}
		h := c.rhdr
		c.rskip = int(h[5])<<16 | int(h[6])<<8 | int(h[7])
		c.rhdrLen = 0
		switch {
		case h[0]&0x80 == 0:
			id := binary.BigEndian.Uint32(h[:4]) & streamIDMask
			c.readMu.Lock()
			if _, ok := c.taken[id]; ok {
				c.sent[id] += int64(c.rskip)
			}
			c.readMu.Unlock()
		case int(h[2])<<8|int(h[3]) == typeGoAway:
			c.readMu.Lock()
			c.goAway = true
			c.readMu.Unlock()
			c.inGoAway = c.rskip > 0
		}
	}
}

// endReason says why reading stopped, for a connection that ended without
// being closed by this side: a GOAWAY or the end of the connection is a
// lost connection, a failed read is classified, and no failure at all
// means the SPDY library refused a frame.
func (c *frameConn) endReason() error {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	switch {
	case c.goAway:
		return Lost(errors.New("the server closed the connection"))
	case c.readErr == nil:
		return Violation("the server sent an SPDY frame that does not parse")
	case errors.Is(c.readErr, io.EOF):
		return Lost(errors.New("the server closed the connection"))
	}
	return Classify(c.readErr)
}

// flush writes the gathered bytes.
func (c *frameConn) flush() error {
	c.wrote(c.buf)
	_, err := c.Conn.Write(c.buf)
	c.buf, c.need = c.buf[:0], 0
	if cap(c.buf) > 2*gatherLimit {
		c.buf = make([]byte, 0, 4<<10)
	}
	return err
}

// bodyConn is the net.Conn the SPDY library wants, made of the
// io.ReadWriteCloser net/http returns as the body of a 101: reads, writes
// and Close are the connection's; it has no addresses or deadlines to
// offer, and the library uses neither.
type bodyConn struct{ io.ReadWriteCloser }

var errNoDeadline = errors.New("upgraded connection: deadlines are not supported")

// LocalAddr, RemoteAddr and the deadline setters satisfy net.Conn.
func (bodyConn) LocalAddr() net.Addr              { return upgradedAddr{} }
func (bodyConn) RemoteAddr() net.Addr             { return upgradedAddr{} }
func (bodyConn) SetDeadline(time.Time) error      { return errNoDeadline }
func (bodyConn) SetReadDeadline(time.Time) error  { return errNoDeadline }
func (bodyConn) SetWriteDeadline(time.Time) error { return errNoDeadline }

// Network and String name the unknown address.
func (upgradedAddr) Network() string { return "upgraded" }
func (upgradedAddr) String() string  { return "upgraded-http-connection" }

// upgradedAddr stands for an address net/http does not expose.
type upgradedAddr struct{}
