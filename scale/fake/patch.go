package fake

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	kjson "sigs.k8s.io/json"
)

// The fake applies patches to a Scale's autoscaling/v1 JSON document, as
// the API server does for the scale subresource. A Scale holds no lists that
// a strategic merge could merge by key, so a strategic merge patch is a
// merge patch here.

// decodeValue decodes JSON with the server's number rules, so that
// integers stay int64 and compare equal in "test" operations.
func decodeValue(data []byte) (any, error) {
	var v any
	if err := kjson.UnmarshalCaseSensitivePreserveInts(data, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// mergeInto applies an RFC 7386 merge patch to doc and returns the result.
// Objects in doc are changed in place; values from patch are copied.
func mergeInto(doc, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return runtime.DeepCopyJSONValue(patch)
	}
	d, ok := doc.(map[string]any)
	if !ok {
		d = make(map[string]any, len(p))
	}
	for k, v := range p {
		if v == nil {
			delete(d, k)
		} else {
			d[k] = mergeInto(d[k], v)
		}
	}
	return d
}

// patchOpError is an RFC 6902 operation that cannot be applied; the server
// answers with 422.
type patchOpError struct {
	index int
	op    string
	msg   string
}

func (e *patchOpError) Error() string {
	return fmt.Sprintf("json patch operation %d (%s): %s", e.index, e.op, e.msg)
}

// applyJSONPatch applies an RFC 6902 patch to doc. A patch that is not a
// list of operations gives a plain error (the server's 400); an operation
// that does not apply gives a *patchOpError (the server's 422).
func applyJSONPatch(doc any, patch []byte) (any, error) {
	raw, err := decodeValue(patch)
	if err != nil {
		return nil, fmt.Errorf("json patch: %w", err)
	}
	ops, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("json patch: not a list of operations")
	}
	for i, o := range ops {
		op, ok := o.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("json patch: operation %d is not an object", i)
		}
		name, _ := op["op"].(string)
		fail := func(format string, args ...any) error {
			return &patchOpError{index: i, op: name, msg: fmt.Sprintf(format, args...)}
		}
		path, err := pointer(op, "path")
		if err != nil {
			return nil, fail("%v", err)
		}
		value, hasValue := op["value"]
		switch name {
		case "add", "replace", "test":
			if !hasValue {
				return nil, fail("missing value")
			}
		case "move", "copy":
			from, err := pointer(op, "from")
			if err != nil {
				return nil, fail("%v", err)
			}
			v, err := lookup(doc, from)
			if err != nil {
				return nil, fail("from: %v", err)
			}
			if name == "move" {
				if isPrefix(from, path) {
					return nil, fail("cannot move a value into itself")
				}
				if doc, err = edit(doc, from, remove); err != nil {
					return nil, fail("%v", err)
				}
			}
			value = runtime.DeepCopyJSONValue(v)
		case "remove":
		default:
			return nil, fail("unknown operation")
		}
		switch name {
		case "add", "move", "copy":
			doc, err = edit(doc, path, add(value))
		case "replace":
			doc, err = edit(doc, path, replace(value))
		case "remove":
			doc, err = edit(doc, path, remove)
		case "test":
			var got any
			if got, err = lookup(doc, path); err == nil && !reflect.DeepEqual(got, value) {
				err = fmt.Errorf("value at %s differs", op["path"])
			}
		}
		if err != nil {
			return nil, fail("%v", err)
		}
	}
	return doc, nil
}

// pointer reads the RFC 6901 pointer in op[key] as unescaped tokens.
func pointer(op map[string]any, key string) ([]string, error) {
	p, ok := op[key].(string)
	if !ok {
		return nil, fmt.Errorf("missing %s", key)
	}
	if p == "" {
		return []string{}, nil
	}
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("%s %q does not start with /", key, p)
	}
	toks := strings.Split(p[1:], "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks, nil
}

func isPrefix(prefix, path []string) bool {
	if len(prefix) > len(path) {
		return false
	}
	for i := range prefix {
		if prefix[i] != path[i] {
			return false
		}
	}
	return true
}

// index parses an array index token; end allows one past the last element
// and "-", which add uses to append.
func index(tok string, n int, end bool) (int, error) {
	if end && tok == "-" {
		return n, nil
	}
	i, err := strconv.Atoi(tok)
	if err != nil || i < 0 || (tok != "0" && strings.HasPrefix(tok, "0")) {
		return 0, fmt.Errorf("bad array index %q", tok)
	}
	if i > n || (!end && i == n) {
		return 0, fmt.Errorf("array index %d out of range", i)
	}
	return i, nil
}

// lookup returns the value at path.
func lookup(doc any, path []string) (any, error) {
	for _, tok := range path {
		switch d := doc.(type) {
		case map[string]any:
			v, ok := d[tok]
			if !ok {
				return nil, fmt.Errorf("no member %q", tok)
			}
			doc = v
		case []any:
			i, err := index(tok, len(d), false)
			if err != nil {
				return nil, err
			}
			doc = d[i]
		default:
			return nil, fmt.Errorf("cannot descend into a %T at %q", doc, tok)
		}
	}
	return doc, nil
}

// leaf changes the member key of parent and returns the new parent.
type leaf func(parent any, key string) (any, error)

// edit applies fn at path and returns the new document. The empty path is
// the whole document: fn gets a nil parent and an empty key, and returns
// the new document.
func edit(doc any, path []string, fn leaf) (any, error) {
	if len(path) == 0 {
		return fn(nil, "")
	}
	if len(path) == 1 {
		return fn(doc, path[0])
	}
	child, err := lookup(doc, path[:1])
	if err != nil {
		return nil, err
	}
	child, err = edit(child, path[1:], fn)
	if err != nil {
		return nil, err
	}
	switch d := doc.(type) {
	case map[string]any:
		d[path[0]] = child
	case []any:
		i, _ := index(path[0], len(d), false) // lookup checked it
		d[i] = child
	}
	return doc, nil
}

func add(v any) leaf {
	return func(parent any, key string) (any, error) {
		switch p := parent.(type) {
		case nil:
			if key == "" {
				return v, nil
			}
		case map[string]any:
			p[key] = v
			return p, nil
		case []any:
			i, err := index(key, len(p), true)
			if err != nil {
				return nil, err
			}
			p = append(p, nil)
			copy(p[i+1:], p[i:])
			p[i] = v
			return p, nil
		}
		return nil, fmt.Errorf("cannot add %q to a %T", key, parent)
	}
}

func replace(v any) leaf {
	return func(parent any, key string) (any, error) {
		switch p := parent.(type) {
		case nil:
			if key == "" {
				return v, nil
			}
		case map[string]any:
			if _, ok := p[key]; !ok {
				return nil, fmt.Errorf("no member %q to replace", key)
			}
			p[key] = v
			return p, nil
		case []any:
			i, err := index(key, len(p), false)
			if err != nil {
				return nil, err
			}
			p[i] = v
			return p, nil
		}
		return nil, fmt.Errorf("cannot replace %q in a %T", key, parent)
	}
}

func remove(parent any, key string) (any, error) {
	switch p := parent.(type) {
	case map[string]any:
		if _, ok := p[key]; !ok {
			return nil, fmt.Errorf("no member %q to remove", key)
		}
		delete(p, key)
		return p, nil
	case []any:
		i, err := index(key, len(p), false)
		if err != nil {
			return nil, err
		}
		return append(p[:i], p[i+1:]...), nil
	}
	return nil, fmt.Errorf("cannot remove %q from a %T", key, parent)
}

// toJSONValue turns v into the generic JSON form patches work on.
func toJSONValue(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeValue(data)
}
