package unstructured

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Object is what the field functions work on: an apimachinery
// *Unstructured, or a plain map such as u.Object or a nested map taken out of
// one. A nil *Unstructured reads as an empty object.
type Object interface {
	*apiu.Unstructured | map[string]any
}

var (
	// ErrFieldNotFound is matched (errors.Is) by a *FieldError for a field,
	// list item or intermediate step that is absent or null.
	ErrFieldNotFound = errors.New("field not found")
	// ErrFieldType is matched (errors.Is) by a *FieldError for a value of
	// the wrong type at the path or on the way to it.
	ErrFieldType = errors.New("field has the wrong type")
)

// FieldError says why a field access failed: which path was asked for,
// where the walk stopped, what was wanted there and what was found.
type FieldError struct {
	// Path is the path asked for, in canonical form.
	Path string
	// At is the prefix of Path where the walk stopped; it equals Path when
	// the last step failed. Empty means the object itself.
	At string
	// Want is what was needed at At: "map", "list", or a Go type name such
	// as "string" or "int64". It is empty when Found is "missing".
	Want string
	// Found is what was at At: "missing", "null", or a type name ("map",
	// "list", "string", "int64", "float64", "bool", or a Go type).
	Found string
	// Detail adds context, such as a list's length for an index out of
	// range. It may be empty.
	Detail string
}

// Error describes the failure without printing any field value, since
// values may be secrets.
func (e *FieldError) Error() string {
	var msg string
	at := e.At
	if at == "" {
		at = "object"
	}
	switch {
	case e.Found == "missing" && e.At == e.Path:
		msg = fmt.Sprintf("field %q not found", e.Path)
	case e.Found == "missing":
		msg = fmt.Sprintf("field %q not found: %s is missing", e.Path, at)
	case e.At == e.Path:
		msg = fmt.Sprintf("field %q: want %s, found %s", e.Path, e.Want, e.Found)
	default:
		msg = fmt.Sprintf("field %q: %s is %s, want %s", e.Path, at, e.Found, e.Want)
	}
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// Is makes errors.Is match ErrFieldNotFound when the value at the path, or
// a map or list on the way to it, is missing or null, and ErrFieldType for
// everything else, including a null item inside the list or map that
// GetStringSlice or GetStringMap read (the container is there, its content
// is wrong).
func (e *FieldError) Is(target error) bool {
	switch target {
	case ErrFieldNotFound:
		return e.notFound()
	case ErrFieldType:
		return !e.notFound()
	}
	return false
}

func (e *FieldError) notFound() bool {
	return e.Found == "missing" || (e.Found == "null" && strings.HasPrefix(e.Path, e.At))
}

func rootOf[O Object](obj O) map[string]any {
	switch o := any(obj).(type) {
	case *apiu.Unstructured:
		if o == nil {
			return nil
		}
		return o.Object
	case map[string]any:
		return o
	}
	return nil
}

// walk follows p from root and returns the value at its end. It fails with
// a *FieldError naming where it stopped.
func walk(root map[string]any, p Path) (any, error) {
	var cur any = root
	for i, s := range p.segs {
		next, ferr := step(cur, p, i, s)
		if ferr != nil {
			return nil, ferr
		}
		cur = next
	}
	return cur, nil
}

// step resolves one segment against cur (the value at p's first i
// segments).
func step(cur any, p Path, i int, s segment) (any, *FieldError) {
	switch s.kind {
	case segField:
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, wrongType(p, i, "map", cur)
		}
		v, ok := m[s.key]
		if !ok {
			return nil, missing(p, i+1, "")
		}
		if v == nil && i+1 < len(p.segs) {
			want := "map"
			if p.segs[i+1].kind != segField {
				want = "list"
			}
			return nil, &FieldError{Path: p.String(), At: p.prefix(i + 1), Want: want, Found: "null"}
		}
		return v, nil
	default:
		l, ok := cur.([]any)
		if !ok {
			return nil, wrongType(p, i, "list", cur)
		}
		j, ferr := itemIndex(l, p, i, s)
		if ferr != nil {
			return nil, ferr
		}
		return l[j], nil
	}
}

// itemIndex resolves an index or selector segment against list l.
func itemIndex(l []any, p Path, i int, s segment) (int, *FieldError) {
	if s.kind == segIndex {
		j := s.index
		if j < 0 {
			j += len(l)
		}
		if j < 0 || j >= len(l) {
			return 0, missing(p, i+1, "the list has "+items(len(l)))
		}
		return j, nil
	}
	for j, item := range l {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		if text, ok := scalarText(m[s.key]); ok && text == s.value {
			return j, nil
		}
	}
	return 0, missing(p, i+1, fmt.Sprintf("none of %s has %s=%s", items(len(l)), s.key, s.value))
}

func items(n int) string {
	if n == 1 {
		return "1 item"
	}
	return fmt.Sprintf("%d items", n)
}

// missing reports that the value at p's first n segments is absent.
func missing(p Path, n int, detail string) *FieldError {
	return &FieldError{Path: p.String(), At: p.prefix(n), Found: "missing", Detail: detail}
}

// wrongType reports that the value at p's first n segments is not a want.
func wrongType(p Path, n int, want string, found any) *FieldError {
	return &FieldError{Path: p.String(), At: p.prefix(n), Want: want, Found: typeName(found)}
}

// GetValue returns the value at path as stored (nil for null): not a copy,
// so changing a returned map or list changes obj. It fails with a
// *FieldError when the path does not lead to a value, and a *PathError when
// path is malformed.
func GetValue[O Object](obj O, path string) (any, error) {
	p, err := ParsePath(path)
	if err != nil {
		return nil, err
	}
	return walk(rootOf(obj), p)
}

// Has reports whether path leads to a value; null counts as absent. It
// returns an error only for a malformed path or a value of the wrong type on
// the way, such as an index into a map.
func Has[O Object](obj O, path string) (bool, error) {
	v, err := GetValue(obj, path)
	if errors.Is(err, ErrFieldNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return v != nil, nil
}

// Get returns the value at path as a T. Integer and float types convert
// when no information is lost (an int64 read as int, or a float64 holding 3
// read as int64); any other T must match the stored type exactly
// (map[string]any, []any, string, bool, ...). Maps and lists are returned
// as stored, not copied. It fails with a *FieldError naming the path and the
// type found, matching ErrFieldNotFound when the value is absent or null.
func Get[T any, O Object](obj O, path string) (T, error) {
	p, err := ParsePath(path)
	if err != nil {
		var zero T
		return zero, err
	}
	return getAt[T](rootOf(obj), p)
}

func getAt[T any](root map[string]any, p Path) (T, error) {
	var zero T
	v, err := walk(root, p)
	if err != nil {
		return zero, err
	}
	t, ok := convertTo[T](v)
	if !ok {
		return zero, &FieldError{Path: p.String(), At: p.String(), Want: typeNameOf[T](), Found: typeName(v)}
	}
	return t, nil
}

func typeNameOf[T any]() string {
	var zero T
	switch any(zero).(type) {
	case map[string]any:
		return "map"
	case []any:
		return "list"
	}
	return reflect.TypeFor[T]().String()
}

// GetString returns the string at path, or a *FieldError.
func GetString[O Object](obj O, path string) (string, error) {
	return Get[string](obj, path)
}

// GetInt64 returns the integer at path, or a *FieldError. A float64 holding
// an integral value is accepted, as YAML and JSON may write 3 as 3.0.
func GetInt64[O Object](obj O, path string) (int64, error) {
	return Get[int64](obj, path)
}

// GetFloat64 returns the number at path as a float64 (integers up to 2^53
// convert exactly), or a *FieldError.
func GetFloat64[O Object](obj O, path string) (float64, error) {
	return Get[float64](obj, path)
}

// GetBool returns the boolean at path, or a *FieldError. The strings "true"
// and "false" are not booleans and fail.
func GetBool[O Object](obj O, path string) (bool, error) {
	return Get[bool](obj, path)
}

// GetMap returns the map at path as stored (not a copy), or a *FieldError.
func GetMap[O Object](obj O, path string) (map[string]any, error) {
	return Get[map[string]any](obj, path)
}

// GetSlice returns the list at path as stored (not a copy), or a
// *FieldError.
func GetSlice[O Object](obj O, path string) ([]any, error) {
	return Get[[]any](obj, path)
}

// GetStringSlice returns a new []string with the items of the list at path.
// It fails with a *FieldError when the value is not a list or an item is not
// a string; the error's At names the offending item.
func GetStringSlice[O Object](obj O, path string) ([]string, error) {
	p, err := ParsePath(path)
	if err != nil {
		return nil, err
	}
	l, err := getAt[[]any](rootOf(obj), p)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(l))
	for i, item := range l {
		s, ok := item.(string)
		if !ok {
			return nil, &FieldError{Path: p.String(), At: fmt.Sprintf("%s[%d]", p.String(), i), Want: "string", Found: typeName(item)}
		}
		out[i] = s
	}
	return out, nil
}

// GetStringMap returns a new map[string]string with the entries of the map
// at path, such as metadata.labels. It fails with a *FieldError when the
// value is not a map or an entry is not a string; the error's At names the
// offending entry.
func GetStringMap[O Object](obj O, path string) (map[string]string, error) {
	p, err := ParsePath(path)
	if err != nil {
		return nil, err
	}
	m, err := getAt[map[string]any](rootOf(obj), p)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m))
	var bad string
	hasBad := false
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		} else if !hasBad || k < bad {
			// Report the first bad key in sorted order, so the error
			// does not depend on map iteration order.
			bad, hasBad = k, true
		}
	}
	if hasBad {
		at := Path{segs: append(append([]segment(nil), p.segs...), segment{kind: segField, key: bad})}
		return nil, &FieldError{Path: p.String(), At: at.String(), Want: "string", Found: typeName(m[bad])}
	}
	return out, nil
}

// Set stores a JSON-normalized deep copy of value at path (see the package
// documentation). Missing or null maps on the way are created; list items
// are never created, so an index or selector must name an existing item. It
// fails with a *FieldError when something other than a map or list is in
// the way or a list item does not exist, with a *PathError for a malformed
// path, and with an error when value has no JSON form. On failure obj is
// unchanged.
func Set[O Object](obj O, path string, value any) error {
	p, err := ParsePath(path)
	if err != nil {
		return err
	}
	if len(p.segs) == 0 {
		return fmt.Errorf("set %q: cannot replace the whole object", path)
	}
	v, err := toJSONValue(value)
	if err != nil {
		return fmt.Errorf("set %q: %w", p.String(), err)
	}
	root, err := writableRoot(obj, p)
	if err != nil {
		return err
	}
	// Check the whole walk before touching anything, so a failure leaves
	// obj as it was.
	if _, ferr := edit(root, p, 0, true, nil); ferr != nil {
		return ferr
	}
	_, ferr := edit(root, p, 0, false, func(any) any { return v })
	return editErr(ferr)
}

// Remove deletes the value at path: a map key, or a list item (by index or
// selector; later items move up). It fails with a *FieldError matching
// ErrFieldNotFound when there is nothing there, so callers that want an
// idempotent remove can ignore that case, and with a *PathError for a
// malformed path.
func Remove[O Object](obj O, path string) error {
	p, err := ParsePath(path)
	if err != nil {
		return err
	}
	if len(p.segs) == 0 {
		return fmt.Errorf("remove %q: cannot remove the whole object", path)
	}
	root := rootOf(obj)
	if _, err := walk(root, p); err != nil {
		return err
	}
	_, ferr := edit(root, p, 0, false, func(any) any { return removed })
	return editErr(ferr)
}

// removed is the sentinel a leaf edit returns to delete the value.
var removed = &struct{ byte }{}

// writableRoot returns the map Set writes into, creating u.Object for an
// *Unstructured that has none.
func writableRoot[O Object](obj O, p Path) (map[string]any, error) {
	switch o := any(obj).(type) {
	case *apiu.Unstructured:
		if o == nil {
			return nil, fmt.Errorf("set %q: nil *Unstructured", p.String())
		}
		if o.Object == nil {
			o.Object = map[string]any{}
		}
		return o.Object, nil
	case map[string]any:
		if o == nil {
			return nil, fmt.Errorf("set %q: nil map", p.String())
		}
		return o, nil
	}
	return nil, fmt.Errorf("set %q: unsupported object type %T", p.String(), obj)
}

func editErr(f *FieldError) error {
	if f == nil {
		return nil
	}
	return f
}

// edit walks p from segment i on below cur and replaces the value at its
// end with leaf(old); a leaf returning removed deletes it. It returns cur's
// new value: the same map or list, except that removing a list item makes a
// new, shorter list, which the caller stores in place of the old one. With
// dryRun (leaf nil) it only checks that the walk would succeed, changing
// nothing. Missing or null maps on the way are created.
func edit(cur any, p Path, i int, dryRun bool, leaf func(old any) any) (any, *FieldError) {
	s := p.segs[i]
	last := i == len(p.segs)-1
	if s.kind == segField {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, wrongType(p, i, "map", cur)
		}
		if last {
			if dryRun {
				return m, nil
			}
			if nv := leaf(m[s.key]); nv == removed {
				delete(m, s.key)
			} else {
				m[s.key] = nv
			}
			return m, nil
		}
		child, ok := m[s.key]
		if !ok || child == nil {
			if ferr := creatable(p, i+1); ferr != nil || dryRun {
				return m, ferr
			}
			child = map[string]any{}
		}
		nc, ferr := edit(child, p, i+1, dryRun, leaf)
		if ferr != nil || dryRun {
			return m, ferr
		}
		m[s.key] = nc
		return m, nil
	}
	l, ok := cur.([]any)
	if !ok {
		return nil, wrongType(p, i, "list", cur)
	}
	j, ferr := itemIndex(l, p, i, s)
	if ferr != nil {
		return nil, ferr
	}
	if !last {
		child := l[j]
		if child == nil {
			if ferr := creatable(p, i+1); ferr != nil || dryRun {
				return l, ferr
			}
			child = map[string]any{}
		}
		nc, ferr := edit(child, p, i+1, dryRun, leaf)
		if ferr != nil || dryRun {
			return l, ferr
		}
		l[j] = nc
		return l, nil
	}
	if dryRun {
		return l, nil
	}
	nv := leaf(l[j])
	if nv != removed {
		l[j] = nv
		return l, nil
	}
	out := make([]any, 0, len(l)-1)
	out = append(out, l[:j]...)
	return append(out, l[j+1:]...), nil
}

// creatable checks that the segments from i on are all map keys, which Set
// can create; it cannot invent list items.
func creatable(p Path, i int) *FieldError {
	for k := i; k < len(p.segs); k++ {
		if p.segs[k].kind != segField {
			return missing(p, k, "Set creates missing maps, not lists or list items")
		}
	}
	return nil
}

// isNotFound reports whether err is a *FieldError for an absent or null
// value.
func isNotFound(err error) bool {
	return errors.Is(err, ErrFieldNotFound)
}

// reroot prefixes the paths of a *FieldError produced on a nested map with
// the path of that map, so the error names the field in the whole object.
func reroot(err error, prefix string) error {
	var fe *FieldError
	if !errors.As(err, &fe) {
		return err
	}
	out := *fe
	out.Path = joinPath(prefix, fe.Path)
	out.At = joinPath(prefix, fe.At)
	return &out
}

func joinPath(prefix, rest string) string {
	switch {
	case prefix == "":
		return rest
	case rest == "":
		return prefix
	case rest[0] == '[':
		return prefix + rest
	}
	return prefix + "." + rest
}
