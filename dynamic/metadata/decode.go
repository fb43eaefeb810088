package metadata

import (
	"bytes"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/json"

	"github.com/anykube/anykube/internal/codec/jsonscan"
)

// This file decodes PartialObjectMetadata and PartialObjectMetadataList
// bodies in one pass, without reflection: only kind, apiVersion and
// metadata are built, everything else (the spec and data of a full object
// a server sent instead of the metadata view) is stepped over.
//
// The fast path handles what API servers send. Whatever it is not sure to
// decode exactly as sigs.k8s.io/json's UnmarshalCaseSensitivePreserveInts
// would (a key given twice, a value of the wrong type, a timestamp that does
// not parse, invalid UTF-8, a syntax error) makes it give up, and the body is
// decoded again reflectively, so that results and errors never depend on
// which path ran.
//
// Strings up to 64 bytes that repeat (label keys and values, managers,
// apiVersions) are shared between items, as Go strings are immutable; each
// item's slices, maps and FieldsV1 bytes are its own.

// decodeObject decodes one object's kind, apiVersion and metadata into obj.
func decodeObject(data []byte, obj *metav1.PartialObjectMetadata) error {
	if fastObject(data, obj) {
		return nil
	}
	*obj = metav1.PartialObjectMetadata{}
	return json.UnmarshalCaseSensitivePreserveInts(data, obj)
}

// fastObject is decodeObject's fast path; false when it gave up.
func fastObject(data []byte, obj *metav1.PartialObjectMetadata) bool {
	d := decoderPool.Get().(*decoder)
	d.s.Reset(data)
	ok := d.s.Begin('{') && d.object(obj) && d.s.End()
	d.reset()
	decoderPool.Put(d)
	return ok
}

// decodeList decodes a list's kind, apiVersion, list metadata and the
// metadata of every item into list.
func decodeList(data []byte, list *metav1.PartialObjectMetadataList) error {
	if fastList(data, list) {
		return nil
	}
	*list = metav1.PartialObjectMetadataList{}
	return json.UnmarshalCaseSensitivePreserveInts(data, list)
}

// fastList is decodeList's fast path; false when it gave up.
func fastList(data []byte, list *metav1.PartialObjectMetadataList) bool {
	d := decoderPool.Get().(*decoder)
	d.s.Reset(data)
	// An upper bound of the items: every item has one "metadata" key,
	// the list another. One allocation of the items beats growing a
	// slice of 300-byte structs by doubling.
	d.itemsHint = bytes.Count(data, []byte(`"metadata"`))
	ok := d.s.Begin('{') && d.list(list) && d.s.End()
	d.reset()
	decoderPool.Put(d)
	return ok
}

var decoderPool = sync.Pool{New: func() any { return new(decoder) }}

// decoder holds one decode's scanner and scratch space reused between
// decodes. Every method returns false when the fast path gives up.
type decoder struct {
	s jsonscan.Scanner

	// Elements of open arrays, copied out at their final length when the
	// array closes.
	itemsHint int // capacity for the top-level items
	owners    []metav1.OwnerReference
	managed   []metav1.ManagedFieldsEntry

	// times caches parsed timestamps by their text: objects created or
	// written in the same second share it, and parsing is the costly part.
	times map[string]time.Time
}

func (d *decoder) reset() {
	d.s.Release()
	d.owners = jsonscan.ClearScratch(d.owners)
	d.managed = jsonscan.ClearScratch(d.managed)
	if len(d.times) > 4096 {
		d.times = nil
	} else {
		clear(d.times)
	}
}

// Field bits, to notice a key given twice: sigs.k8s.io/json merges the
// second value into the first, which the fast path does not reproduce.
const (
	fKind = 1 << iota
	fAPIVersion
	fMetadata
	fItems
	fName
	fGenerateName
	fNamespace
	fSelfLink
	fUID
	fResourceVersion
	fGeneration
	fCreationTimestamp
	fDeletionTimestamp
	fDeletionGracePeriod
	fLabels
	fAnnotations
	fOwnerReferences
	fFinalizers
	fManagedFields
	fContinue
	fRemainingItemCount
	fController
	fBlockOwnerDeletion
	fManager
	fOperation
	fTime
	fFieldsType
	fFieldsV1
	fSubresource
)

// see records a field; false when it was seen before.
func see(seen *uint32, bit uint32) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return true
}

func (d *decoder) list(list *metav1.PartialObjectMetadataList) bool {
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
			return see(&seen, fItems) && d.itemList(&list.Items)
		}
		return d.s.Skip()
	})
}

func (d *decoder) listMeta(m *metav1.ListMeta) bool {
	if d.s.Null() {
		return true
	}
	var seen uint32
	return d.s.Object(func(key []byte) bool {
		switch string(key) {
		case "selfLink":
			return see(&seen, fSelfLink) && d.s.String(&m.SelfLink)
		case "resourceVersion":
			return see(&seen, fResourceVersion) && d.s.StringNoIntern(&m.ResourceVersion)
		case "continue":
			return see(&seen, fContinue) && d.s.StringNoIntern(&m.Continue)
		case "remainingItemCount":
			if !see(&seen, fRemainingItemCount) {
				return false
			}
			if d.s.Null() {
				m.RemainingItemCount = nil
				return true
			}
			var n int64
			if !d.s.Int64(&n) {
				return false
			}
			m.RemainingItemCount = &n
			return true
		}
		return d.s.Skip()
	})
}

func (d *decoder) itemList(dst *[]metav1.PartialObjectMetadata) bool {
	if d.s.Null() {
		*dst = nil
		return true
	}
	// Items are decoded in place into the result, sized by the hint:
	// they do not nest, so no scratch space is needed.
	items := make([]metav1.PartialObjectMetadata, 0, d.itemsHint)
	ok := d.s.Array(func() bool {
		items = append(items, metav1.PartialObjectMetadata{})
		if d.s.Null() {
			return true
		}
		return d.object(&items[len(items)-1])
	})
	if ok {
		*dst = items
	}
	return ok
}

// object decodes an object's kind, apiVersion and metadata, skipping the
// rest.
func (d *decoder) object(obj *metav1.PartialObjectMetadata) bool {
	var seen uint32
	return d.s.Object(func(key []byte) bool {
		switch string(key) {
		case "kind":
			return see(&seen, fKind) && d.s.String(&obj.Kind)
		case "apiVersion":
			return see(&seen, fAPIVersion) && d.s.String(&obj.APIVersion)
		case "metadata":
			return see(&seen, fMetadata) && d.objectMeta(&obj.ObjectMeta)
		}
		return d.s.Skip()
	})
}

func (d *decoder) objectMeta(m *metav1.ObjectMeta) bool {
	if d.s.Null() {
		return true
	}
	var seen uint32
	return d.s.Object(func(key []byte) bool {
		switch string(key) {
		case "name":
			return see(&seen, fName) && d.s.StringNoIntern(&m.Name)
		case "generateName":
			return see(&seen, fGenerateName) && d.s.String(&m.GenerateName)
		case "namespace":
			return see(&seen, fNamespace) && d.s.String(&m.Namespace)
		case "selfLink":
			return see(&seen, fSelfLink) && d.s.StringNoIntern(&m.SelfLink)
		case "uid":
			var uid string
			if !see(&seen, fUID) || !d.s.StringNoIntern(&uid) {
				return false
			}
			m.UID = types.UID(uid)
			return true
		case "resourceVersion":
			return see(&seen, fResourceVersion) && d.s.StringNoIntern(&m.ResourceVersion)
		case "generation":
			return see(&seen, fGeneration) && d.s.Int64(&m.Generation)
		case "creationTimestamp":
			return see(&seen, fCreationTimestamp) && d.timeValue(&m.CreationTimestamp)
		case "deletionTimestamp":
			return see(&seen, fDeletionTimestamp) && d.timePtr(&m.DeletionTimestamp)
		case "deletionGracePeriodSeconds":
			return see(&seen, fDeletionGracePeriod) && d.int64Ptr(&m.DeletionGracePeriodSeconds)
		case "labels":
			return see(&seen, fLabels) && d.stringMap(&m.Labels)
		case "annotations":
			return see(&seen, fAnnotations) && d.stringMap(&m.Annotations)
		case "ownerReferences":
			return see(&seen, fOwnerReferences) && d.ownerRefs(&m.OwnerReferences)
		case "finalizers":
			return see(&seen, fFinalizers) && d.stringList(&m.Finalizers)
		case "managedFields":
			return see(&seen, fManagedFields) && d.managedFields(&m.ManagedFields)
		}
		return d.s.Skip()
	})
}

// stringList decodes a string array into a slice of its own (the scanner's
// StringList shares equal lists, and finalizers belong to their object).
func (d *decoder) stringList(dst *[]string) bool {
	var shared []string
	if !d.s.StringList(&shared) {
		return false
	}
	if shared == nil {
		*dst = nil
		return true
	}
	*dst = append(make([]string, 0, len(shared)), shared...)
	return true
}

// stringMap decodes labels or annotations. Like sigs.k8s.io/json, null
// gives a nil map, a null value the empty string, and a repeated key its
// last value.
func (d *decoder) stringMap(dst *map[string]string) bool {
	if d.s.Null() {
		*dst = nil
		return true
	}
	m := make(map[string]string)
	ok := d.s.Object(func(key []byte) bool {
		// The key first: its bytes may be scratch space that decoding
		// the value reuses.
		k := d.s.Intern(key)
		var v string
		if !d.s.String(&v) {
			return false
		}
		m[k] = v
		return true
	})
	*dst = m
	return ok
}

func (d *decoder) ownerRefs(dst *[]metav1.OwnerReference) bool {
	if d.s.Null() {
		*dst = nil
		return true
	}
	base := len(d.owners)
	ok := d.s.Array(func() bool {
		var ref metav1.OwnerReference
		if !d.s.Null() && !d.ownerRef(&ref) {
			return false
		}
		d.owners = append(d.owners, ref)
		return true
	})
	if ok {
		*dst = append(make([]metav1.OwnerReference, 0, len(d.owners)-base), d.owners[base:]...)
	}
	clear(d.owners[base:])
	d.owners = d.owners[:base]
	return ok
}

func (d *decoder) ownerRef(r *metav1.OwnerReference) bool {
	var seen uint32
	return d.s.Object(func(key []byte) bool {
		switch string(key) {
		case "apiVersion":
			return see(&seen, fAPIVersion) && d.s.String(&r.APIVersion)
		case "kind":
			return see(&seen, fKind) && d.s.String(&r.Kind)
		case "name":
			return see(&seen, fName) && d.s.String(&r.Name)
		case "uid":
			var uid string
			if !see(&seen, fUID) || !d.s.String(&uid) {
				return false
			}
			r.UID = types.UID(uid)
			return true
		case "controller":
			return see(&seen, fController) && d.boolPtr(&r.Controller)
		case "blockOwnerDeletion":
			return see(&seen, fBlockOwnerDeletion) && d.boolPtr(&r.BlockOwnerDeletion)
		}
		return d.s.Skip()
	})
}

func (d *decoder) managedFields(dst *[]metav1.ManagedFieldsEntry) bool {
	if d.s.Null() {
		*dst = nil
		return true
	}
	base := len(d.managed)
	ok := d.s.Array(func() bool {
		var e metav1.ManagedFieldsEntry
		if !d.s.Null() && !d.managedEntry(&e) {
			return false
		}
		d.managed = append(d.managed, e)
		return true
	})
	if ok {
		*dst = append(make([]metav1.ManagedFieldsEntry, 0, len(d.managed)-base), d.managed[base:]...)
	}
	clear(d.managed[base:])
	d.managed = d.managed[:base]
	return ok
}

func (d *decoder) managedEntry(e *metav1.ManagedFieldsEntry) bool {
	var seen uint32
	return d.s.Object(func(key []byte) bool {
		switch string(key) {
		case "manager":
			return see(&seen, fManager) && d.s.String(&e.Manager)
		case "operation":
			var op string
			if !see(&seen, fOperation) || !d.s.String(&op) {
				return false
			}
			e.Operation = metav1.ManagedFieldsOperationType(op)
			return true
		case "apiVersion":
			return see(&seen, fAPIVersion) && d.s.String(&e.APIVersion)
		case "time":
			return see(&seen, fTime) && d.timePtr(&e.Time)
		case "fieldsType":
			return see(&seen, fFieldsType) && d.s.String(&e.FieldsType)
		case "fieldsV1":
			if !see(&seen, fFieldsV1) {
				return false
			}
			if d.s.Null() {
				e.FieldsV1 = nil
				return true
			}
			raw, ok := d.s.Raw()
			if !ok {
				return false
			}
			// The body's buffer is reused: the bytes are copied.
			e.FieldsV1 = &metav1.FieldsV1{Raw: append([]byte(nil), raw...)}
			return true
		case "subresource":
			return see(&seen, fSubresource) && d.s.String(&e.Subresource)
		}
		return d.s.Skip()
	})
}

func (d *decoder) boolPtr(dst **bool) bool {
	if d.s.Null() {
		*dst = nil
		return true
	}
	var b bool
	if !d.s.Bool(&b) {
		return false
	}
	*dst = &b
	return true
}

func (d *decoder) int64Ptr(dst **int64) bool {
	if d.s.Null() {
		*dst = nil
		return true
	}
	var n int64
	if !d.s.Int64(&n) {
		return false
	}
	*dst = &n
	return true
}

// timeValue decodes a timestamp the way metav1.Time's UnmarshalJSON does:
// null is the zero time, anything else RFC 3339 in local time. A string
// that does not parse makes the fast path give up, for the reflective
// decoder's error.
func (d *decoder) timeValue(dst *metav1.Time) bool {
	if d.s.Null() {
		*dst = metav1.Time{}
		return true
	}
	var text string
	if !d.s.String(&text) {
		return false
	}
	if t, hit := d.times[text]; hit {
		dst.Time = t
		return true
	}
	t, err := time.Parse(time.RFC3339, text)
	if err != nil {
		return false
	}
	t = t.Local()
	if d.times == nil {
		d.times = make(map[string]time.Time, 64)
	}
	d.times[text] = t
	dst.Time = t
	return true
}

// timePtr decodes an optional timestamp: null leaves it nil.
func (d *decoder) timePtr(dst **metav1.Time) bool {
	if d.s.Null() {
		*dst = nil
		return true
	}
	t := new(metav1.Time)
	if !d.timeValue(t) {
		return false
	}
	*dst = t
	return true
}
