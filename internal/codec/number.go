package codec

import "strconv"

// number decodes the number at d.pos the way sigs.k8s.io/json does with
// PreserveInts: a literal without '.' that fits an int64 is an int64 (so
// "1e3" is a float64 but "-0" is int64 0), anything else is a float64, and a
// literal beyond float64's range is an error.
func (d *decodeState) number() any {
	data := d.data
	start := d.pos
	i := start
	neg := false
	if data[i] == '-' {
		neg = true
		i++
		if i >= len(data) {
			d.eof()
			return nil
		}
	}
	var u uint64
	simple := true // only digits, few enough to fit without overflow
	switch c := data[i]; {
	case c == '0':
		i++
	case c >= '1' && c <= '9':
		ds := i
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			u = u*10 + uint64(data[i]-'0')
			i++
		}
		if i-ds > 18 {
			simple = false
		}
	default:
		d.badChar(i, "in numeric literal")
		return nil
	}
	hasDot := false
	if i < len(data) && data[i] == '.' {
		hasDot = true
		simple = false
		i++
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			d.badChar(i, "after decimal point in numeric literal")
			return nil
		}
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		simple = false
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			d.badChar(i, "in exponent of numeric literal")
			return nil
		}
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	}
	d.pos = i
	if simple {
		if neg {
			return d.ints.get(-int64(u))
		}
		return d.ints.get(int64(u))
	}
	lit := data[start:i]
	if !hasDot {
		if n, err := strconv.ParseInt(string(lit), 10, 64); err == nil {
			return n
		}
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		if d.soft == nil {
			d.soft = &TypeError{Offset: d.base + int64(start), Value: "number of " + strconv.Itoa(len(lit)) + " characters", Want: "float64"}
		}
		return nil
	}
	return f
}
