package discovery

import (
	"sync"
	"unicode/utf8"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/json"
)

// This file decodes the aggregated discovery document in one pass over the
// bytes, without reflection. Reflective decoding was most of the CPU and
// allocation of a cold discovery: it grows every slice by doubling and
// allocates every string, while the document repeats the same few verbs,
// scopes and kinds thousands of times.
//
// The fast path handles the documents API servers send. Whatever it is not
// sure to decode exactly as sigs.k8s.io/json would (escaped strings, a key
// given twice, a value of the wrong type, metadata beyond the name, any
// syntax error) makes it give up, and the document is decoded again with
// sigs.k8s.io/json, so results and error messages are the same on every
// input.
//
// Equal strings and equal string lists (verbs, short names, categories
// written the same way) are shared between resources: the results are
// read-only, as the package says of everything it returns.

// decodeAggregated decodes an APIGroupDiscoveryList exactly as
// sigs.k8s.io/json's UnmarshalCaseSensitivePreserveInts would, and returns
// its error when the document does not decode.
func decodeAggregated(data []byte, list *APIGroupDiscoveryList) error {
	d := aggPool.Get().(*aggDecoder)
	ok := d.decode(data, list)
	d.reset()
	aggPool.Put(d)
	if ok {
		return nil
	}
	*list = APIGroupDiscoveryList{}
	return json.UnmarshalCaseSensitivePreserveInts(data, list)
}

var aggPool = sync.Pool{New: func() any {
	return &aggDecoder{
		strs:  make(map[string]string, 256),
		lists: make(map[string][]string, 64),
	}
}}

// maxAggDepth bounds nesting inside skipped values; deeper documents go to
// the reflective decoder, which has its own limit.
const maxAggDepth = 1000

// internMax is the longest string interned; longer ones are rarely repeated.
const internMax = 64

// gvkSlab is how many response kinds are allocated at once.
const gvkSlab = 128

// aggDecoder holds one decode's position and the scratch space reused
// between decodes. Every method returns false when the fast path gives up.
type aggDecoder struct {
	data  []byte
	pos   int
	depth int

	strs  map[string]string   // interned strings
	lists map[string][]string // string lists by their raw JSON

	// Elements of open arrays, innermost last, copied out into slices of
	// the exact length when the array closes.
	items     []APIGroupDiscovery
	versions  []APIVersionDiscovery
	resources []APIResourceDiscovery
	subs      []APISubresourceDiscovery
	gvks      []metav1.GroupVersionKind
	strings   []string

	slab []metav1.GroupVersionKind
}

func (d *aggDecoder) reset() {
	d.data = nil
	clear(d.strs)
	clear(d.lists)
	d.items = clearScratch(d.items)
	d.versions = clearScratch(d.versions)
	d.resources = clearScratch(d.resources)
	d.subs = clearScratch(d.subs)
	d.gvks = clearScratch(d.gvks)
	d.strings = clearScratch(d.strings)
	d.slab = nil
}

// clearScratch drops references held by scratch space so that the pool does
// not keep a decoded document alive, and drops scratch space grown large.
func clearScratch[T any](s []T) []T {
	if cap(s) > 1<<12 {
		return nil
	}
	clear(s[:cap(s)])
	return s[:0]
}

func (d *aggDecoder) decode(data []byte, list *APIGroupDiscoveryList) bool {
	d.data = data
	d.pos = 0
	d.depth = 0
	d.ws()
	if d.pos >= len(d.data) || d.data[d.pos] != '{' {
		return false // null, or a type error: the reflective decoder decides
	}
	if !d.listDoc(list) {
		return false
	}
	d.ws()
	return d.pos == len(d.data)
}

// Field bits, to notice a key given twice: encoding/json merges the second
// value into the first, which the fast path does not reproduce.
const (
	fKind = 1 << iota
	fAPIVersion
	fMetadata
	fItems
	fVersions
	fVersion
	fResources
	fFreshness
	fResource
	fResponseKind
	fScope
	fSingular
	fVerbs
	fShortNames
	fCategories
	fSubresources
	fSubresource
	fAcceptedTypes
	fGroup
	fName
	fSelfLink
	fResourceVersion
	fContinue
)

// see records a field; false when it was seen before.
func see(seen *uint32, bit uint32) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return true
}

func (d *aggDecoder) listDoc(list *APIGroupDiscoveryList) bool {
	var seen uint32
	return d.object(func(key []byte) bool {
		switch string(key) {
		case "kind":
			return see(&seen, fKind) && d.str(&list.Kind)
		case "apiVersion":
			return see(&seen, fAPIVersion) && d.str(&list.APIVersion)
		case "metadata":
			return see(&seen, fMetadata) && d.listMeta(&list.ListMeta)
		case "items":
			return see(&seen, fItems) && d.groups(&list.Items)
		}
		return d.skip()
	})
}

func (d *aggDecoder) listMeta(m *metav1.ListMeta) bool {
	if d.null() {
		return true
	}
	var seen uint32
	return d.object(func(key []byte) bool {
		switch string(key) {
		case "selfLink":
			return see(&seen, fSelfLink) && d.str(&m.SelfLink)
		case "resourceVersion":
			return see(&seen, fResourceVersion) && d.str(&m.ResourceVersion)
		case "continue":
			return see(&seen, fContinue) && d.str(&m.Continue)
		case "remainingItemCount":
			return d.null()
		}
		return d.skip()
	})
}

func (d *aggDecoder) groups(dst *[]APIGroupDiscovery) bool {
	if d.null() {
		*dst = nil
		return true
	}
	base := len(d.items)
	ok := d.array(func() bool {
		d.items = append(d.items, APIGroupDiscovery{})
		if d.null() {
			return true
		}
		return d.group(len(d.items) - 1)
	})
	if ok {
		*dst = append(make([]APIGroupDiscovery, 0, len(d.items)-base), d.items[base:]...)
	}
	clear(d.items[base:])
	d.items = d.items[:base]
	return ok
}

// group decodes into d.items[i]. Element decoders take an index, not a
// pointer, because the scratch slice may move while the element decodes.
func (d *aggDecoder) group(i int) bool {
	var seen uint32
	return d.object(func(key []byte) bool {
		g := &d.items[i]
		switch string(key) {
		case "kind":
			return see(&seen, fKind) && d.str(&g.Kind)
		case "apiVersion":
			return see(&seen, fAPIVersion) && d.str(&g.APIVersion)
		case "metadata":
			return see(&seen, fMetadata) && d.objectMeta(&g.ObjectMeta)
		case "versions":
			var v []APIVersionDiscovery
			if !see(&seen, fVersions) || !d.versionList(&v) {
				return false
			}
			d.items[i].Versions = v
			return true
		}
		return d.skip()
	})
}

// objectMeta decodes the name; any other field of ObjectMeta that is not
// null sends the document to the reflective decoder, which knows them all.
func (d *aggDecoder) objectMeta(m *metav1.ObjectMeta) bool {
	if d.null() {
		return true
	}
	var seen uint32
	return d.object(func(key []byte) bool {
		if string(key) == "name" {
			return see(&seen, fName) && d.str(&m.Name)
		}
		return d.null()
	})
}

func (d *aggDecoder) versionList(dst *[]APIVersionDiscovery) bool {
	if d.null() {
		*dst = nil
		return true
	}
	base := len(d.versions)
	ok := d.array(func() bool {
		d.versions = append(d.versions, APIVersionDiscovery{})
		if d.null() {
			return true
		}
		return d.version(len(d.versions) - 1)
	})
	if ok {
		*dst = append(make([]APIVersionDiscovery, 0, len(d.versions)-base), d.versions[base:]...)
	}
	clear(d.versions[base:])
	d.versions = d.versions[:base]
	return ok
}

func (d *aggDecoder) version(i int) bool {
	var seen uint32
	return d.object(func(key []byte) bool {
		switch string(key) {
		case "version":
			return see(&seen, fVersion) && d.str(&d.versions[i].Version)
		case "freshness":
			var s string
			if !see(&seen, fFreshness) || !d.str(&s) {
				return false
			}
			d.versions[i].Freshness = DiscoveryFreshness(s)
			return true
		case "resources":
			var r []APIResourceDiscovery
			if !see(&seen, fResources) || !d.resourceList(&r) {
				return false
			}
			d.versions[i].Resources = r
			return true
		}
		return d.skip()
	})
}

func (d *aggDecoder) resourceList(dst *[]APIResourceDiscovery) bool {
	if d.null() {
		*dst = nil
		return true
	}
	base := len(d.resources)
	ok := d.array(func() bool {
		d.resources = append(d.resources, APIResourceDiscovery{})
		if d.null() {
			return true
		}
		return d.resource(len(d.resources) - 1)
	})
	if ok {
		*dst = append(make([]APIResourceDiscovery, 0, len(d.resources)-base), d.resources[base:]...)
	}
	clear(d.resources[base:])
	d.resources = d.resources[:base]
	return ok
}

func (d *aggDecoder) resource(i int) bool {
	var seen uint32
	return d.object(func(key []byte) bool {
		r := &d.resources[i]
		switch string(key) {
		case "resource":
			return see(&seen, fResource) && d.str(&r.Resource)
		case "responseKind":
			return see(&seen, fResponseKind) && d.gvkPtr(&r.ResponseKind)
		case "scope":
			var s string
			if !see(&seen, fScope) || !d.str(&s) {
				return false
			}
			r.Scope = ResourceScope(s)
			return true
		case "singularResource":
			return see(&seen, fSingular) && d.str(&r.SingularResource)
		case "verbs":
			return see(&seen, fVerbs) && d.strList(&r.Verbs)
		case "shortNames":
			return see(&seen, fShortNames) && d.strList(&r.ShortNames)
		case "categories":
			return see(&seen, fCategories) && d.strList(&r.Categories)
		case "subresources":
			return see(&seen, fSubresources) && d.subresourceList(&r.Subresources)
		}
		return d.skip()
	})
}

func (d *aggDecoder) subresourceList(dst *[]APISubresourceDiscovery) bool {
	if d.null() {
		*dst = nil
		return true
	}
	base := len(d.subs)
	ok := d.array(func() bool {
		d.subs = append(d.subs, APISubresourceDiscovery{})
		if d.null() {
			return true
		}
		return d.subresource(len(d.subs) - 1)
	})
	if ok {
		*dst = append(make([]APISubresourceDiscovery, 0, len(d.subs)-base), d.subs[base:]...)
	}
	clear(d.subs[base:])
	d.subs = d.subs[:base]
	return ok
}

func (d *aggDecoder) subresource(i int) bool {
	var seen uint32
	return d.object(func(key []byte) bool {
		s := &d.subs[i]
		switch string(key) {
		case "subresource":
			return see(&seen, fSubresource) && d.str(&s.Subresource)
		case "responseKind":
			return see(&seen, fResponseKind) && d.gvkPtr(&s.ResponseKind)
		case "acceptedTypes":
			return see(&seen, fAcceptedTypes) && d.gvkList(&s.AcceptedTypes)
		case "verbs":
			return see(&seen, fVerbs) && d.strList(&s.Verbs)
		}
		return d.skip()
	})
}

func (d *aggDecoder) gvkPtr(dst **metav1.GroupVersionKind) bool {
	if d.null() {
		*dst = nil
		return true
	}
	if len(d.slab) == cap(d.slab) {
		d.slab = make([]metav1.GroupVersionKind, 0, gvkSlab)
	}
	d.slab = d.slab[:len(d.slab)+1]
	k := &d.slab[len(d.slab)-1]
	if !d.gvk(k) {
		return false
	}
	*dst = k
	return true
}

func (d *aggDecoder) gvk(k *metav1.GroupVersionKind) bool {
	var seen uint32
	return d.object(func(key []byte) bool {
		switch string(key) {
		case "group":
			return see(&seen, fGroup) && d.str(&k.Group)
		case "version":
			return see(&seen, fVersion) && d.str(&k.Version)
		case "kind":
			return see(&seen, fKind) && d.str(&k.Kind)
		}
		return d.skip()
	})
}

func (d *aggDecoder) gvkList(dst *[]metav1.GroupVersionKind) bool {
	if d.null() {
		*dst = nil
		return true
	}
	base := len(d.gvks)
	ok := d.array(func() bool {
		d.gvks = append(d.gvks, metav1.GroupVersionKind{})
		if d.null() {
			return true
		}
		var k metav1.GroupVersionKind
		if !d.gvk(&k) {
			return false
		}
		d.gvks[len(d.gvks)-1] = k
		return true
	})
	if ok {
		*dst = append(make([]metav1.GroupVersionKind, 0, len(d.gvks)-base), d.gvks[base:]...)
	}
	d.gvks = d.gvks[:base]
	return ok
}

// strList decodes a list of strings, sharing one slice between lists
// written identically.
func (d *aggDecoder) strList(dst *[]string) bool {
	if d.null() {
		*dst = nil
		return true
	}
	start := d.pos
	base := len(d.strings)
	ok := d.array(func() bool {
		d.strings = append(d.strings, "")
		return d.str(&d.strings[len(d.strings)-1])
	})
	if ok {
		raw := d.data[start:d.pos]
		if l, hit := d.lists[string(raw)]; hit {
			*dst = l
		} else {
			l := append(make([]string, 0, len(d.strings)-base), d.strings[base:]...)
			d.lists[string(raw)] = l
			*dst = l
		}
	}
	d.strings = d.strings[:base]
	return ok
}

// object decodes an object, calling field for each key with the position
// on the value; field must consume the value.
func (d *aggDecoder) object(field func(key []byte) bool) bool {
	d.ws()
	if d.pos >= len(d.data) || d.data[d.pos] != '{' {
		return false
	}
	d.pos++
	d.ws()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return true
	}
	for {
		d.ws()
		key, ok := d.rawString()
		if !ok {
			return false
		}
		d.ws()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return false
		}
		d.pos++
		d.ws()
		if !field(key) {
			return false
		}
		d.ws()
		if d.pos >= len(d.data) {
			return false
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return true
		default:
			return false
		}
	}
}

// array decodes an array, calling elem with the position on each element;
// elem must consume it.
func (d *aggDecoder) array(elem func() bool) bool {
	d.ws()
	if d.pos >= len(d.data) || d.data[d.pos] != '[' {
		return false
	}
	d.pos++
	d.ws()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return true
	}
	for {
		d.ws()
		if !elem() {
			return false
		}
		d.ws()
		if d.pos >= len(d.data) {
			return false
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return true
		default:
			return false
		}
	}
}

func (d *aggDecoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// null consumes a null literal if one is next.
func (d *aggDecoder) null() bool {
	if len(d.data)-d.pos >= 4 && string(d.data[d.pos:d.pos+4]) == "null" {
		d.pos += 4
		return true
	}
	return false
}

// str decodes a string field; null leaves it unchanged, as encoding/json
// does.
func (d *aggDecoder) str(dst *string) bool {
	if d.null() {
		return true
	}
	b, ok := d.rawString()
	if !ok {
		return false
	}
	if len(b) > internMax {
		*dst = string(b)
		return true
	}
	if s, hit := d.strs[string(b)]; hit {
		*dst = s
		return true
	}
	s := string(b)
	d.strs[s] = s
	*dst = s
	return true
}

// rawString returns a string's bytes without the quotes. Escapes and
// invalid UTF-8, which the reflective decoder rewrites, make it give up.
func (d *aggDecoder) rawString() ([]byte, bool) {
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return nil, false
	}
	start := d.pos + 1
	ascii := true
	for i := start; i < len(d.data); i++ {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			b := d.data[start:i]
			if !ascii && !utf8.Valid(b) {
				return nil, false
			}
			return b, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// skip consumes any valid JSON value.
func (d *aggDecoder) skip() bool {
	d.ws()
	if d.pos >= len(d.data) {
		return false
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		if d.depth++; d.depth > maxAggDepth {
			return false
		}
		ok := d.object(func([]byte) bool { return d.skip() })
		d.depth--
		return ok
	case c == '[':
		if d.depth++; d.depth > maxAggDepth {
			return false
		}
		ok := d.array(d.skip)
		d.depth--
		return ok
	case c == '"':
		return d.skipString()
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	}
	return false
}

func (d *aggDecoder) literal(lit string) bool {
	if len(d.data)-d.pos >= len(lit) && string(d.data[d.pos:d.pos+len(lit)]) == lit {
		d.pos += len(lit)
		return true
	}
	return false
}

// skipString consumes a string with valid escapes; its content is not
// needed, so invalid UTF-8 (which encoding/json accepts) is fine.
func (d *aggDecoder) skipString() bool {
	i := d.pos + 1
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if i+1 >= len(d.data) {
				return false
			}
			switch d.data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(d.data) {
					return false
				}
				for _, h := range d.data[i+2 : i+6] {
					if !isHex(h) {
						return false
					}
				}
				i += 6
			default:
				return false
			}
		default:
			i++
		}
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number consumes a number in JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *aggDecoder) number() bool {
	i := d.pos
	n := len(d.data)
	if i < n && d.data[i] == '-' {
		i++
	}
	switch {
	case i < n && d.data[i] == '0':
		i++
	case i < n && d.data[i] >= '1' && d.data[i] <= '9':
		for i < n && isDigit(d.data[i]) {
			i++
		}
	default:
		return false
	}
	if i < n && d.data[i] == '.' {
		i++
		if i >= n || !isDigit(d.data[i]) {
			return false
		}
		for i < n && isDigit(d.data[i]) {
			i++
		}
	}
	if i < n && (d.data[i] == 'e' || d.data[i] == 'E') {
		i++
		if i < n && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		if i >= n || !isDigit(d.data[i]) {
			return false
		}
		for i < n && isDigit(d.data[i]) {
			i++
		}
	}
	d.pos = i
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
