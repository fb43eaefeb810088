// Package jsonpatch applies RFC 7386 JSON merge patches and RFC 6902 JSON
// patches to decoded JSON values (map[string]any, []any and scalars), with
// the API server's error classes. The fakes of the dynamic and scale clients
// use it to behave like the server without a round trip through bytes.
package jsonpatch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	sigsjson "sigs.k8s.io/json"
)

// Merge applies an RFC 7386 JSON merge patch to target and returns the
// result; target is modified in place when it is an object. Values taken
// from patch are copied, so the result never shares memory with patch.
func Merge(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return runtime.DeepCopyJSONValue(patch)
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = make(map[string]any, len(pm))
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = Merge(tm[k], v)
	}
	return tm
}

// OpError is a JSON patch that decodes but cannot be applied to the
// document: an unknown or incomplete operation, a path that does not exist,
// a failed test. The API server answers such patches with 422, where a patch
// that is not a JSON array of objects gets 400.
type OpError struct {
	// Op is the index of the failing operation in the patch.
	Op  int
	Msg string
}

// Error names the failing operation and why it failed.
func (e *OpError) Error() string {
	return fmt.Sprintf("json patch operation %d: %s", e.Op, e.Msg)
}

// Decode decodes JSON with the API server's number rules: integers become
// int64, other numbers float64.
func Decode(data []byte) (any, error) {
	var v any
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(data, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// Apply applies an RFC 6902 JSON patch to doc (modified in place where
// possible; values taken from the patch are copied) and returns the result.
// A patch that is not a JSON array of objects is a plain error; one that
// cannot be applied to doc is an *OpError.
func Apply(doc any, patch []byte) (any, error) {
	raw, err := Decode(patch)
	if err != nil {
		return nil, fmt.Errorf("json patch is not JSON: %w", err)
	}
	ops, ok := raw.([]any)
	if !ok {
		return nil, errors.New("json patch must be an array of operations")
	}
	for i, o := range ops {
		if _, ok := o.(map[string]any); !ok {
			return nil, fmt.Errorf("json patch operation %d is not an object", i)
		}
	}
	for i, o := range ops {
		op := o.(map[string]any)
		fail := func(format string, args ...any) error {
			return &OpError{Op: i, Msg: fmt.Sprintf(format, args...)}
		}
		name, _ := op["op"].(string)
		path, ok := op["path"].(string)
		if !ok {
			return nil, fail("%s has no path", name)
		}
		tokens, err := pointer(path)
		if err != nil {
			return nil, fail("%v", err)
		}
		value, hasValue := op["value"]
		switch name {
		case "add", "replace", "test":
			if !hasValue {
				return nil, fail("%s has no value", name)
			}
		case "move", "copy":
			from, ok := op["from"].(string)
			if !ok {
				return nil, fail("%s has no from", name)
			}
			ft, err := pointer(from)
			if err != nil {
				return nil, fail("%v", err)
			}
			if value, err = get(doc, ft); err != nil {
				return nil, fail("from %q: %v", from, err)
			}
			if name == "move" {
				if strings.HasPrefix(path+"/", from+"/") && path != from {
					return nil, fail("cannot move %q into itself", from)
				}
				if doc, err = remove(doc, ft); err != nil {
					return nil, fail("from %q: %v", from, err)
				}
			}
		case "remove":
		default:
			return nil, fail("unknown op %q", name)
		}
		switch name {
		case "add", "move", "copy":
			doc, err = add(doc, tokens, runtime.DeepCopyJSONValue(value))
		case "replace":
			doc, err = replace(doc, tokens, runtime.DeepCopyJSONValue(value))
		case "remove":
			doc, err = remove(doc, tokens)
		case "test":
			var cur any
			if cur, err = get(doc, tokens); err == nil && !Equal(cur, value) {
				err = errors.New("test failed: values differ")
			}
		}
		if err != nil {
			return nil, fail("%s %q: %v", name, path, err)
		}
	}
	return doc, nil
}

// pointer splits an RFC 6901 JSON pointer into unescaped tokens.
func pointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("path %q does not start with /", p)
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

// index parses an array index token; "-" (one past the end) is allowed
// only when end is true.
func index(tok string, n int, end bool) (int, error) {
	if tok == "-" && end {
		return n, nil
	}
	i, err := strconv.Atoi(tok)
	if err != nil || i < 0 || (tok != "0" && strings.HasPrefix(tok, "0")) {
		return 0, fmt.Errorf("bad array index %q", tok)
	}
	limit := n - 1
	if end {
		limit = n
	}
	if i > limit {
		return 0, fmt.Errorf("array index %d out of range (length %d)", i, n)
	}
	return i, nil
}

func get(doc any, tokens []string) (any, error) {
	cur := doc
	for _, t := range tokens {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[t]
			if !ok {
				return nil, fmt.Errorf("no member %q", t)
			}
			cur = v
		case []any:
			i, err := index(t, len(c), false)
			if err != nil {
				return nil, err
			}
			cur = c[i]
		default:
			return nil, fmt.Errorf("cannot step into %q of a scalar", t)
		}
	}
	return cur, nil
}

// edit walks to the parent of the last token and lets fn change it,
// rebuilding slices on the way back up since appending may move them.
func edit(node any, tokens []string, fn func(parent any, last string) (any, error)) (any, error) {
	if len(tokens) == 1 {
		return fn(node, tokens[0])
	}
	switch c := node.(type) {
	case map[string]any:
		child, ok := c[tokens[0]]
		if !ok {
			return nil, fmt.Errorf("no member %q", tokens[0])
		}
		nc, err := edit(child, tokens[1:], fn)
		if err != nil {
			return nil, err
		}
		c[tokens[0]] = nc
		return c, nil
	case []any:
		i, err := index(tokens[0], len(c), false)
		if err != nil {
			return nil, err
		}
		nc, err := edit(c[i], tokens[1:], fn)
		if err != nil {
			return nil, err
		}
		c[i] = nc
		return c, nil
	}
	return nil, fmt.Errorf("cannot step into %q of a scalar", tokens[0])
}

func add(doc any, tokens []string, v any) (any, error) {
	if len(tokens) == 0 {
		return v, nil
	}
	return edit(doc, tokens, func(parent any, last string) (any, error) {
		switch c := parent.(type) {
		case map[string]any:
			c[last] = v
			return c, nil
		case []any:
			i, err := index(last, len(c), true)
			if err != nil {
				return nil, err
			}
			c = append(c, nil)
			copy(c[i+1:], c[i:])
			c[i] = v
			return c, nil
		}
		return nil, fmt.Errorf("cannot add %q to a scalar", last)
	})
}

func replace(doc any, tokens []string, v any) (any, error) {
	if len(tokens) == 0 {
		return v, nil
	}
	return edit(doc, tokens, func(parent any, last string) (any, error) {
		switch c := parent.(type) {
		case map[string]any:
			if _, ok := c[last]; !ok {
				return nil, fmt.Errorf("no member %q to replace", last)
			}
			c[last] = v
			return c, nil
		case []any:
			i, err := index(last, len(c), false)
			if err != nil {
				return nil, err
			}
			c[i] = v
			return c, nil
		}
		return nil, fmt.Errorf("cannot replace %q in a scalar", last)
	})
}

func remove(doc any, tokens []string) (any, error) {
	if len(tokens) == 0 {
		return nil, errors.New("cannot remove the whole document")
	}
	return edit(doc, tokens, func(parent any, last string) (any, error) {
		switch c := parent.(type) {
		case map[string]any:
			if _, ok := c[last]; !ok {
				return nil, fmt.Errorf("no member %q to remove", last)
			}
			delete(c, last)
			return c, nil
		case []any:
			i, err := index(last, len(c), false)
			if err != nil {
				return nil, err
			}
			return append(c[:i], c[i+1:]...), nil
		}
		return nil, fmt.Errorf("cannot remove %q from a scalar", last)
	})
}

// Equal compares two JSON values as JSON: 1 and 1.0 are equal, map order
// does not matter.
func Equal(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}
