package unstructured

import (
	"bufio"
	"bytes"
)

// jsonSplitter cuts a stream of concatenated JSON values ({...}{...}, one
// per line or not) into single values without parsing them: it tracks only
// strings and bracket depth, so it resynchronises after a value with a
// syntax error inside and holds at most one value (capped) in memory.
type jsonSplitter struct {
	r    *bufio.Reader
	max  int64 // <= 0: no cap
	line int   // 1-based line of the next byte
	err  error // sticky read error or io.EOF
}

func newJSONSplitter(r *bufio.Reader, max int64) *jsonSplitter {
	return &jsonSplitter{r: r, max: max, line: 1}
}

func isJSONSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// next returns the next value, or io.EOF (or the read error) after the last.
func (s *jsonSplitter) next() (rawDoc, error) {
	if s.err != nil {
		return rawDoc{}, s.err
	}
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			s.err = err
			return rawDoc{}, err
		}
		if c == '\n' {
			s.line++
		}
		if !isJSONSpace(c) {
			_ = s.r.UnreadByte()
			break
		}
	}
	doc := rawDoc{line: s.line, contentLine: s.line}
	var buf bytes.Buffer
	add := func(c byte) {
		doc.size++
		if doc.tooLarge {
			return
		}
		if s.max > 0 && doc.size > s.max {
			doc.tooLarge = true
			buf = bytes.Buffer{}
			return
		}
		buf.WriteByte(c)
	}
	var (
		depth   int
		inStr   bool
		escaped bool
		scalar  bool // a bare number, true, false, null or garbage
	)
scan:
	for first := true; ; first = false {
		c, err := s.r.ReadByte()
		if err != nil {
			// A value cut short: hand over what there is and let the
			// parser report it.
			s.err = err
			break scan
		}
		if first {
			switch c {
			case '{', '[', '"':
			default:
				scalar = true
			}
		} else if scalar && (isJSONSpace(c) || c == '{' || c == '[' || c == '"') {
			_ = s.r.UnreadByte()
			break scan
		}
		add(c)
		if c == '\n' {
			s.line++
		}
		if inStr {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inStr = false
			}
			if !inStr && depth == 0 {
				break scan // a top-level string
			}
			continue
		}
		if scalar {
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
		if depth <= 0 && !inStr {
			break scan
		}
	}
	doc.data = buf.Bytes()
	return doc, nil
}

func (s *jsonSplitter) lineNo() int { return s.line }
