// Package jsonscan is a small single-pass JSON scanner for hand-written
// decoders of fixed document shapes (the aggregated discovery document, the
// discovery cache's snapshot), where reflective decoding spends most of its
// time growing slices and allocating strings that repeat.
//
// A Scanner only takes the inputs it is sure to decode exactly as
// encoding/json would: strings with invalid UTF-8, which encoding/json
// rewrites, and anything malformed make its methods return false. Callers then decode the whole document again with encoding/json
// (or sigs.k8s.io/json), so that results and errors never depend on which
// path ran. Every method returns false when the scanner gives up; after
// that the scanner's position is meaningless.
//
// Strings up to 64 bytes are interned for the life of one document, and
// string lists written identically share one slice: what a decoder builds
// from a Scanner must be treated as read-only.
package jsonscan

import (
	"encoding/binary"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds nesting inside skipped values; deeper documents go to the
// reflective decoder, which has its own limit.
const maxDepth = 1000

// internMax is the longest string interned; longer ones rarely repeat.
const internMax = 64

// scratchMax is the largest scratch space kept between documents.
const scratchMax = 1 << 12

// Scanner reads one JSON document. The zero value is ready to Reset; a
// Scanner is for one goroutine at a time and is meant to be pooled.
type Scanner struct {
	data  []byte
	pos   int
	depth int

	strs    map[string]string   // interned strings
	lists   map[string][]string // string lists by their raw JSON
	strings []string            // elements of open string lists
	buf     []byte              // a string with its escapes undone
}

// Reset starts scanning data.
func (s *Scanner) Reset(data []byte) {
	s.data = data
	s.pos = 0
	s.depth = 0
	if s.strs == nil {
		s.strs = make(map[string]string, 256)
		s.lists = make(map[string][]string, 64)
	}
}

// Release forgets the document and what was interned from it, so that a
// pooled Scanner keeps no result alive.
func (s *Scanner) Release() {
	s.data = nil
	clear(s.strs)
	clear(s.lists)
	s.strings = ClearScratch(s.strings)
	if cap(s.buf) > scratchMax {
		s.buf = nil
	}
}

// ClearScratch empties a decoder's scratch slice for reuse, dropping the
// references it holds so that a pooled decoder keeps no result alive, and
// drops it altogether when one large document grew it.
func ClearScratch[T any](s []T) []T {
	if cap(s) > scratchMax {
		return nil
	}
	clear(s[:cap(s)])
	return s[:0]
}

// Begin reports whether the document starts (after white space) with c,
// without consuming it.
func (s *Scanner) Begin(c byte) bool {
	s.ws()
	return s.pos < len(s.data) && s.data[s.pos] == c
}

// End reports whether only white space is left.
func (s *Scanner) End() bool {
	s.ws()
	return s.pos == len(s.data)
}

// Bool decodes a boolean; null leaves dst unchanged, as encoding/json does.
func (s *Scanner) Bool(dst *bool) bool {
	switch {
	case s.Null():
		return true
	case s.literal("true"):
		*dst = true
		return true
	case s.literal("false"):
		*dst = false
		return true
	}
	return false
}

// StringList decodes an array of strings (null elements are ""); null
// makes dst nil, [] an empty slice. Lists written identically in one
// document share one slice.
func (s *Scanner) StringList(dst *[]string) bool {
	if s.Null() {
		*dst = nil
		return true
	}
	start := s.pos
	base := len(s.strings)
	ok := s.Array(func() bool {
		s.strings = append(s.strings, "")
		return s.String(&s.strings[len(s.strings)-1])
	})
	if ok {
		raw := s.data[start:s.pos]
		if l, hit := s.lists[string(raw)]; hit {
			*dst = l
		} else {
			l := append(make([]string, 0, len(s.strings)-base), s.strings[base:]...)
			s.lists[string(raw)] = l
			*dst = l
		}
	}
	s.strings = s.strings[:base]
	return ok
}

// Object decodes an object, calling field for each key with the position
// on the value; field must consume the value.
func (s *Scanner) Object(field func(key []byte) bool) bool {
	return s.members(false, field)
}

// members reads an object's members, calling field with each key (nil
// when skipKeys is set: the keys are then only stepped over) and the
// position on its value, which field must consume.
func (s *Scanner) members(skipKeys bool, field func(key []byte) bool) bool {
	s.ws()
	if s.pos >= len(s.data) || s.data[s.pos] != '{' {
		return false
	}
	s.pos++
	s.ws()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return true
	}
	for {
		s.ws()
		var key []byte
		if skipKeys {
			if s.pos >= len(s.data) || s.data[s.pos] != '"' || !s.skipString() {
				return false
			}
		} else {
			var ok bool
			if key, ok = s.rawString(); !ok {
				return false
			}
		}
		s.ws()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return false
		}
		s.pos++
		s.ws()
		if !field(key) {
			return false
		}
		s.ws()
		if s.pos >= len(s.data) {
			return false
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return true
		default:
			return false
		}
	}
}

// Array decodes an array, calling elem with the position on each element;
// elem must consume it.
func (s *Scanner) Array(elem func() bool) bool {
	s.ws()
	if s.pos >= len(s.data) || s.data[s.pos] != '[' {
		return false
	}
	s.pos++
	s.ws()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return true
	}
	for {
		s.ws()
		if !elem() {
			return false
		}
		s.ws()
		if s.pos >= len(s.data) {
			return false
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return true
		default:
			return false
		}
	}
}

func (s *Scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// Null consumes a null literal if one is next.
func (s *Scanner) Null() bool {
	if len(s.data)-s.pos >= 4 && string(s.data[s.pos:s.pos+4]) == "null" {
		s.pos += 4
		return true
	}
	return false
}

// String decodes a string; null leaves dst unchanged, as encoding/json
// does.
func (s *Scanner) String(dst *string) bool {
	if s.Null() {
		return true
	}
	b, ok := s.rawString()
	if !ok {
		return false
	}
	if len(b) > internMax {
		*dst = string(b)
		return true
	}
	if v, hit := s.strs[string(b)]; hit {
		*dst = v
		return true
	}
	v := string(b)
	s.strs[v] = v
	*dst = v
	return true
}

// Intern returns b as a string; short strings are shared with the equal
// strings of the document, as String's are. It is for object keys that
// repeat across a document (label keys), which Object hands over as bytes.
func (s *Scanner) Intern(b []byte) string {
	if len(b) > internMax {
		return string(b)
	}
	if v, hit := s.strs[string(b)]; hit {
		return v
	}
	v := string(b)
	s.strs[v] = v
	return v
}

// StringNoIntern decodes a string like String but never interns it, for
// values that are unique in a document (names, uids), where interning only
// costs a map entry; null leaves dst unchanged.
func (s *Scanner) StringNoIntern(dst *string) bool {
	if s.Null() {
		return true
	}
	b, ok := s.rawString()
	if !ok {
		return false
	}
	*dst = string(b)
	return true
}

// StringBytes decodes a string and returns its content, which aliases the
// document or scratch space that the next call reuses: for values parsed
// on the spot (timestamps) rather than kept. It gives up on null.
func (s *Scanner) StringBytes() ([]byte, bool) {
	return s.rawString()
}

// Offset returns the position in the document, for decoders that size
// their results from the bytes read so far.
func (s *Scanner) Offset() int { return s.pos }

// Len returns the document's length.
func (s *Scanner) Len() int { return len(s.data) }

// rawString returns a string's content without the quotes: the input's
// bytes, or s.buf's when escapes had to be undone. Invalid UTF-8, which
// encoding/json replaces, makes it give up.
func (s *Scanner) rawString() ([]byte, bool) {
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return nil, false
	}
	start := s.pos + 1
	ascii := true
	for i := start; i < len(s.data); i++ {
		// Eight bytes at a time past the plain ones: long annotations
		// (last-applied-configuration) are most of some bodies.
		for i+8 <= len(s.data) && plain8(binary.LittleEndian.Uint64(s.data[i:])) {
			i += 8
		}
		if i >= len(s.data) {
			break
		}
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			b := s.data[start:i]
			if !ascii && !utf8.Valid(b) {
				return nil, false
			}
			return b, true
		case c == '\\':
			return s.unescape(start, i)
		case c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// plain8 reports whether none of the eight bytes of x, read from a
// string's content, needs a look: no quote, backslash, control character
// or byte of a multi-byte character.
func plain8(x uint64) bool {
	q := x ^ (lsb * '"')
	b := x ^ (lsb * '\\')
	// A byte is zero in q or b, or below 0x20 in x, exactly when the
	// subtraction borrows into its top bit while its own top bit is
	// clear; bytes with the top bit set are caught by x&msb.
	special := ((q - lsb) &^ q) | ((b - lsb) &^ b) | ((x - lsb*0x20) &^ x) | x
	return special&msb == 0
}

// skippable8 is plain8 for a string whose content is not needed: bytes of
// multi-byte characters need no look there.
func skippable8(x uint64) bool {
	q := x ^ (lsb * '"')
	b := x ^ (lsb * '\\')
	special := ((q - lsb) &^ q) | ((b - lsb) &^ b) | ((x - lsb*0x20) &^ x)
	return special&msb == 0
}

// unescape continues rawString from the first backslash at i, undoing
// escapes the way encoding/json does: a \u escape of half a surrogate pair
// that is not followed by the other half becomes U+FFFD.
func (s *Scanner) unescape(start, i int) ([]byte, bool) {
	b := append(s.buf[:0], s.data[start:i]...)
	if !utf8.Valid(b) {
		return nil, false
	}
	for i < len(s.data) {
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			s.buf = b
			return b, true
		case c < 0x20:
			return nil, false
		case c == '\\':
			if i+1 >= len(s.data) {
				return nil, false
			}
			switch e := s.data[i+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
				i += 2
			case 'b':
				b = append(b, '\b')
				i += 2
			case 'f':
				b = append(b, '\f')
				i += 2
			case 'n':
				b = append(b, '\n')
				i += 2
			case 'r':
				b = append(b, '\r')
				i += 2
			case 't':
				b = append(b, '\t')
				i += 2
			case 'u':
				r := hex4(s.data[i+2:])
				if r < 0 {
					return nil, false
				}
				i += 6
				if utf16.IsSurrogate(r) {
					if i+1 < len(s.data) && s.data[i] == '\\' && s.data[i+1] == 'u' {
						if dec := utf16.DecodeRune(r, hex4(s.data[i+2:])); dec != utf8.RuneError {
							b = utf8.AppendRune(b, dec)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				b = utf8.AppendRune(b, r)
			default:
				return nil, false
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, n := utf8.DecodeRune(s.data[i:])
			if r == utf8.RuneError && n == 1 {
				return nil, false
			}
			b = append(b, s.data[i:i+n]...)
			i += n
		}
	}
	return nil, false
}

// hex4 decodes the four hex digits at the start of b, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// Skip consumes any valid JSON value.
func (s *Scanner) Skip() bool {
	s.ws()
	if s.pos >= len(s.data) {
		return false
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		if s.depth++; s.depth > maxDepth {
			return false
		}
		// The keys are stepped over like skipped strings, without
		// the checks and unescaping of a key handed to a decoder:
		// most of what a metadata decoder skips is fieldsV1's keys.
		ok := s.members(true, func([]byte) bool { return s.Skip() })
		s.depth--
		return ok
	case c == '[':
		if s.depth++; s.depth > maxDepth {
			return false
		}
		ok := s.Array(s.Skip)
		s.depth--
		return ok
	case c == '"':
		return s.skipString()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	}
	return false
}

func (s *Scanner) literal(lit string) bool {
	if len(s.data)-s.pos >= len(lit) && string(s.data[s.pos:s.pos+len(lit)]) == lit {
		s.pos += len(lit)
		return true
	}
	return false
}

// skipString consumes a string with valid escapes; its content is not
// needed, so invalid UTF-8 (which encoding/json accepts) is fine.
func (s *Scanner) skipString() bool {
	i := s.pos + 1
	for i < len(s.data) {
		for i+8 <= len(s.data) && skippable8(binary.LittleEndian.Uint64(s.data[i:])) {
			i += 8
		}
		if i >= len(s.data) {
			break
		}
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if i+1 >= len(s.data) {
				return false
			}
			switch s.data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s.data) {
					return false
				}
				for _, h := range s.data[i+2 : i+6] {
					if !isHex(h) {
						return false
					}
				}
				i += 6
			default:
				return false
			}
		default:
			i++
		}
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number consumes a number in JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *Scanner) number() bool {
	i := s.pos
	n := len(s.data)
	if i < n && s.data[i] == '-' {
		i++
	}
	switch {
	case i < n && s.data[i] == '0':
		i++
	case i < n && s.data[i] >= '1' && s.data[i] <= '9':
		for i < n && isDigit(s.data[i]) {
			i++
		}
	default:
		return false
	}
	if i < n && s.data[i] == '.' {
		i++
		if i >= n || !isDigit(s.data[i]) {
			return false
		}
		for i < n && isDigit(s.data[i]) {
			i++
		}
	}
	if i < n && (s.data[i] == 'e' || s.data[i] == 'E') {
		i++
		if i < n && (s.data[i] == '+' || s.data[i] == '-') {
			i++
		}
		if i >= n || !isDigit(s.data[i]) {
			return false
		}
		for i < n && isDigit(s.data[i]) {
			i++
		}
	}
	s.pos = i
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Int64 decodes an integer that an int64 holds; null leaves dst unchanged,
// as encoding/json does. A fraction, an exponent or an overflow, which
// encoding/json reports as errors, make it give up.
func (s *Scanner) Int64(dst *int64) bool {
	if s.Null() {
		return true
	}
	start := s.pos
	if !s.number() {
		return false
	}
	b := s.data[start:s.pos]
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	// 18 digits always fit; longer numbers are rare enough to give up on.
	if len(b) == 0 || len(b) > 18 {
		return false
	}
	var n int64
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	*dst = n
	return true
}

// Raw consumes any valid JSON value and returns its bytes as they are in
// the document (what encoding/json hands an Unmarshaler). They alias the
// document: copy them to keep them.
func (s *Scanner) Raw() ([]byte, bool) {
	s.ws()
	start := s.pos
	if !s.Skip() {
		return nil, false
	}
	return s.data[start:s.pos], true
}
