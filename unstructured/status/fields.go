package status

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	au "github.com/anykube/anykube/unstructured"
)

// fields reads the fields the rules need with defaults for absent ones,
// remembering the first malformed one so that a rule reads straight through
// and Compute reports the problem once, instead of every rule checking
// every read.
type fields struct {
	obj map[string]any
	err error
}

func newFields(u *unstructured.Unstructured) *fields { return &fields{obj: u.Object} }

// integer returns the integer at path, or def when it is absent or null.
func (f *fields) integer(path string, def int64) int64 {
	v, err := au.GetInt64(f.obj, path)
	if err != nil {
		f.fail(err)
		return def
	}
	return v
}

// has reports whether path holds a non-null value.
func (f *fields) has(path string) bool {
	ok, err := au.Has(f.obj, path)
	if err != nil {
		f.fail(err)
	}
	return ok
}

// slice returns the list at path, or nil when it is absent or null.
func (f *fields) slice(path string) []any {
	v, err := au.GetSlice(f.obj, path)
	if err != nil {
		f.fail(err)
		return nil
	}
	return v
}

// str returns the string at path, or def when it is absent or null.
func (f *fields) str(path, def string) string {
	v, err := au.GetString(f.obj, path)
	if err != nil {
		f.fail(err)
		return def
	}
	return v
}

// fail records err unless it only says the field is absent, which the
// caller's default covers.
func (f *fields) fail(err error) {
	if f.err == nil && !errors.Is(err, au.ErrFieldNotFound) {
		f.err = err
	}
}

// condition is the part of a status condition the rules read. Read leniently
// (no lastTransitionTime parsing, no required reason), because controllers of
// custom resources write conditions of every vintage.
type condition struct {
	Type, Status, Reason, Message string
}

// conditions returns status.conditions; entries must be maps with string
// fields, or the read fails.
func (f *fields) conditions() []condition {
	list := f.slice("status.conditions")
	out := make([]condition, 0, len(list))
	for i := range list {
		m, ok := list[i].(map[string]any)
		if !ok {
			if list[i] != nil {
				f.fail(&au.FieldError{Path: "status.conditions", At: "status.conditions", Want: "list of maps", Found: "list with a non-map item"})
			}
			continue
		}
		item := func(key string) string {
			if _, ok := m[key]; !ok {
				return ""
			}
			// Read through the whole path so an error names the item.
			return f.str(fmt.Sprintf("status.conditions[%d].%s", i, key), "")
		}
		out = append(out, condition{Type: item("type"), Status: item("status"), Reason: item("reason"), Message: item("message")})
	}
	return out
}

// find returns the first condition of type t.
func find(conds []condition, t string) (condition, bool) {
	for _, c := range conds {
		if c.Type == t {
			return c, true
		}
	}
	return condition{}, false
}

// isTrue reports whether conds hold a condition of type t with status True.
func isTrue(conds []condition, t string) bool {
	c, ok := find(conds, t)
	return ok && c.Status == "True"
}
