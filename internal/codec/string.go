package codec

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// plainRun returns the index of the first byte at or after i that ends or
// complicates a string: a quote, a backslash, a control character or a
// non-ASCII byte. Eight bytes are tested at a time; the classic zero-byte
// tricks can flag false positives only above a true one, so the lowest flag
// is exact.
func plainRun(data []byte, i int) int {
	for i+8 <= len(data) {
		x := binary.LittleEndian.Uint64(data[i:])
		q := x ^ (lsb * '"')
		b := x ^ (lsb * '\\')
		m := ((q - lsb) &^ q) | ((b - lsb) &^ b) | ((x - lsb*0x20) &^ x) | x
		if m &= msb; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(data) {
		c := data[i]
		if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			return i
		}
		i++
	}
	return i
}

// str decodes the string whose opening quote is at d.pos and leaves d.pos
// after the closing quote. The result aliases either the input or d.buf, so
// it must be copied before the next call.
func (d *decodeState) str() ([]byte, bool) {
	data := d.data
	start := d.pos + 1
	i := start
	for {
		i = plainRun(data, i)
		if i >= len(data) {
			d.eof()
			return nil, false
		}
		c := data[i]
		if c == '"' {
			d.pos = i + 1
			return data[start:i], true
		}
		if c < 0x20 {
			d.badChar(i, "in string literal")
			return nil, false
		}
		if c >= 0x80 {
			r, size := utf8.DecodeRune(data[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
		}
		// A backslash or a byte that is not UTF-8: the bytes change.
		return d.strSlow(start, i)
	}
}

// strSlow continues str from i, writing the decoded string to d.buf the way
// encoding/json unquotes: escapes resolved, each invalid UTF-8 byte and each
// unpaired surrogate escape replaced by U+FFFD.
func (d *decodeState) strSlow(start, i int) ([]byte, bool) {
	data := d.data
	b := append(d.buf[:0], data[start:i]...)
	for {
		j := plainRun(data, i)
		b = append(b, data[i:j]...)
		i = j
		if i >= len(data) {
			d.buf = b
			d.eof()
			return nil, false
		}
		c := data[i]
		switch {
		case c == '"':
			d.buf = b
			d.pos = i + 1
			return b, true
		case c < 0x20:
			d.buf = b
			d.badChar(i, "in string literal")
			return nil, false
		case c >= 0x80:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, data[i:i+size]...)
			}
			i += size
			continue
		}
		// c == '\\'
		i++
		if i >= len(data) {
			d.buf = b
			d.eof()
			return nil, false
		}
		switch e := data[i]; e {
		case '"', '\\', '/':
			b = append(b, e)
			i++
		case 'b':
			b = append(b, '\b')
			i++
		case 'f':
			b = append(b, '\f')
			i++
		case 'n':
			b = append(b, '\n')
			i++
		case 'r':
			b = append(b, '\r')
			i++
		case 't':
			b = append(b, '\t')
			i++
		case 'u':
			r, ok := d.hex4(i + 1)
			if !ok {
				d.buf = b
				return nil, false
			}
			i += 5
			if utf16.IsSurrogate(r) {
				// Only a following \uXXXX low surrogate completes the
				// pair; anything else leaves it unpaired.
				if i+1 < len(data) && data[i] == '\\' && data[i+1] == 'u' {
					if r2, ok := d.peekHex4(i + 2); ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							b = utf8.AppendRune(b, dec)
							i += 6
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
		default:
			d.buf = b
			d.badChar(i, "in string escape code")
			return nil, false
		}
	}
}

// hex4 reads the four hex digits of a \u escape starting at i.
func (d *decodeState) hex4(i int) (rune, bool) {
	var r rune
	for k := 0; k < 4; k++ {
		if i+k >= len(d.data) {
			d.eof()
			return 0, false
		}
		v := unhex(d.data[i+k])
		if v < 0 {
			d.badChar(i+k, "in \\u hexadecimal character escape")
			return 0, false
		}
		r = r<<4 | v
	}
	return r, true
}

// peekHex4 is hex4 without reporting errors: a bad second escape after a
// high surrogate is reported when the main loop reaches it.
func (d *decodeState) peekHex4(i int) (rune, bool) {
	if i+4 > len(d.data) {
		return 0, false
	}
	var r rune
	for k := 0; k < 4; k++ {
		v := unhex(d.data[i+k])
		if v < 0 {
			return 0, false
		}
		r = r<<4 | v
	}
	return r, true
}

func unhex(c byte) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case c >= 'a' && c <= 'f':
		return rune(c - 'a' + 10)
	case c >= 'A' && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}
