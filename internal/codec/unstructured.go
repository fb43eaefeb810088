package codec

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// DecodeObject decodes one JSON object into an Unstructured, with the result
// unstructured.UnstructuredJSONScheme gives when decoding into an
// *Unstructured: every field, "items" included, lands in Object.
//
// It fails with a *SyntaxError for input that is not a single JSON value, a
// *TypeError when that value is not an object or holds a number beyond
// float64, and apimachinery's missing-kind error (runtime.IsMissingKind) when
// "kind" is absent, not a string, or "apiVersion" does not parse. No error
// quotes the input, which may hold secrets: they give offsets and types.
func DecodeObject(data []byte) (*unstructured.Unstructured, error) {
	d := getState(data, 0)
	defer putState(d)
	obj, err := d.decodeObjectDoc()
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{Object: obj}
	if err := checkKind(u, int64(skipWS(data, 0))); err != nil {
		return nil, err
	}
	return u, nil
}

// DecodeList decodes a JSON list into an UnstructuredList, with the result
// unstructured.UnstructuredJSONScheme gives when decoding into an
// *UnstructuredList: the top-level fields but "items" go to Object, each item
// becomes an Unstructured, and an item with neither a kind nor an apiVersion
// (a typed list such as a ConfigMapList leaves them out) gets the list's
// kind without its "List" suffix and the list's apiVersion. A missing or null
// "items" gives an empty, non-nil Items.
//
// It fails like DecodeObject, and also with a *TypeError when "items" is
// neither an array nor null or one of its elements is neither an object nor
// null.
func DecodeList(data []byte) (*unstructured.UnstructuredList, error) {
	d := getState(data, 0)
	defer putState(d)
	list, _, err := d.decodeListDoc()
	if err != nil {
		return nil, err
	}
	if err := checkKind(list, int64(skipWS(data, 0))); err != nil {
		return nil, err
	}
	return list, nil
}

// Decode decodes data the way runtime.Decode(unstructured.UnstructuredJSONScheme,
// data) does: a top-level object with an "items" key (whatever its value) is
// a list and comes back as an *UnstructuredList decoded as by DecodeList;
// anything else comes back as an *Unstructured decoded as by DecodeObject.
// Errors are those of DecodeList and DecodeObject.
func Decode(data []byte) (runtime.Object, error) {
	d := getState(data, 0)
	defer putState(d)
	list, sawItems, err := d.decodeListDoc()
	if err != nil {
		return nil, err
	}
	var obj runtime.Object = list
	if !sawItems {
		obj = &unstructured.Unstructured{Object: list.Object}
	}
	if err := checkKind(obj, int64(skipWS(data, 0))); err != nil {
		return nil, err
	}
	return obj, nil
}

// DecodeInto decodes data into an *unstructured.Unstructured (as DecodeObject)
// or an *unstructured.UnstructuredList (as DecodeList), replacing its
// content. On error into is left unchanged. Any other type is an error.
func DecodeInto(data []byte, into runtime.Object) error {
	switch x := into.(type) {
	case *unstructured.Unstructured:
		u, err := DecodeObject(data)
		if err != nil {
			return err
		}
		x.Object = u.Object
		return nil
	case *unstructured.UnstructuredList:
		l, err := DecodeList(data)
		if err != nil {
			return err
		}
		x.Object, x.Items = l.Object, l.Items
		return nil
	default:
		return fmt.Errorf("codec: cannot decode into %T: only *unstructured.Unstructured and *unstructured.UnstructuredList are supported", into)
	}
}

// checkKind applies the scheme's final rule: the decoded object's
// GroupVersionKind, computed by apimachinery itself so the rule cannot drift,
// must have a kind. The error is apimachinery's missing-kind error, so that
// runtime.IsMissingKind holds, but where the scheme quotes the input it
// names the offset of the object (offset, in the caller's input) and what
// is wrong: a body without a kind may be a Secret, and errors end up in
// logs.
func checkKind(obj runtime.Object, offset int64) error {
	if obj.GetObjectKind().GroupVersionKind().Kind != "" {
		return nil
	}
	var fields map[string]any
	switch o := obj.(type) {
	case *unstructured.Unstructured:
		fields = o.Object
	case *unstructured.UnstructuredList:
		fields = o.Object
	}
	var what string
	switch kind, ok := fields["kind"]; {
	case fields == nil:
		what = "is null, not an object"
	case !ok:
		what = `has no "kind" field`
	case kind == nil:
		what = `has a null "kind"`
	case kind == "":
		what = `has an empty "kind"`
	default:
		if _, isString := kind.(string); !isString {
			what = fmt.Sprintf(`has a "kind" of JSON type %s, not a string`, jsonType(kind))
		} else {
			what = `has an "apiVersion" that is not a valid group/version`
		}
	}
	return runtime.NewMissingKindErr(fmt.Sprintf("the JSON object at offset %d %s", offset, what))
}

// jsonType names the JSON type of a decoded value, for errors that must
// not quote the value itself.
func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "bool"
	case nil:
		return "null"
	default:
		return "number"
	}
}

// finish rejects anything after the top-level value and returns the first
// error of the decode, syntax errors first as encoding/json reports them.
func (d *decodeState) finish() error {
	if d.err == nil {
		i := skipWS(d.data, d.pos)
		if i < len(d.data) {
			d.badChar(i, "after top-level value")
		}
	}
	if d.err != nil {
		return d.err
	}
	return d.soft
}

// nonObject handles a top-level value that is not an object: it is still
// decoded, so syntax errors win, and then null gives a nil map (the scheme
// then reports the missing kind) and anything else a TypeError.
func (d *decodeState) nonObject(i int) error {
	c := d.data[i]
	d.value()
	if err := d.finish(); err != nil {
		return err
	}
	if c == 'n' {
		return nil
	}
	return &TypeError{Offset: d.base + int64(i), Value: KindName(c), Want: "object"}
}

func (d *decodeState) decodeObjectDoc() (map[string]any, error) {
	i := skipWS(d.data, 0)
	if i >= len(d.data) {
		d.eof()
		return nil, d.err
	}
	d.pos = i
	if d.data[i] != '{' {
		return nil, d.nonObject(i)
	}
	m := d.object()
	if err := d.finish(); err != nil {
		return nil, err
	}
	return m, nil
}

// decodeListDoc decodes a whole list document and reports whether an
// "items" key was present.
func (d *decodeState) decodeListDoc() (*unstructured.UnstructuredList, bool, error) {
	data := d.data
	i := skipWS(data, 0)
	if i >= len(data) {
		d.eof()
		return nil, false, d.err
	}
	d.pos = i
	if data[i] != '{' {
		if err := d.nonObject(i); err != nil {
			return nil, false, err
		}
		return &unstructured.UnstructuredList{Items: []unstructured.Unstructured{}}, false, nil
	}
	obj, items, sawItems := d.listObject()
	if err := d.finish(); err != nil {
		return nil, false, err
	}
	if d.itemsErr != nil {
		return nil, false, d.itemsErr
	}
	if items == nil {
		items = []unstructured.Unstructured{}
	}
	fillItemKinds(obj, items)
	return &unstructured.UnstructuredList{Object: obj, Items: items}, sawItems, nil
}

// listObject decodes the top-level object at d.pos, keeping the last
// "items" value aside as decoded items.
func (d *decodeState) listObject() (map[string]any, []unstructured.Unstructured, bool) {
	d.depth++
	data := d.data
	base := len(d.members)
	var items []unstructured.Unstructured
	sawItems := false
	d.itemsErr = nil
	i := skipWS(data, d.pos+1)
	if i < len(data) && data[i] == '}' {
		d.pos = i + 1
		d.depth--
		return map[string]any{}, nil, false
	}
	for {
		if i >= len(data) || data[i] != '"' {
			d.badChar(i, "looking for beginning of object key string")
			return nil, nil, false
		}
		d.pos = i
		kb, ok := d.str()
		if !ok {
			return nil, nil, false
		}
		key := d.keys.get(kb)
		i = skipWS(data, d.pos)
		if i >= len(data) || data[i] != ':' {
			d.badChar(i, "after object key")
			return nil, nil, false
		}
		i = skipWS(data, i+1)
		d.pos = i
		if key == "items" {
			// Like the scheme, only the last "items" counts, but a
			// non-array one anywhere is an error.
			sawItems = true
			items = nil
			d.itemsErr = nil
			c := byte(0)
			if i < len(data) {
				c = data[i]
			}
			switch c {
			case '[':
				items = d.items()
			case 'n':
				d.literal(i, "null")
			default:
				d.value()
				if d.soft == nil && d.err == nil {
					d.soft = &TypeError{Offset: d.base + int64(i), Path: "items", Value: KindName(c), Want: "array"}
				}
			}
		} else {
			v := d.value()
			d.members = append(d.members, member{key, v})
		}
		if d.err != nil {
			return nil, nil, false
		}
		i = skipWS(data, d.pos)
		if i < len(data) {
			if c := data[i]; c == ',' {
				i = skipWS(data, i+1)
				continue
			} else if c == '}' {
				d.pos = i + 1
				break
			}
		}
		d.badChar(i, "after object key:value pair")
		return nil, nil, false
	}
	d.depth--
	ms := d.members[base:]
	m := make(map[string]any, len(ms))
	for _, e := range ms {
		m[e.key] = e.val
	}
	d.members = d.members[:base]
	return m, items, sawItems
}

// items decodes the "items" array at d.pos straight into Unstructured
// values. An element that is not an object or null sets d.itemsErr, which a
// later "items" key clears, as the scheme only looks at the last one.
func (d *decodeState) items() []unstructured.Unstructured {
	d.depth++
	if d.depth > maxDepth {
		d.syntax(d.pos, "exceeded max depth")
		return nil
	}
	data := d.data
	items := []unstructured.Unstructured{}
	i := skipWS(data, d.pos+1)
	if i < len(data) && data[i] == ']' {
		d.pos = i + 1
		d.depth--
		return items
	}
	for {
		d.pos = i
		if i >= len(data) {
			d.eof()
			return nil
		}
		switch c := data[i]; c {
		case '{':
			base := len(d.members)
			if !d.readMembers() {
				return nil
			}
			ms := d.members[base:]
			// Room for the kind and apiVersion the list may add.
			extra := 2
			for _, e := range ms {
				if e.key == "kind" || e.key == "apiVersion" {
					extra = 0
					break
				}
			}
			m := make(map[string]any, len(ms)+extra)
			for _, e := range ms {
				m[e.key] = e.val
			}
			d.members = d.members[:base]
			items = append(items, unstructured.Unstructured{Object: m})
		case 'n':
			if !d.literal(i, "null") {
				return nil
			}
			items = append(items, unstructured.Unstructured{})
		default:
			d.value()
			if d.itemsErr == nil {
				d.itemsErr = &TypeError{Offset: d.base + int64(i), Path: "items[" + strconv.Itoa(len(items)) + "]", Value: KindName(c), Want: "object"}
			}
		}
		if d.err != nil {
			return nil
		}
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
	return items
}

// fillItemKinds gives items without kind and apiVersion the list's, as the
// scheme does for typed lists. "Without" means the field is absent or not a
// string or empty, matching Unstructured.GetKind; a null item becomes an
// object holding just those two fields.
func fillItemKinds(list map[string]any, items []unstructured.Unstructured) {
	listKind, _ := list["kind"].(string)
	listAPIVersion, _ := list["apiVersion"].(string)
	var kind, apiVersion any = strings.TrimSuffix(listKind, "List"), listAPIVersion
	for i := range items {
		obj := items[i].Object
		k, _ := obj["kind"].(string)
		av, _ := obj["apiVersion"].(string)
		if k != "" || av != "" {
			continue
		}
		if obj == nil {
			obj = make(map[string]any, 2)
			items[i].Object = obj
		}
		obj["kind"] = kind
		obj["apiVersion"] = apiVersion
	}
}
