package diff

import (
	"reflect"
	"sort"

	au "github.com/anykube/anykube/unstructured"
)

// FieldChange is one field that applying would change.
type FieldChange struct {
	// Path names the field in package unstructured's syntax. Items of a
	// list whose items are maps with distinct "name" fields (containers,
	// ports, env, volumes...) are named by selector, "containers[name=web]",
	// so that inserting one does not make every later one look changed;
	// items of other lists by index.
	Path string
	// Old is the live value, nil when the field would be added; New is
	// the value after the apply, nil when it would be removed. Values are
	// as JSON decodes them: maps, slices, strings, numbers, booleans.
	Old, New any
}

// Fields returns every field that differs between live and merged (two
// objects' contents, as Unstructured.Object), sorted by path. A map or
// list present on one side only is one change, not one per field in it.
func Fields(live, merged map[string]any) []FieldChange {
	var out []FieldChange
	walk(au.Path{}, live, true, merged, true, &out)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// walk compares a (present when aok) with b (present when bok) at path.
func walk(path au.Path, a any, aok bool, b any, bok bool, out *[]FieldChange) {
	if aok && bok {
		switch am := a.(type) {
		case map[string]any:
			if bm, ok := b.(map[string]any); ok {
				for _, k := range unionKeys(am, bm) {
					av, ain := am[k]
					bv, bin := bm[k]
					walk(path.Key(k), av, ain, bv, bin, out)
				}
				return
			}
		case []any:
			if bl, ok := b.([]any); ok {
				walkList(path, am, bl, out)
				return
			}
		}
		if reflect.DeepEqual(normalize(a), normalize(b)) {
			return
		}
	}
	if !aok && !bok {
		return
	}
	c := FieldChange{Path: path.String()}
	if aok {
		c.Old = a
	}
	if bok {
		c.New = b
	}
	*out = append(*out, c)
}

// walkList compares two lists item by item: by name when both are lists
// of uniquely named maps, else by position.
func walkList(path au.Path, a, b []any, out *[]FieldChange) {
	an, aNamed := names(a)
	bn, bNamed := names(b)
	if aNamed && bNamed {
		seen := map[string]bool{}
		for _, name := range append(an, bn...) {
			if seen[name] {
				continue
			}
			seen[name] = true
			ai, ain := indexOf(an, name)
			bi, bin := indexOf(bn, name)
			var av, bv any
			if ain {
				av = a[ai]
			}
			if bin {
				bv = b[bi]
			}
			walk(path.Select("name", name), av, ain, bv, bin, out)
		}
		return
	}
	for i := 0; i < max(len(a), len(b)); i++ {
		var av, bv any
		if i < len(a) {
			av = a[i]
		}
		if i < len(b) {
			bv = b[i]
		}
		walk(path.Index(i), av, i < len(a), bv, i < len(b), out)
	}
}

// names returns the "name" of every item when each is a map with a
// distinct, non-empty string name.
func names(l []any) ([]string, bool) {
	if len(l) == 0 {
		return nil, false
	}
	out := make([]string, 0, len(l))
	seen := make(map[string]bool, len(l))
	for _, item := range l {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, false
		}
		n, ok := m["name"].(string)
		if !ok || n == "" || seen[n] {
			return nil, false
		}
		seen[n] = true
		out = append(out, n)
	}
	return out, true
}

func indexOf(l []string, s string) (int, bool) {
	for i, v := range l {
		if v == s {
			return i, true
		}
	}
	return 0, false
}

func unionKeys(a, b map[string]any) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// normalize makes numbers comparable across decoders: the dynamic client
// decodes integers as int64, other JSON decoders give float64.
func normalize(v any) any {
	switch n := v.(type) {
	case int64:
		return float64(n)
	case int:
		return float64(n)
	case int32:
		return float64(n)
	}
	return v
}
