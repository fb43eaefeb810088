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
// gatherLimit). It also follows the frames it reads, to tell afterwards
// why the SPDY library stopped reading: the SPDY library ends a connection
// the same way whether the server said goodbye, the connection broke or a
// frame did not parse.
type frameConn struct {
	net.Conn
	// br buffers reads: the framer reads headers a few bytes at a time.
	br *bufio.Reader

	// The reading side is used by the SPDY library's one reader; what it
	// learns is read by others under readMu.
	rhdr    [spdyHeaderLen]byte
	rhdrLen int
	rskip   int
	// rid gathers the stream id that opens the payload of a SYN_REPLY or
	// RST_STREAM; ridLen counts its bytes in, ridFin says the frame ends
	// the stream's server half.
	rid       [4]byte
	ridLen    int
	ridWanted bool
	readMu    sync.Mutex // guards the fields below
	readErr   error      // the first error reading the connection
	goAway    bool       // the server sent GOAWAY
	// open holds the streams this side opened that the server has not
	// finished (a FIN or a reset); opened counts them all; lastFin is when
	// the server last finished one.
	open    map[uint32]struct{}
	opened  int
	lastFin time.Time

	// waitingSince is when the read under way began, in Unix nanoseconds;
	// zero when no read is under way (the reader is busy handing frames
	// on, perhaps held up by a slow consumer: that is not silence).
	waitingSince atomic.Int64

	closeOnce sync.Once
	closed    chan struct{} // closed by Close
	linger    time.Duration // endLinger; tests shorten it

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
	return &frameConn{Conn: c, br: bufio.NewReaderSize(c, readBuffer), buf: make([]byte, 0, 4<<10), closed: make(chan struct{}), linger: endLinger}
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

// endLinger is how long the end of the connection is kept from the SPDY
// library, unless this side closes first. The library hands frames to
// per-stream workers through queues, and when its reader meets the end of
// the connection it empties those queues unprocessed: a server that sends
// an exit status and closes at once would have the status dropped. The
// wait lets the workers deliver what was read; a caller that has all it
// needs closes the connection, which ends the wait.
const endLinger = time.Second

// finishedLinger replaces endLinger when the server finished every stream
// this side opened just before it closed the connection (within
// endLinger), as it does after sending an exit status. Nothing is missing
// then, only perhaps not yet delivered, and the caller closes as soon as it
// has read everything; the longer wait keeps a machine too loaded to run
// the library's workers within a second from losing the status.
const finishedLinger = 10 * time.Second

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

// SPDY/3 control frame types, the FIN flag and the stream id's bits.
const (
	typeSynStream = 1
	typeSynReply  = 2
	typeRstStream = 3
	typeGoAway    = 7
	flagFin       = 0x01
	streamIDMask  = 0x7fffffff
)

// Read reads from the connection and follows the frames read.
func (c *frameConn) Read(p []byte) (int, error) {
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
			t := time.NewTimer(c.endWait(time.Now()))
			select {
			case <-c.closed:
			case <-t.C:
			}
			t.Stop()
		}
	}
	return n, err
}

// endWait is how long to keep the end of the connection, met at now, from
// the SPDY library: see endLinger and finishedLinger.
func (c *frameConn) endWait(now time.Time) time.Duration {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	if c.opened > 0 && len(c.open) == 0 && now.Sub(c.lastFin) < endLinger {
		return finishedLinger
	}
	return c.linger
}

// Close closes the connection below, and ends a wait at its end.
func (c *frameConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// follow walks frame headers through b, noting a GOAWAY and the streams
// the server finishes.
func (c *frameConn) follow(b []byte) {
	for len(b) > 0 {
		if c.ridWanted {
			b = c.gatherID(b)
			continue
		}
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
		if h[0]&0x80 == 0 {
			if h[4]&flagFin != 0 {
				c.finished(binary.BigEndian.Uint32(h[:4]) & streamIDMask)
			}
			continue
		}
		switch int(h[2])<<8 | int(h[3]) {
		case typeGoAway:
			c.readMu.Lock()
			c.goAway = true
			c.readMu.Unlock()
		case typeSynReply:
			c.ridWanted = h[4]&flagFin != 0
		case typeRstStream:
			c.ridWanted = true
		}
		if c.ridWanted {
			if c.rskip < len(c.rid) {
				c.ridWanted = false // no id: the library refuses the frame
			} else {
				// The id is read off the payload before the rest is skipped.
				c.rskip -= len(c.rid)
			}
		}
	}
}

// gatherID takes the payload's stream id from b, or as much of it as b
// holds, and returns the rest of b; a complete id finishes its stream.
func (c *frameConn) gatherID(b []byte) []byte {
	k := copy(c.rid[c.ridLen:], b)
	c.ridLen += k
	if c.ridLen == len(c.rid) {
		c.finished(binary.BigEndian.Uint32(c.rid[:]) & streamIDMask)
		c.ridLen, c.ridWanted = 0, false
	}
	return b[k:]
}

// finished notes that the server finished stream id.
func (c *frameConn) finished(id uint32) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	if _, ok := c.open[id]; ok {
		delete(c.open, id)
		c.lastFin = time.Now()
	}
}

// wrote notes the streams a whole frame written by this side opens or
// resets.
func (c *frameConn) wrote(frame []byte) {
	if len(frame) < spdyHeaderLen+4 || frame[0]&0x80 == 0 {
		return
	}
	id := binary.BigEndian.Uint32(frame[spdyHeaderLen:]) & streamIDMask
	switch int(frame[2])<<8 | int(frame[3]) {
	case typeSynStream:
		c.readMu.Lock()
		if c.open == nil {
			c.open = map[uint32]struct{}{}
		}
		c.open[id] = struct{}{}
		c.opened++
		c.readMu.Unlock()
	case typeRstStream:
		c.readMu.Lock()
		delete(c.open, id)
		c.readMu.Unlock()
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
