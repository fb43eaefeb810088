package discovery

import (
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/json"

	"github.com/anykube/anykube/internal/codec/jsonscan"
)

// This file decodes the aggregated discovery document in one pass over the
// bytes, without reflection. Reflective decoding was most of the CPU and
// allocation of a cold discovery: it grows every slice by doubling and
// allocates every string, while the document repeats the same few verbs,
// scopes and kinds thousands of times.
//
// The fast path handles the documents API servers send. Whatever it is not
// sure to decode exactly as sigs.k8s.io/json would (invalid UTF-8, a key
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
	return new(aggDecoder)
}}

// gvkSlab is how many response kinds are allocated at once.
const gvkSlab = 128

// aggDecoder holds one decode's scanner and the scratch space reused
// between decodes. Every method returns false when the fast path gives up.
type aggDecoder struct {
	s jsonscan.Scanner

	// Elements of open arrays, innermost last, copied out into slices of
	// the exact length when the array closes.
	items     []APIGroupDiscovery
	versions  []APIVersionDiscovery
	resources []APIResourceDiscovery
	subs      []APISubresourceDiscovery
	gvks      []metav1.GroupVersionKind

	slab []metav1.GroupVersionKind
}

func (d *aggDecoder) reset() {
	d.s.Release()
	d.items = jsonscan.ClearScratch(d.items)
	d.versions = jsonscan.ClearScratch(d.versions)
	d.resources = jsonscan.ClearScratch(d.resources)
	d.subs = jsonscan.ClearScratch(d.subs)
	d.gvks = jsonscan.ClearScratch(d.gvks)
	d.slab = nil
}

func (d *aggDecoder) decode(data []byte, list *APIGroupDiscoveryList) bool {
	d.s.Reset(data)
	if !d.s.Begin('{') {
		return false // null, or a type error: the reflective decoder decides
	}
	return d.listDoc(list) && d.s.End()
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
	return d.s.Object(func(key []byte) bool {
		switch string(key) {
		case "kind":
			return see(&seen, fKind) && d.s.String(&list.Kind)
		case "apiVersion":
			return see(&seen, fAPIVersion) && d.s.String(&list.APIVersion)
		case "metadata":
			return see(&seen, fMetadata) && d.listMeta(&list.ListMeta)
		case "items":
			return see(&seen, fItems) && d.groups(&list.Items)
		}
		return d.s.Skip()
	})
}

func (d *aggDecoder) listMeta(m *metav1.ListMeta) bool {
	if d.s.Null() {
		return true
	}
	var seen uint32
	return d.s.Object(func(key []byte) bool {
		switch string(key) {
		case "selfLink":
			return see(&seen, fSelfLink) && d.s.String(&m.SelfLink)
		case "resourceVersion":
			return see(&seen, fResourceVersion) && d.s.String(&m.ResourceVersion)
		case "continue":
			return see(&seen, fContinue) && d.s.String(&m.Continue)
		case "remainingItemCount":
			return d.s.Null()
		}
		return d.s.Skip()
	})
}

func (d *aggDecoder) groups(dst *[]APIGroupDiscovery) bool {
	if d.s.Null() {
		*dst = nil
		return true
	}
	base := len(d.items)
	ok := d.s.Array(func() bool {
		d.items = append(d.items, APIGroupDiscovery{})
		if d.s.Null() {
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
	return d.s.Object(func(key []byte) bool {
		g := &d.items[i]
		switch string(key) {
		case "kind":
			return see(&seen, fKind) && d.s.String(&g.Kind)
		case "apiVersion":
			return see(&seen, fAPIVersion) && d.s.String(&g.APIVersion)
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
		return d.s.Skip()
	})
}

// objectMeta decodes the name; any other field of ObjectMeta that is not
// null sends the document to the reflective decoder, which knows them all.
func (d *aggDecoder) objectMeta(m *metav1.ObjectMeta) bool {
	if d.s.Null() {
		return true
	}
	var seen uint32
	return d.s.Object(func(key []byte) bool {
		if string(key) == "name" {
			// A group's name is unique in the document: interning it
			// would only grow the scanner's table.
			return see(&seen, fName) && d.s.StringNoIntern(&m.Name)
		}
		return d.s.Null()
	})
}

func (d *aggDecoder) versionList(dst *[]APIVersionDiscovery) bool {
	if d.s.Null() {
		*dst = nil
		return true
	}
	base := len(d.versions)
	ok := d.s.Array(func() bool {
		d.versions = append(d.versions, APIVersionDiscovery{})
		if d.s.Null() {
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
	return d.s.Object(func(key []byte) bool {
		switch string(key) {
		case "version":
			return see(&seen, fVersion) && d.s.String(&d.versions[i].Version)
		case "freshness":
			var s string
			if !see(&seen, fFreshness) || !d.s.String(&s) {
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
		return d.s.Skip()
	})
}

func (d *aggDecoder) resourceList(dst *[]APIResourceDiscovery) bool {
	if d.s.Null() {
		*dst = nil
		return true
	}
	base := len(d.resources)
	ok := d.s.Array(func() bool {
		d.resources = append(d.resources, APIResourceDiscovery{})
		if d.s.Null() {
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
	return d.s.Object(func(key []byte) bool {
		r := &d.resources[i]
		switch string(key) {
		case "resource":
			return see(&seen, fResource) && d.s.String(&r.Resource)
		case "responseKind":
			return see(&seen, fResponseKind) && d.gvkPtr(&r.ResponseKind)
		case "scope":
			var s string
			if !see(&seen, fScope) || !d.s.String(&s) {
				return false
			}
			r.Scope = ResourceScope(s)
			return true
		case "singularResource":
			return see(&seen, fSingular) && d.s.String(&r.SingularResource)
		case "verbs":
			return see(&seen, fVerbs) && d.s.StringList(&r.Verbs)
		case "shortNames":
			return see(&seen, fShortNames) && d.s.StringList(&r.ShortNames)
		case "categories":
			return see(&seen, fCategories) && d.s.StringList(&r.Categories)
		case "subresources":
			return see(&seen, fSubresources) && d.subresourceList(&r.Subresources)
		}
		return d.s.Skip()
	})
}

func (d *aggDecoder) subresourceList(dst *[]APISubresourceDiscovery) bool {
	if d.s.Null() {
		*dst = nil
		return true
	}
	base := len(d.subs)
	ok := d.s.Array(func() bool {
		d.subs = append(d.subs, APISubresourceDiscovery{})
		if d.s.Null() {
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
	return d.s.Object(func(key []byte) bool {
		s := &d.subs[i]
		switch string(key) {
		case "subresource":
			return see(&seen, fSubresource) && d.s.String(&s.Subresource)
		case "responseKind":
			return see(&seen, fResponseKind) && d.gvkPtr(&s.ResponseKind)
		case "acceptedTypes":
			return see(&seen, fAcceptedTypes) && d.gvkList(&s.AcceptedTypes)
		case "verbs":
			return see(&seen, fVerbs) && d.s.StringList(&s.Verbs)
		}
		return d.s.Skip()
	})
}

func (d *aggDecoder) gvkPtr(dst **metav1.GroupVersionKind) bool {
	if d.s.Null() {
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
	return d.s.Object(func(key []byte) bool {
		switch string(key) {
		case "group":
			return see(&seen, fGroup) && d.s.String(&k.Group)
		case "version":
			return see(&seen, fVersion) && d.s.String(&k.Version)
		case "kind":
			return see(&seen, fKind) && d.s.String(&k.Kind)
		}
		return d.s.Skip()
	})
}

func (d *aggDecoder) gvkList(dst *[]metav1.GroupVersionKind) bool {
	if d.s.Null() {
		*dst = nil
		return true
	}
	base := len(d.gvks)
	ok := d.s.Array(func() bool {
		d.gvks = append(d.gvks, metav1.GroupVersionKind{})
		if d.s.Null() {
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
