package unstructured

import (
	"fmt"
	"strconv"
	"strings"
)

// Path is a parsed field path (see the package documentation for the
// syntax). The zero Path names the whole object. A Path is immutable and safe
// to share between goroutines.
type Path struct {
	segs []segment
}

type segmentKind uint8

const (
	segField    segmentKind = iota // a map key
	segIndex                       // a list index, negative from the end
	segSelector                    // the first list item whose key has a value
)

type segment struct {
	kind  segmentKind
	key   string // the map key (segField) or the selector's key
	value string // the selector's value
	index int    // the list index (segIndex)
}

// PathError reports a malformed path string.
type PathError struct {
	// Path is the string that failed to parse.
	Path string
	// Offset is the byte offset in Path where the problem was found.
	Offset int
	// Reason says what is wrong there.
	Reason string
}

// Error describes the problem and where in the path it is.
func (e *PathError) Error() string {
	return fmt.Sprintf("invalid field path %q at offset %d: %s", e.Path, e.Offset, e.Reason)
}

// ParsePath parses a field path. It returns a *PathError when s is not a
// well-formed path; it never panics, whatever s holds.
func ParsePath(s string) (Path, error) {
	p := pathParser{src: s}
	segs, err := p.parse()
	if err != nil {
		return Path{}, err
	}
	return Path{segs: segs}, nil
}

// String renders the path in canonical form: bare keys where possible,
// ["..."] where a key needs quoting. ParsePath(p.String()) gives back an
// equal Path.
func (p Path) String() string {
	return p.prefix(len(p.segs))
}

// Key returns p followed by the map key k: any string, quoted in String
// when it needs to be.
func (p Path) Key(k string) Path { return p.with(segment{kind: segField, key: k}) }

// Index returns p followed by the list index i (negative counts from the
// end).
func (p Path) Index(i int) Path { return p.with(segment{kind: segIndex, index: i}) }

// Select returns p followed by a selector of the first list item whose
// field key has value, as in "containers[name=web]".
func (p Path) Select(key, value string) Path {
	return p.with(segment{kind: segSelector, key: key, value: value})
}

// with returns a new Path: p's segments are shared by every Path built
// from it, so they are copied, never appended to in place.
func (p Path) with(s segment) Path {
	segs := make([]segment, len(p.segs), len(p.segs)+1)
	copy(segs, p.segs)
	return Path{segs: append(segs, s)}
}

// Len returns the number of segments (keys, indexes and selectors) in p.
func (p Path) Len() int { return len(p.segs) }

// Fields returns the path as the []string of map keys that apimachinery's
// Nested* functions take. It returns false when p holds a list index or a
// selector, which those functions cannot express.
func (p Path) Fields() ([]string, bool) {
	out := make([]string, 0, len(p.segs))
	for _, s := range p.segs {
		if s.kind != segField {
			return nil, false
		}
		out = append(out, s.key)
	}
	return out, true
}

// prefix renders the first n segments.
func (p Path) prefix(n int) string {
	var b strings.Builder
	for i, s := range p.segs[:n] {
		switch s.kind {
		case segField:
			if bareKey(s.key) {
				if i > 0 {
					b.WriteByte('.')
				}
				b.WriteString(s.key)
			} else {
				b.WriteByte('[')
				writeQuoted(&b, s.key)
				b.WriteByte(']')
			}
		case segIndex:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
		case segSelector:
			b.WriteByte('[')
			if bareKey(s.key) && !strings.ContainsRune(s.key, '=') {
				b.WriteString(s.key)
			} else {
				writeQuoted(&b, s.key)
			}
			b.WriteByte('=')
			if bareValue(s.value) {
				b.WriteString(s.value)
			} else {
				writeQuoted(&b, s.value)
			}
			b.WriteByte(']')
		}
	}
	return b.String()
}

// bareKey reports whether a key can be written without quotes and parse
// back to itself.
func bareKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		switch k[i] {
		case '.', '[', ']', '\\', '"', '\'', '=':
			return false
		}
	}
	return true
}

// bareValue reports whether a selector value can be written unquoted.
func bareValue(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '[', ']', '\\', '"', '\'':
			return false
		}
	}
	return true
}

func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
}

// pathParser is a hand-written scanner over the path grammar; a regexp could
// not express the escapes, and this keeps error offsets exact.
type pathParser struct {
	src string
	pos int
}

func (p *pathParser) fail(reason string) error {
	return &PathError{Path: p.src, Offset: p.pos, Reason: reason}
}

func (p *pathParser) parse() ([]segment, error) {
	var segs []segment
	if strings.HasPrefix(p.src, ".") {
		p.pos++
		if p.pos == len(p.src) {
			return nil, nil // "." alone names the whole object
		}
	}
	first := true
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '[':
			s, err := p.bracket()
			if err != nil {
				return nil, err
			}
			segs = append(segs, s)
		case c == '.' && !first:
			p.pos++
			if p.pos == len(p.src) {
				return nil, p.fail("path ends with a dot")
			}
			if p.src[p.pos] == '[' || p.src[p.pos] == '.' {
				return nil, p.fail("empty key after a dot")
			}
			key, err := p.bareKey()
			if err != nil {
				return nil, err
			}
			segs = append(segs, segment{kind: segField, key: key})
		case first:
			key, err := p.bareKey()
			if err != nil {
				return nil, err
			}
			segs = append(segs, segment{kind: segField, key: key})
		default:
			return nil, p.fail(fmt.Sprintf("unexpected %q, want '.' or '['", c))
		}
		first = false
	}
	return segs, nil
}

// bareKey reads an unquoted key up to the next '.', '[' or end, honouring
// backslash escapes.
func (p *pathParser) bareKey() (string, error) {
	var b strings.Builder
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case '.', '[':
			if b.Len() == 0 && p.pos == start {
				return "", p.fail("empty key")
			}
			return b.String(), nil
		case ']':
			return "", p.fail("unexpected ']' outside brackets")
		case '\\':
			p.pos++
			if p.pos == len(p.src) {
				return "", p.fail("path ends with a lone backslash")
			}
			b.WriteByte(p.src[p.pos])
			p.pos++
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	if p.pos == start {
		return "", p.fail("empty key")
	}
	return b.String(), nil
}

// bracket reads one [...] segment: an index, a quoted key or a selector.
func (p *pathParser) bracket() (segment, error) {
	open := p.pos
	p.pos++ // '['
	if p.pos == len(p.src) {
		return segment{}, p.fail("unclosed '['")
	}
	c := p.src[p.pos]
	if c == '"' || c == '\'' {
		key, err := p.quoted()
		if err != nil {
			return segment{}, err
		}
		if p.pos < len(p.src) && p.src[p.pos] == '=' {
			return p.selectorValue(key)
		}
		if err := p.expect(']'); err != nil {
			return segment{}, err
		}
		return segment{kind: segField, key: key}, nil
	}
	if c == '-' || (c >= '0' && c <= '9') {
		end := p.pos
		if c == '-' {
			end++
		}
		for end < len(p.src) && p.src[end] >= '0' && p.src[end] <= '9' {
			end++
		}
		if end < len(p.src) && p.src[end] == ']' {
			n, err := strconv.Atoi(p.src[p.pos:end])
			if err != nil {
				return segment{}, p.fail("list index is not a number that fits an int")
			}
			p.pos = end + 1
			return segment{kind: segIndex, index: n}, nil
		}
	}
	// A selector: key=value with a bare key.
	start := p.pos
	for p.pos < len(p.src) && p.src[p.pos] != '=' && p.src[p.pos] != ']' {
		switch p.src[p.pos] {
		case '[', '"', '\'', '\\':
			return segment{}, p.fail(fmt.Sprintf("unexpected %q in a selector key (quote the key)", p.src[p.pos]))
		}
		p.pos++
	}
	if p.pos == len(p.src) {
		p.pos = open
		return segment{}, p.fail("unclosed '['")
	}
	if p.src[p.pos] == ']' {
		if p.pos == start {
			return segment{}, p.fail("empty brackets")
		}
		p.pos = start
		return segment{}, p.fail("want a list index, a quoted key or key=value in brackets")
	}
	if p.pos == start {
		return segment{}, p.fail("empty selector key")
	}
	return p.selectorValue(p.src[start:p.pos])
}

// selectorValue reads "=value]" after a selector key.
func (p *pathParser) selectorValue(key string) (segment, error) {
	p.pos++ // '='
	if p.pos == len(p.src) {
		return segment{}, p.fail("unclosed '['")
	}
	var value string
	if c := p.src[p.pos]; c == '"' || c == '\'' {
		v, err := p.quoted()
		if err != nil {
			return segment{}, err
		}
		value = v
	} else {
		start := p.pos
		for p.pos < len(p.src) && p.src[p.pos] != ']' {
			switch p.src[p.pos] {
			case '[', '"', '\'', '\\':
				return segment{}, p.fail(fmt.Sprintf("unexpected %q in a selector value (quote the value)", p.src[p.pos]))
			}
			p.pos++
		}
		if p.pos == start {
			return segment{}, p.fail("empty selector value (write \"\" to match an empty string)")
		}
		value = p.src[start:p.pos]
	}
	if err := p.expect(']'); err != nil {
		return segment{}, err
	}
	return segment{kind: segSelector, key: key, value: value}, nil
}

// quoted reads a '...' or "..." string with backslash escapes.
func (p *pathParser) quoted() (string, error) {
	quote := p.src[p.pos]
	open := p.pos
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case quote:
			p.pos++
			return b.String(), nil
		case '\\':
			p.pos++
			if p.pos == len(p.src) {
				p.pos = open
				return "", p.fail("unterminated quoted key")
			}
			b.WriteByte(p.src[p.pos])
			p.pos++
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	p.pos = open
	return "", p.fail("unterminated quoted key")
}

func (p *pathParser) expect(c byte) error {
	if p.pos == len(p.src) {
		return p.fail(fmt.Sprintf("missing %q", c))
	}
	if p.src[p.pos] != c {
		return p.fail(fmt.Sprintf("unexpected %q, want %q", p.src[p.pos], c))
	}
	p.pos++
	return nil
}
