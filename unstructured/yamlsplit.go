package unstructured

import (
	"bufio"
	"bytes"
	"errors"
)

// rawDoc is one document cut from a stream, before parsing.
type rawDoc struct {
	data []byte
	// line is the 1-based line of the document's first byte in the stream.
	line int
	// contentLine is the first line holding something other than blanks,
	// comments, directives and the "---" marker; 0 when there is none.
	contentLine int
	// tooLarge is set when the document passed the size cap; data is then
	// empty, the rest having been read and dropped.
	tooLarge bool
	// size is the document's size in bytes, counted even when dropped.
	size int64
}

// yamlSplitter cuts a YAML stream into documents at "---" and "..." marker
// lines, holding at most one document (capped) in memory.
//
// A marker is "---" or "..." at the start of a line, followed by the end of
// the line, a space or a tab. YAML forbids such lines inside content, block
// scalars included, so cutting there never splits a document.
type yamlSplitter struct {
	r   *bufio.Reader
	max int64 // <= 0: no cap
	// line counts the lines started so far.
	line int
	// pending holds a "---" line that ended the previous document and
	// starts the next one.
	pending     []byte
	pendingLine int
	// pendingContent is set when the pending marker line has content after
	// the marker ("--- {a: 1}", "--- !tag").
	pendingContent bool
	err            error // sticky read error or io.EOF
}

func newYAMLSplitter(r *bufio.Reader, max int64) *yamlSplitter {
	return &yamlSplitter{r: r, max: max}
}

// lineKind classifies a line by its first bytes.
type lineKind uint8

const (
	lineBlank     lineKind = iota // only spaces and tabs so far
	lineComment                   // blanks, then a comment
	lineContent                   // holds YAML content
	lineDocStart                  // a "---" marker
	lineDocEnd                    // a "..." marker
	lineDirective                 // "%YAML", "%TAG"
)

func isMarker(line []byte, marker string) bool {
	if !bytes.HasPrefix(line, []byte(marker)) {
		return false
	}
	if len(line) == 3 {
		return true
	}
	switch line[3] {
	case ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

// firstNonSpace returns the first byte of b that is not a space, tab or line
// end, or 0 if there is none.
func firstNonSpace(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		default:
			return c
		}
	}
	return 0
}

// contentAfter reports whether b holds something other than blanks and a
// comment. It is used on whole lines and on what follows a "---" marker.
func contentAfter(b []byte) bool {
	c := firstNonSpace(b)
	return c != 0 && c != '#'
}

// next returns the next document, or io.EOF (or the read error) after the
// last one. Documents
// holding only blanks and comments are returned too (with contentLine 0);
// the caller skips them.
func (s *yamlSplitter) next() (rawDoc, error) {
	if s.err != nil && s.pending == nil {
		return rawDoc{}, s.err
	}
	var (
		doc        rawDoc
		buf        bytes.Buffer
		started    bool // the document holds at least one line
		inLine     bool // the last fragment did not end its line
		blankSoFar bool // the current line is blank so far
	)
	add := func(b []byte) {
		doc.size += int64(len(b))
		if doc.tooLarge {
			return
		}
		if s.max > 0 && doc.size > s.max {
			doc.tooLarge = true
			buf = bytes.Buffer{}
			return
		}
		buf.Write(b)
	}
	if s.pending != nil {
		doc.line = s.pendingLine
		if s.pendingContent {
			doc.contentLine = s.pendingLine
		}
		add(s.pending)
		s.pending = nil
		started = true
	}
	for s.err == nil {
		frag, err := s.r.ReadSlice('\n')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			s.err = err
		}
		if len(frag) == 0 {
			continue
		}
		if !inLine {
			// A new line starts here.
			s.line++
			kind := classify(frag)
			switch kind {
			case lineDocStart:
				if started {
					// This marker ends the current document and
					// starts the next one.
					s.pending = append([]byte(nil), frag...)
					s.pendingLine = s.line
					s.pendingContent = contentAfter(frag[3:])
					// The marker line may continue past the buffer; keep
					// the rest with it.
					if frag[len(frag)-1] != '\n' && s.err == nil {
						if err := s.readRestOfLine(); err != nil {
							s.err = err
						}
					}
					doc.data = buf.Bytes()
					return doc, nil
				}
				doc.line = s.line
				if contentAfter(frag[3:]) {
					doc.contentLine = s.line
				}
			case lineDocEnd:
				if !started {
					doc.line = s.line
				}
				started = true
				add(frag)
				if frag[len(frag)-1] != '\n' && s.err == nil {
					// Drop the rest of an overlong "..." line: it can
					// only be a comment.
					if err := s.skipRestOfLine(); err != nil {
						s.err = err
					}
				}
				doc.data = buf.Bytes()
				return doc, nil
			case lineContent:
				if doc.contentLine == 0 {
					doc.contentLine = s.line
				}
			}
			if !started {
				doc.line = s.line
				started = true
			}
			blankSoFar = kind == lineBlank
		} else if blankSoFar {
			// A line of blanks longer than the buffer goes on.
			switch firstNonSpace(frag) {
			case 0:
			case '#':
				blankSoFar = false
			default:
				if doc.contentLine == 0 {
					doc.contentLine = s.line
				}
				blankSoFar = false
			}
		}
		add(frag)
		inLine = frag[len(frag)-1] != '\n'
	}
	if !started {
		return rawDoc{}, s.err
	}
	doc.data = buf.Bytes()
	return doc, nil
}

// classify looks at the start of a line.
func classify(frag []byte) lineKind {
	switch {
	case isMarker(frag, "---"):
		return lineDocStart
	case isMarker(frag, "..."):
		return lineDocEnd
	case len(frag) > 0 && frag[0] == '%':
		return lineDirective
	}
	switch firstNonSpace(frag) {
	case 0:
		return lineBlank
	case '#':
		return lineComment
	}
	return lineContent
}

// readRestOfLine appends the rest of an overlong pending marker line.
func (s *yamlSplitter) readRestOfLine() error {
	blank := firstNonSpace(s.pending[3:]) == 0
	for {
		frag, err := s.r.ReadSlice('\n')
		if s.max <= 0 || int64(len(s.pending)) <= s.max {
			s.pending = append(s.pending, frag...)
		}
		if blank {
			switch firstNonSpace(frag) {
			case 0:
			case '#':
				blank = false
			default:
				s.pendingContent = true
				blank = false
			}
		}
		if err == nil {
			return nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

func (s *yamlSplitter) skipRestOfLine() error {
	for {
		_, err := s.r.ReadSlice('\n')
		if err == nil {
			return nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

func (s *yamlSplitter) lineNo() int { return s.line }
