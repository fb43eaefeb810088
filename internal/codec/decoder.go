package codec

import (
	"sync"
)

// maxDepth matches encoding/json's nesting limit (which sigs.k8s.io/json and
// so apimachinery inherit): 10000 open objects or arrays are fine, one more
// is a syntax error. It also keeps the recursive descent off the edge of the
// goroutine stack limit.
const maxDepth = 10000

// member is one decoded key/value pair waiting for its object to close, so
// the map can be made with its final size and never rehash.
type member struct {
	key string
	val any
}

// decodeState is a recursive-descent JSON decoder specialised for the
// map[string]any / []any / string / int64 / float64 / bool / nil tree that
// sigs.k8s.io/json builds with its case-sensitive, int-preserving options.
// It is used by one goroutine at a time and pooled with its caches.
type decodeState struct {
	data  []byte
	pos   int
	base  int64 // offset of data[0] in the caller's input, for error offsets
	depth int

	// err is the first syntax error; once set, every function unwinds.
	err error
	// soft is the first number that no float64 holds. Like encoding/json's
	// saved errors it does not stop the decode: the value becomes nil and
	// the error is returned at the end.
	soft error
	// itemsErr is the first list element that is not an object; it only
	// counts if no later "items" key replaces the array it was in.
	itemsErr error

	members []member // open objects' pairs, innermost last
	elems   []any    // open arrays' elements, innermost last
	buf     []byte   // unescaped string bytes

	keys   keyCache
	values valueCache
	ints   intCache
}

var statePool = sync.Pool{New: func() any { return new(decodeState) }}

func getState(data []byte, base int64) *decodeState {
	d := statePool.Get().(*decodeState)
	d.data = data
	d.pos = 0
	d.base = base
	d.depth = 0
	d.err = nil
	d.soft = nil
	d.itemsErr = nil
	return d
}

// scratchLimit keeps one enormous document from pinning its scratch space in
// the pool for the life of the process.
const scratchLimit = 1 << 16

func putState(d *decodeState) {
	d.data = nil
	clear(d.members[:cap(d.members)])
	clear(d.elems[:cap(d.elems)])
	d.members = d.members[:0]
	d.elems = d.elems[:0]
	if cap(d.members) > scratchLimit {
		d.members = nil
	}
	if cap(d.elems) > scratchLimit {
		d.elems = nil
	}
	if cap(d.buf) > scratchLimit {
		d.buf = nil
	}
	statePool.Put(d)
}

func (d *decodeState) syntax(i int, msg string) {
	if d.err == nil {
		d.err = &SyntaxError{Offset: d.base + int64(i), Msg: msg}
	}
}

func (d *decodeState) eof() {
	d.syntax(len(d.data), "unexpected end of JSON input")
}

// badChar reports the byte at i, or the end of input when i is past it.
func (d *decodeState) badChar(i int, context string) {
	if i >= len(d.data) {
		d.eof()
		return
	}
	d.syntax(i, "invalid character "+quoteChar(d.data[i])+" "+context)
}

func skipWS(data []byte, i int) int {
	for i < len(data) {
		c := data[i]
		if c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			return i
		}
		i++
	}
	return i
}

// value decodes the value starting at d.pos (no leading whitespace).
func (d *decodeState) value() any {
	data := d.data
	i := d.pos
	if i >= len(data) {
		d.eof()
		return nil
	}
	switch c := data[i]; c {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		s, ok := d.str()
		if !ok {
			return nil
		}
		return d.values.get(s)
	case 't':
		if d.literal(i, "true") {
			return true
		}
		return nil
	case 'f':
		if d.literal(i, "false") {
			return false
		}
		return nil
	case 'n':
		d.literal(i, "null")
		return nil
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return d.number()
		}
		d.badChar(i, "looking for beginning of value")
		return nil
	}
}

// literal consumes lit at i, whose first byte is already known to match.
func (d *decodeState) literal(i int, lit string) bool {
	data := d.data
	for k := 1; k < len(lit); k++ {
		if i+k >= len(data) {
			d.eof()
			return false
		}
		if data[i+k] != lit[k] {
			d.badChar(i+k, "in literal "+lit+" (expecting "+quoteChar(lit[k])+")")
			return false
		}
	}
	d.pos = i + len(lit)
	return true
}

// object decodes the object whose '{' is at d.pos.
func (d *decodeState) object() map[string]any {
	base := len(d.members)
	if !d.readMembers() {
		return nil
	}
	ms := d.members[base:]
	m := make(map[string]any, len(ms))
	for _, e := range ms {
		m[e.key] = e.val
	}
	d.members = d.members[:base]
	return m
}

// readMembers decodes the object whose '{' is at d.pos, appending its pairs to
// d.members in input order (so a repeated key's last value wins when they are
// put in a map, as with encoding/json).
func (d *decodeState) readMembers() bool {
	d.depth++
	if d.depth > maxDepth {
		d.syntax(d.pos, "exceeded max depth")
		return false
	}
	data := d.data
	i := skipWS(data, d.pos+1)
	if i < len(data) && data[i] == '}' {
		d.pos = i + 1
		d.depth--
		return true
	}
	for {
		if i >= len(data) || data[i] != '"' {
			d.badChar(i, "looking for beginning of object key string")
			return false
		}
		d.pos = i
		kb, ok := d.str()
		if !ok {
			return false
		}
		key := d.keys.get(kb)
		i = skipWS(data, d.pos)
		if i >= len(data) || data[i] != ':' {
			d.badChar(i, "after object key")
			return false
		}
		d.pos = skipWS(data, i+1)
		v := d.value()
		if d.err != nil {
			return false
		}
		d.members = append(d.members, member{key, v})
		i = skipWS(data, d.pos)
		if i < len(data) {
			if c := data[i]; c == ',' {
				i = skipWS(data, i+1)
				continue
			} else if c == '}' {
				d.pos = i + 1
				d.depth--
				return true
			}
		}
		d.badChar(i, "after object key:value pair")
		return false
	}
}

// array decodes the array whose '[' is at d.pos.
func (d *decodeState) array() any {
	d.depth++
	if d.depth > maxDepth {
		d.syntax(d.pos, "exceeded max depth")
		return nil
	}
	data := d.data
	i := skipWS(data, d.pos+1)
	if i < len(data) && data[i] == ']' {
		d.pos = i + 1
		d.depth--
		return []any{}
	}
	base := len(d.elems)
	for {
		d.pos = i
		v := d.value()
		if d.err != nil {
			return nil
		}
		d.elems = append(d.elems, v)
		i = skipWS(data, d.pos)
		if i < len(data) {
			if c := data[i]; c == ',' {
				i = skipWS(data, i+1)
				continue
			} else if c == ']' {
				break
			}
		}
		d.badChar(i, "after array element")
		return nil
	}
	d.pos = i + 1
	d.depth--
	s := make([]any, len(d.elems)-base)
	copy(s, d.elems[base:])
	d.elems = d.elems[:base]
	return s
}

// skipValue checks the syntax of the value at d.pos without building it,
// for watch-frame fields nobody reads. Numbers are not converted, so a number
// too large for a float64 is no error there, as with encoding/json skipping
// an unknown struct field.
func (d *decodeState) skipValue() {
	soft := d.soft
	_ = d.value()
	d.soft = soft
}
