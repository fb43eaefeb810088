package codec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// DefaultMaxFrameSize bounds one watch frame unless SetMaxFrameSize says
// otherwise. etcd refuses objects over about 1.5 MiB, so 64 MiB leaves room
// for any real event while keeping a garbage stream from taking the memory.
const DefaultMaxFrameSize = 64 << 20

// The event types a watch stream may carry.
const (
	EventAdded    = "ADDED"
	EventModified = "MODIFIED"
	EventDeleted  = "DELETED"
	EventBookmark = "BOOKMARK"
	EventError    = "ERROR"
)

const initialWatchBuffer = 32 << 10

// WatchDecoder reads a watch response body: a stream of JSON objects
// {"type": ..., "object": {...}}, one after another with or without
// whitespace between them; chunk and line boundaries do not matter. Each
// frame's object is decoded in the same single pass as DecodeObject.
//
// A WatchDecoder is not safe for concurrent use. It never closes the reader.
type WatchDecoder struct {
	r   io.Reader
	max int

	buf        []byte
	start, end int   // buf[start:end] is read but not yet decoded
	off        int64 // stream offset of buf[0]

	// Progress of the search for the current frame's end, so bytes are
	// looked at once however the frame arrives.
	scan    int // next byte of buf to look at
	inFrame bool
	depth   int
	inStr   bool
	esc     bool

	eof bool  // the reader reported io.EOF
	err error // a stream-level error: every later Next returns it
}

// NewWatchDecoder returns a decoder reading frames from r, limited to
// DefaultMaxFrameSize bytes each.
func NewWatchDecoder(r io.Reader) *WatchDecoder {
	return &WatchDecoder{r: r, max: DefaultMaxFrameSize}
}

// SetMaxFrameSize sets the largest frame, in bytes, Next accepts; n <= 0
// restores DefaultMaxFrameSize. Call it before the first Next.
func (w *WatchDecoder) SetMaxFrameSize(n int) {
	if n <= 0 {
		n = DefaultMaxFrameSize
	}
	w.max = n
}

// Next decodes the next frame. It returns the event type (one of the Event
// constants) and the object, which for EventError is the metav1.Status the
// server sent, as an Unstructured for the caller to convert.
//
// At a clean end of stream (only whitespace after the last frame) it returns
// io.EOF. A stream cut inside a frame gives an error wrapping
// io.ErrUnexpectedEOF; a frame over the size limit a *FrameTooLargeError;
// something other than an object where a frame should start a *SyntaxError;
// a read failure the reader's error, wrapped. Those end the stream: every
// later call returns the same error. A complete frame that does not decode (a
// *SyntaxError or *TypeError inside it, an *EventTypeError, ErrMissingObject,
// apimachinery's missing-kind error) is reported once and skipped, and the
// next call reads the frame after it.
func (w *WatchDecoder) Next() (string, *unstructured.Unstructured, error) {
	frame, base, err := w.NextFrame()
	if err != nil {
		return "", nil, err
	}
	return decodeEvent(frame, base)
}

// NextFrame returns the next frame's bytes, from its opening brace to its
// closing one, and its offset in the stream, without decoding it: for
// callers that decode events into something else than Unstructured. The
// bytes are valid until the next call. Only the brackets and strings have
// been matched; the caller checks the rest. Its errors are Next's that end
// the stream (io.EOF at a clean end, io.ErrUnexpectedEOF wrapped,
// *FrameTooLargeError, *SyntaxError, a read failure), and like them are
// returned again by every later call.
func (w *WatchDecoder) NextFrame() ([]byte, int64, error) {
	if w.err != nil {
		return nil, 0, w.err
	}
	for {
		frameEnd, err := w.findFrame()
		if err != nil {
			w.err = err
			return nil, 0, err
		}
		if frameEnd >= 0 {
			if frameEnd-w.start > w.max {
				w.err = &FrameTooLargeError{Offset: w.off + int64(w.start), Limit: w.max}
				return nil, 0, w.err
			}
			frame := w.buf[w.start:frameEnd]
			base := w.off + int64(w.start)
			w.start = frameEnd
			w.inFrame = false
			return frame, base, nil
		}
		if w.eof {
			if w.inFrame {
				w.err = fmt.Errorf("codec: watch stream ended inside the frame starting at offset %d: %w", w.off+int64(w.start), io.ErrUnexpectedEOF)
			} else {
				w.err = io.EOF
			}
			return nil, 0, w.err
		}
		if err := w.fill(); err != nil {
			w.err = err
			return nil, 0, err
		}
	}
}

// fill reads more of the stream into buf, making room first.
func (w *WatchDecoder) fill() error {
	if w.inFrame && w.end-w.start > w.max {
		return &FrameTooLargeError{Offset: w.off + int64(w.start), Limit: w.max}
	}
	if w.buf == nil {
		w.buf = make([]byte, initialWatchBuffer)
	}
	if w.end == len(w.buf) {
		if w.start > 0 {
			n := copy(w.buf, w.buf[w.start:w.end])
			w.off += int64(w.start)
			w.scan -= w.start
			w.end = n
			w.start = 0
		}
		if w.end == len(w.buf) {
			// Grow, but never far past what the limit allows, so a
			// garbage stream costs at most about the limit.
			size := 2 * len(w.buf)
			if limit := w.max + initialWatchBuffer; size > limit {
				size = limit
			}
			if size <= len(w.buf) {
				return &FrameTooLargeError{Offset: w.off + int64(w.start), Limit: w.max}
			}
			nb := make([]byte, size)
			copy(nb, w.buf[:w.end])
			w.buf = nb
		}
	}
	for range 100 {
		p := w.buf[w.end:]
		n, err := w.r.Read(p)
		if n < 0 || n > len(p) {
			return fmt.Errorf("codec: reading watch stream at offset %d: reader returned %d for a %d-byte buffer", w.off+int64(w.end), n, len(p))
		}
		w.end += n
		if err == io.EOF {
			w.eof = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("codec: reading watch stream at offset %d: %w", w.off+int64(w.end), err)
		}
		if n > 0 {
			return nil
		}
	}
	return fmt.Errorf("codec: reading watch stream at offset %d: %w", w.off+int64(w.end), io.ErrNoProgress)
}

// findFrame moves the frame search over the unscanned bytes and returns the
// index just past the current frame's closing brace, or -1 if it has not
// arrived yet. It only matches brackets and strings; the decoder checks the
// rest.
func (w *WatchDecoder) findFrame() (int, error) {
	buf := w.buf[:w.end]
	i := w.scan
	if !w.inFrame {
		i = skipWS(buf, w.start)
		w.start = i
		if i >= len(buf) {
			w.scan = i
			return -1, nil
		}
		if buf[i] != '{' {
			return -1, &SyntaxError{Offset: w.off + int64(i), Msg: "invalid character " + quoteChar(buf[i]) + " looking for beginning of watch event object"}
		}
		w.inFrame = true
		w.depth, w.inStr, w.esc = 0, false, false
	}
	depth, inStr, esc := w.depth, w.inStr, w.esc
	for i < len(buf) {
		if inStr {
			if esc {
				esc = false
				i++
				continue
			}
			i = quoteOrBackslash(buf, i)
			if i >= len(buf) {
				break
			}
			if buf[i] == '\\' {
				esc = true
			} else {
				inStr = false
			}
			i++
			continue
		}
		switch buf[i] {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				w.scan = i + 1
				return i + 1, nil
			}
		}
		i++
	}
	w.scan = i
	w.depth, w.inStr, w.esc = depth, inStr, esc
	return -1, nil
}

// quoteOrBackslash returns the index of the first '"' or '\\' at or after i.
func quoteOrBackslash(data []byte, i int) int {
	for i+8 <= len(data) {
		x := binary.LittleEndian.Uint64(data[i:])
		q := x ^ (lsb * '"')
		b := x ^ (lsb * '\\')
		if m := (((q - lsb) &^ q) | ((b - lsb) &^ b)) & msb; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(data) && data[i] != '"' && data[i] != '\\' {
		i++
	}
	return i
}

// ErrMissingObject is wrapped by Next's error for a frame without an
// "object" (or with only null ones).
var ErrMissingObject = errors.New("watch frame has no object")

// decodeEvent decodes one complete frame. Like metav1.WatchEvent's decoding,
// keys are case-sensitive, unknown keys are ignored, a null "type" or
// "object" leaves the earlier value, and only the last "object" is decoded
// for real.
func decodeEvent(frame []byte, base int64) (string, *unstructured.Unstructured, error) {
	d := getState(frame, base)
	defer putState(d)
	data := frame
	var (
		eventType string
		obj       any
		objAt     = -1
		objSoft   error
	)
	d.depth = 1
	i := skipWS(data, 1)
	if i < len(data) && data[i] == '}' {
		d.pos = i + 1
	} else {
		for {
			if i >= len(data) || data[i] != '"' {
				d.badChar(i, "looking for beginning of object key string")
				break
			}
			d.pos = i
			kb, ok := d.str()
			if !ok {
				break
			}
			i = skipWS(data, d.pos)
			if i >= len(data) || data[i] != ':' {
				d.badChar(i, "after object key")
				break
			}
			i = skipWS(data, i+1)
			d.pos = i
			isNull := i < len(data) && data[i] == 'n'
			switch string(kb) {
			case "type":
				switch {
				case isNull:
					d.literal(i, "null")
				case i < len(data) && data[i] == '"':
					if tb, ok := d.str(); ok {
						eventType = EventTypeString(tb)
					}
				default:
					d.skipValue()
					if d.soft == nil && i < len(data) {
						d.soft = &TypeError{Offset: base + int64(i), Path: "type", Value: KindName(data[i]), Want: "string"}
					}
				}
			case "object":
				if isNull {
					d.literal(i, "null")
					break
				}
				saved := d.soft
				d.soft = nil
				obj = d.value()
				objAt, objSoft = i, d.soft
				d.soft = saved
			default:
				d.skipValue()
			}
			if d.err != nil {
				break
			}
			i = skipWS(data, d.pos)
			if i < len(data) && data[i] == ',' {
				i = skipWS(data, i+1)
				continue
			}
			if i < len(data) && data[i] == '}' {
				d.pos = i + 1
				break
			}
			d.badChar(i, "after object key:value pair")
			break
		}
	}
	if err := d.finish(); err != nil {
		return "", nil, err
	}
	switch eventType {
	case EventAdded, EventModified, EventDeleted, EventBookmark, EventError:
	default:
		return "", nil, &EventTypeError{Offset: base, Type: eventType}
	}
	if objAt < 0 {
		return "", nil, fmt.Errorf("codec: frame at offset %d: %w", base, ErrMissingObject)
	}
	if objSoft != nil {
		return "", nil, objSoft
	}
	m, ok := obj.(map[string]any)
	if !ok {
		return "", nil, &TypeError{Offset: base + int64(objAt), Path: "object", Value: KindName(data[objAt]), Want: "object"}
	}
	u := &unstructured.Unstructured{Object: m}
	if err := checkKind(u, base+int64(objAt)); err != nil {
		return "", nil, err
	}
	return eventType, u, nil
}

// EventTypeString returns b as a string, the constant for a known event
// type, so that decoding one allocates nothing.
func EventTypeString(b []byte) string {
	switch string(b) {
	case EventAdded:
		return EventAdded
	case EventModified:
		return EventModified
	case EventDeleted:
		return EventDeleted
	case EventBookmark:
		return EventBookmark
	case EventError:
		return EventError
	}
	return string(b)
}
