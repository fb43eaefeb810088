package unstructured

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"

	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	sigsjson "sigs.k8s.io/json"
)

// typeName names the kind of a JSON-ish value the way errors print it:
// "map", "list", "string", "int64", "float64", "bool", "null", or the Go
// type for anything else.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "map"
	case []any:
		return "list"
	case string:
		return "string"
	case int64:
		return "int64"
	case float64:
		return "float64"
	case bool:
		return "bool"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// scalarText renders a string, number or boolean as its JSON text (strings
// unquoted), for list selectors. ok is false for anything else.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int:
		return strconv.Itoa(x), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	}
	return "", false
}

// asInt64 converts a numeric value to int64 when no information is lost:
// any Go integer in range, or a float64 holding an integral value in range.
func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int16:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint:
		if uint64(x) <= math.MaxInt64 {
			return int64(x), true
		}
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
	case float64:
		// -2^63 is exact in float64; 2^63 is not an int64.
		if x == math.Trunc(x) && x >= -(1<<63) && x < (1<<63) {
			return int64(x), true
		}
	case float32:
		return asInt64(float64(x))
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, true
		}
	}
	return 0, false
}

// asFloat64 converts a numeric value to float64 when no information is
// lost: floats, and integers of magnitude at most 2^53.
func asFloat64(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	if n, ok := asInt64(v); ok {
		const exact = 1 << 53
		if n >= -exact && n <= exact {
			return float64(n), true
		}
	}
	return 0, false
}

// convertTo returns v as a T: by type assertion, or, for numeric T, by a
// lossless numeric conversion, so Get[int] works on the int64 that decoded
// JSON holds.
func convertTo[T any](v any) (T, bool) {
	if t, ok := v.(T); ok {
		return t, true
	}
	var zero T
	var out any
	switch any(zero).(type) {
	case int64:
		n, ok := asInt64(v)
		if !ok {
			return zero, false
		}
		out = n
	case int:
		n, ok := asInt64(v)
		if !ok || n < math.MinInt || n > math.MaxInt {
			return zero, false
		}
		out = int(n)
	case int32:
		n, ok := asInt64(v)
		if !ok || n < math.MinInt32 || n > math.MaxInt32 {
			return zero, false
		}
		out = int32(n)
	case float64:
		f, ok := asFloat64(v)
		if !ok {
			return zero, false
		}
		out = f
	default:
		return zero, false
	}
	return out.(T), true
}

// toJSONValue returns a deep copy of v made only of the types decoded JSON
// holds (map[string]any, []any, string, int64, float64, bool, nil). Values of
// other types go through their JSON encoding. It fails for values with no
// JSON form (channels, functions, NaN) rather than storing something that
// would make apimachinery's DeepCopy panic later.
func toJSONValue(v any) (any, error) {
	return toJSONValueDepth(v, 0)
}

// maxDepth bounds recursion over caller-supplied values, which may be cyclic.
const maxDepth = 10000

func toJSONValueDepth(v any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("value nested deeper than %d levels (a cycle?)", maxDepth)
	}
	switch x := v.(type) {
	case nil, string, bool, int64:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%v has no JSON form", x)
		}
		return x, nil
	case float32:
		return toJSONValueDepth(float64(x), depth)
	case int, int8, int16, int32, uint, uint8, uint16, uint32, uint64:
		n, ok := asInt64(x)
		if !ok {
			return nil, fmt.Errorf("%v does not fit an int64", x)
		}
		return n, nil
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, nil
		}
		f, err := x.Float64()
		if err != nil {
			return nil, fmt.Errorf("invalid json.Number %q", string(x))
		}
		return toJSONValueDepth(f, depth)
	case map[string]any:
		if x == nil {
			return map[string]any(nil), nil
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, err := toJSONValueDepth(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		if x == nil {
			return []any(nil), nil
		}
		out := make([]any, len(x))
		for i, e := range x {
			c, err := toJSONValueDepth(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out, nil
	case map[string]string:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = e
		}
		return out, nil
	case *apiu.Unstructured:
		if x == nil {
			return nil, nil
		}
		return toJSONValueDepth(x.Object, depth)
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("value of type %T has no JSON form: %w", v, err)
	}
	var out any
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(data, &out); err != nil {
		return nil, fmt.Errorf("value of type %T: re-decoding its JSON: %w", v, err)
	}
	return out, nil
}

// copyJSON deep-copies maps and lists and shares everything else. Unlike
// apimachinery's DeepCopyJSONValue it never panics on a foreign type.
func copyJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if x == nil {
			return x
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = copyJSON(e)
		}
		return out
	case []any:
		if x == nil {
			return x
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyJSON(e)
		}
		return out
	}
	return v
}
