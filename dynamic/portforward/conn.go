package portforward

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"k8s.io/streaming/pkg/httpstream"
)

// Bounds of a connection.
const (
	// frameSize caps the data of one SPDY frame: large frames of one
	// connection would hold up every other connection of the tunnel, and
	// frames of this size are written whole (see upgrade's frameConn).
	frameSize = 32 << 10
	// maxPortError bounds what is kept of an error stream.
	maxPortError = 16 << 10
	// errorGrace is how long a Read that met the end of the data waits
	// for the error stream to end too: the kubelet closes both when the
	// connection is over, but the two may arrive in either order.
	errorGrace = 2 * time.Second
)

// Conn is one connection to a port of the pod, through a tunnel. It is a
// net.Conn whose Read and Write may be called concurrently, with
// CloseWrite to half-close it (the pod's side then reads end of file) and
// WriteTo to copy out without an intermediate buffer.
//
// Read returns io.EOF once the pod's side has closed the connection, a
// *PortError when the kubelet reported a failure of this connection, and
// the tunnel's *Error once the tunnel has ended. Deadlines work as they do
// on a TCP connection, except that a Write blocked because the whole
// tunnel is stalled ends with the tunnel, not with its deadline (the write
// deadline is checked before each frame is sent).
type Conn struct {
	t          *Tunnel
	port       int
	data, errs httpstream.Stream

	// in carries the data frames the pump reads; it is closed at the end
	// of the data, with readErr set before.
	in      chan []byte
	readErr error
	pending []byte // the rest of the frame being read; used by readers only
	readMu  sync.Mutex

	// errDone is closed when the error stream has ended; portErr is then
	// set when it carried a message.
	errDone chan struct{}
	portErr *PortError

	readDeadline, writeDeadline deadline
	writeMu                     sync.Mutex // one frame at a time, in order

	closeOnce      sync.Once
	closed         chan struct{}
	closeWriteOnce sync.Once
	closeWriteErr  error
}

var _ net.Conn = (*Conn)(nil)

func newConn(t *Tunnel, port int, data, errs httpstream.Stream) *Conn {
	c := &Conn{
		t: t, port: port, data: data, errs: errs,
		in:      make(chan []byte),
		errDone: make(chan struct{}),
		closed:  make(chan struct{}),
	}
	c.readDeadline.init()
	c.writeDeadline.init()
	if !t.goRun(c.pump) || !t.goRun(c.readErrors) {
		// The tunnel ended meanwhile: the streams are reset with it, so
		// a goroutine that did start ends at once.
		c.Close()
	}
	return c
}

// pump moves data frames from the stream to readers, so that a Read can
// wait for data, a deadline, Close and the tunnel's end at once.
func (c *Conn) pump() {
	defer close(c.in)
	next := readFrames(c.data)
	for {
		b, err := next()
		if len(b) > 0 {
			select {
			case c.in <- b:
			case <-c.closed:
				return
			case <-c.t.ctx.Done():
				c.readErr = c.t.ended()
				return
			}
		}
		if err != nil {
			c.readErr = err
			return
		}
	}
}

// readFrames returns a function reading the stream a frame at a time: the
// SPDY library hands out each frame's own buffer, which saves a copy.
func readFrames(s io.Reader) func() ([]byte, error) {
	if fr, ok := s.(interface{ ReadData() ([]byte, error) }); ok {
		return fr.ReadData
	}
	return func() ([]byte, error) {
		b := make([]byte, frameSize)
		n, err := s.Read(b)
		return b[:n], err
	}
}

// readErrors reads the error stream to its end: empty when the connection
// went well, the kubelet's message otherwise.
func (c *Conn) readErrors() {
	defer close(c.errDone)
	msg, _ := io.ReadAll(io.LimitReader(c.errs, maxPortError))
	if msg = bytes.TrimSpace(msg); len(msg) > 0 {
		c.portErr = &PortError{Port: c.port, Message: string(msg)}
	}
}

// Read reads data the pod's side sent.
func (c *Conn) Read(p []byte) (int, error) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	if len(c.pending) == 0 {
		if err := c.nextFrame(); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

// nextFrame waits for the next frame into c.pending, or says why none
// will come. The caller holds readMu.
func (c *Conn) nextFrame() error {
	select {
	case <-c.closed:
		return net.ErrClosed
	case <-c.readDeadline.wait():
		return os.ErrDeadlineExceeded
	default:
	}
	select {
	case b, ok := <-c.in:
		if !ok {
			return c.endOfData()
		}
		c.pending = b
		return nil
	case <-c.closed:
		return net.ErrClosed
	case <-c.readDeadline.wait():
		return os.ErrDeadlineExceeded
	}
}

// endOfData is what a Read returns once the data has ended: the tunnel's
// error when the tunnel took the data down with it, the kubelet's error
// when it sent one, io.EOF otherwise.
func (c *Conn) endOfData() error {
	if err := c.t.ended(); err != nil {
		return err
	}
	if c.readErr != nil && !errors.Is(c.readErr, io.EOF) {
		return c.readErr
	}
	timer := time.NewTimer(errorGrace)
	defer timer.Stop()
	select {
	case <-c.errDone:
		if c.portErr != nil {
			return c.portErr
		}
	case <-timer.C:
	case <-c.closed:
		return net.ErrClosed
	case <-c.readDeadline.wait():
		return os.ErrDeadlineExceeded
	}
	return io.EOF
}

// WriteTo writes what the pod's side sends to w until the end of the
// data, and returns nil at io.EOF, as io.Copy expects.
func (c *Conn) WriteTo(w io.Writer) (int64, error) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	var total int64
	for {
		if len(c.pending) == 0 {
			if err := c.nextFrame(); err != nil {
				if errors.Is(err, io.EOF) {
					return total, nil
				}
				return total, err
			}
		}
		n, err := w.Write(c.pending)
		total += int64(n)
		c.pending = c.pending[n:]
		if err != nil {
			return total, err
		}
	}
}

// Write sends p to the pod's side, in frames of at most frameSize.
func (c *Conn) Write(p []byte) (int, error) {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	written := 0
	for len(p) > 0 {
		if err := c.writable(); err != nil {
			return written, err
		}
		n := min(len(p), frameSize)
		if _, err := c.data.Write(p[:n]); err != nil {
			return written, c.writeFailed(err)
		}
		written += n
		p = p[n:]
	}
	return written, nil
}

// writable says why nothing more may be written, if so.
func (c *Conn) writable() error {
	select {
	case <-c.closed:
		return net.ErrClosed
	case <-c.writeDeadline.wait():
		return os.ErrDeadlineExceeded
	default:
	}
	if err := c.t.ended(); err != nil {
		return err
	}
	select {
	case <-c.errDone:
		if c.portErr != nil {
			return c.portErr
		}
	default:
	}
	return nil
}

// writeFailed explains a failed write: the tunnel ended, the kubelet gave
// up on the connection, or the stream was closed for writing.
func (c *Conn) writeFailed(err error) error {
	if terr := c.writable(); terr != nil {
		return terr
	}
	return err
}

// CloseWrite half-closes the connection: the pod's side reads end of
// file, and Read goes on until the pod's side closes too.
func (c *Conn) CloseWrite() error {
	c.closeWriteOnce.Do(func() {
		c.writeMu.Lock()
		defer c.writeMu.Unlock()
		c.closeWriteErr = c.data.Close()
	})
	if c.closeWriteErr != nil {
		return c.writeFailed(c.closeWriteErr)
	}
	return nil
}

// Close closes the connection both ways at once (pending reads and writes
// fail with net.ErrClosed); what was written before has been sent. It
// returns nil; later calls do nothing.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		close(c.closed)
		c.t.conn.Remove(c.data, c.errs)
	})
	return nil
}

// LocalAddr returns an address naming the tunnel.
func (c *Conn) LocalAddr() net.Addr { return tunnelAddr("portforward") }

// RemoteAddr returns an address naming the pod and port.
func (c *Conn) RemoteAddr() net.Addr {
	return tunnelAddr(c.t.errBase.Namespace + "/" + c.t.errBase.Pod + ":" + strconv.Itoa(c.port))
}

// SetDeadline sets both deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	c.readDeadline.set(t)
	c.writeDeadline.set(t)
	return nil
}

// SetReadDeadline makes a Read waiting past t fail with
// os.ErrDeadlineExceeded; the zero time means no deadline.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.readDeadline.set(t)
	return nil
}

// SetWriteDeadline makes Writes after t fail with os.ErrDeadlineExceeded;
// the zero time means no deadline.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.writeDeadline.set(t)
	return nil
}

// tunnelAddr is the net.Addr of a connection through a tunnel.
type tunnelAddr string

// Network returns "portforward".
func (a tunnelAddr) Network() string { return "portforward" }

// String returns the address.
func (a tunnelAddr) String() string { return string(a) }
