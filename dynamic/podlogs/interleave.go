package podlogs

import (
	"bytes"
	"io"
)

// lineBufferSize is the buffer each stream of a merge reads into; it is
// also the longest line written whole.
const lineBufferSize = 64 << 10

// copyLines copies r into the merged stream, whole lines at a time, each
// after prefix. Every write holds the merger's write lock, so lines of
// different streams never mix; the pipe blocks the write until the reader
// takes it, so nothing piles up.
func (m *merger) copyLines(r io.Reader, prefix []byte) error {
	buf := make([]byte, lineBufferSize)
	var out []byte
	if len(prefix) > 0 {
		out = make([]byte, 0, lineBufferSize+lineBufferSize/4)
	}
	start, end := 0, 0
	for {
		n, err := r.Read(buf[end:])
		end += n
		if i := bytes.LastIndexByte(buf[start:end], '\n'); i >= 0 {
			if werr := m.writeLines(prefix, buf[start:start+i+1], &out, false); werr != nil {
				return werr
			}
			start += i + 1
		}
		switch {
		case err != nil:
			if start < end {
				// A last line without its newline gets one, so that the
				// next stream's line starts on a line of its own.
				if werr := m.writeLines(prefix, buf[start:end], &out, true); werr != nil {
					return werr
				}
			}
			if err == io.EOF {
				return nil
			}
			return err
		case start == end:
			start, end = 0, 0
		case end == len(buf) && start == 0:
			// A line longer than the buffer: write what there is as a
			// line of its own.
			if werr := m.writeLines(prefix, buf[:end], &out, true); werr != nil {
				return werr
			}
			start, end = 0, 0
		case end == len(buf):
			end = copy(buf, buf[start:end])
			start = 0
		}
	}
}

// writeLines writes lines (whole lines, or one piece of a line when
// unterminated is set, which then gets a newline) to the merged stream,
// each after prefix, using *out to build the prefixed text.
func (m *merger) writeLines(prefix, lines []byte, out *[]byte, unterminated bool) error {
	if len(prefix) == 0 {
		m.wmu.Lock()
		defer m.wmu.Unlock()
		if _, err := m.pw.Write(lines); err != nil {
			return err
		}
		if unterminated {
			_, err := m.pw.Write([]byte{'\n'})
			return err
		}
		return nil
	}
	b := (*out)[:0]
	flush := func() error {
		m.wmu.Lock()
		defer m.wmu.Unlock()
		_, err := m.pw.Write(b)
		b = b[:0]
		return err
	}
	for len(lines) > 0 {
		i := bytes.IndexByte(lines, '\n')
		line := lines
		if i >= 0 {
			line = lines[:i+1]
		}
		lines = lines[len(line):]
		b = append(b, prefix...)
		b = append(b, line...)
		if i < 0 {
			b = append(b, '\n')
		}
		// Flush before the buffer grows past what was allocated, so a
		// stream never holds more than about two buffers.
		if len(b) >= lineBufferSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(b) > 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	*out = b
	return nil
}
