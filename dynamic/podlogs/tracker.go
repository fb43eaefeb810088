package podlogs

import (
	"bytes"
	"time"
)

// maxTimestamp bounds the timestamp at the start of a line: RFC 3339 with
// nanoseconds and a zone offset takes 35 bytes.
const maxTimestamp = 64

// tracker follows the lines of a log requested with timestamps as they
// stream past, in chunks cut anywhere, for a stream that may resume. It
// keeps the timestamp of the last line delivered (where a resumed request
// starts again), removes the timestamps the caller did not ask for, and,
// after a resume, drops the lines delivered before the cut. It holds no
// line, only its timestamp, so memory stays bounded whatever the lines'
// length.
type tracker struct {
	strip bool // remove "TIMESTAMP " from the start of each line

	// The line being read.
	inTS      bool // its timestamp is being read; ts holds it so far
	ts        [maxTimestamp]byte
	tsLen     int
	inLine    bool  // its content is being delivered
	dropLine  bool  // it is being dropped, up to its newline
	lineBytes int64 // content bytes of it delivered
	dropBytes int64 // content bytes of it still to drop (the cut line, replayed)

	// The last line delivered.
	last    [maxTimestamp]byte
	lastLen int
	same    int // lines delivered stamped exactly last, that one included

	// broken is set once a line does not start with a timestamp: the
	// server did not stamp the lines, so everything passes through as is
	// and the stream cannot resume.
	broken bool

	// skip is set by resume until the lines replayed are past.
	skip *replay
}

// replay says which lines of a resumed stream were delivered before.
type replay struct {
	at   time.Time // the timestamp of the last line delivered
	same int       // lines stamped exactly at to drop, in log order
	// partial says the line after those was cut mid-way: drop the
	// partialBytes of its content already delivered and deliver the rest.
	partial      bool
	partialBytes int64
}

// process appends to out what the caller gets of in, and returns out.
func (t *tracker) process(out, in []byte) []byte {
	for len(in) > 0 {
		switch {
		case t.broken:
			return append(out, in...)
		case t.dropLine:
			i := bytes.IndexByte(in, '\n')
			if i < 0 {
				return out
			}
			in = in[i+1:]
			t.dropLine = false
		case t.inLine:
			i := bytes.IndexByte(in, '\n')
			chunk := in
			if i >= 0 {
				chunk = in[:i+1]
			}
			in = in[len(chunk):]
			if t.dropBytes > 0 {
				n := int64(len(chunk))
				if i >= 0 {
					n-- // the newline was never delivered: keep it
				}
				n = min(n, t.dropBytes)
				chunk = chunk[n:]
				t.dropBytes -= n
				if i >= 0 {
					t.dropBytes = 0
				}
			}
			out = append(out, chunk...)
			t.lineBytes += int64(len(chunk))
			if i >= 0 {
				t.inLine = false
			}
		default: // a line's timestamp
			if !t.inTS {
				t.inTS, t.tsLen = true, 0
			}
			i := bytes.IndexByte(in, ' ')
			part := in
			if i >= 0 {
				part = in[:i]
			}
			if t.tsLen+len(part) > maxTimestamp || bytes.IndexByte(part, '\n') >= 0 {
				out = t.giveUp(out)
				continue
			}
			t.tsLen += copy(t.ts[t.tsLen:], part)
			if i < 0 {
				return out
			}
			in = in[i+1:]
			t.inTS = false
			out = t.startLine(out)
		}
	}
	return out
}

// giveUp passes on the bytes held as a timestamp and everything after.
func (t *tracker) giveUp(out []byte) []byte {
	t.broken = true
	t.inTS = false
	return append(out, t.ts[:t.tsLen]...)
}

// stamped reports whether ts has the shape of an RFC 3339 timestamp. A
// full parse of every line would cost more than the rest of the work; the
// shape tells a stamped log from an unstamped one.
func stamped(ts []byte) bool {
	return len(ts) >= len("2006-01-02T15:04:05Z") && ts[4] == '-' && ts[7] == '-' && ts[10] == 'T' &&
		ts[13] == ':' && ts[16] == ':' && '0' <= ts[0] && ts[0] <= '9'
}

// startLine handles the start of a line whose timestamp has been read.
func (t *tracker) startLine(out []byte) []byte {
	ts := t.ts[:t.tsLen]
	if !stamped(ts) {
		out = t.giveUp(out)
		return append(out, ' ')
	}
	if t.skip != nil {
		at, err := time.Parse(time.RFC3339Nano, string(ts))
		if err != nil {
			out = t.giveUp(out)
			return append(out, ' ')
		}
		switch {
		case at.Before(t.skip.at):
			t.dropLine = true
			return out
		case at.Equal(t.skip.at) && t.skip.same > 0:
			t.skip.same--
			t.dropLine = true
			return out
		case at.Equal(t.skip.at) && t.skip.partial:
			// The line that was cut: its timestamp and first bytes were
			// delivered already, and it is counted in same.
			t.inLine = true
			t.lineBytes = t.skip.partialBytes
			t.dropBytes = t.skip.partialBytes
			t.skip = nil
			return out
		}
		if t.skip.partial {
			// The cut line did not come back (the log was rotated in
			// between): end it, so the next line does not run into it.
			out = append(out, '\n')
		}
		t.skip = nil
	}
	if !t.strip {
		out = append(out, ts...)
		out = append(out, ' ')
	}
	if bytes.Equal(ts, t.last[:t.lastLen]) {
		t.same++
	} else {
		t.lastLen = copy(t.last[:], ts)
		t.same = 1
	}
	t.inLine = true
	t.lineBytes = 0
	return out
}

// resumeFrom prepares the tracker for a new stream and returns where the
// request for it must start: ok is false when no line has been delivered
// yet, so the original request can be sent again; possible is false when
// the stream cannot resume without repeating or losing lines (the server
// did not stamp them).
func (t *tracker) resumeFrom() (at time.Time, ok, possible bool) {
	if t.broken {
		// Unstamped bytes were passed on: there is nothing to tell the
		// delivered lines by.
		return time.Time{}, false, false
	}
	defer func() { t.inTS, t.inLine, t.dropLine, t.dropBytes = false, false, false, 0 }()
	if t.skip != nil {
		// Cut again before the replay was past: nothing new was
		// delivered, so the same replay applies.
		return t.skip.at, true, true
	}
	if t.lastLen == 0 {
		return time.Time{}, false, true
	}
	at, err := time.Parse(time.RFC3339Nano, string(t.last[:t.lastLen]))
	if err != nil {
		return time.Time{}, false, false
	}
	r := &replay{at: at, same: t.same}
	if t.inLine {
		r.same--
		r.partial, r.partialBytes = true, t.lineBytes
	}
	t.skip = r
	return at, true, true
}
