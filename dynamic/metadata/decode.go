package metadata

import (
	"slices"
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
// apiVersions) are shared between items, as Go strings are immutable; an
// item's name, uid and resourceVersion share one allocation. Each item's
// maps are its own, and so are its slices and FieldsV1 bytes, which are
// cut from shared chunks with their capacity at their length (slab.go), so
// that an append copies rather than writing over a neighbour.

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

	// Elements of open arrays and maps, copied out at their final length
	// when they close.
	owners  []metav1.OwnerReference
	managed []metav1.ManagedFieldsEntry
	pairs   []string // keys and values of an open label or annotation map

	// An object's own strings (name, uid, resourceVersion), gathered
	// while its metadata is open and made into one allocation when it
	// closes: they live and die with the object anyway.
	ownBuf []byte
	owns   [4]ownString
	nOwns  int

	// Slabs of the results: the small pieces of every object's metadata
	// are carved out of larger allocations, one of each per few hundred
	// objects rather than one per piece. They belong to the results, so
	// reset drops them rather than keeping them for the next decode.
	rawSlab    slab[byte]
	fieldsSlab slab[metav1.FieldsV1]
	timeSlab   slab[metav1.Time]
	entrySlab  slab[metav1.ManagedFieldsEntry]
	ownerSlab  slab[metav1.OwnerReference]
	stringSlab slab[string]
}

// ownString is a string of an object's metadata waiting for its bytes:
// ownBuf[start:end] goes to *dst.
type ownString struct {
	dst        *string
	start, end int
}

func (d *decoder) reset() {
	d.s.Release()
	d.nOwns = 0
	if cap(d.ownBuf) > 4096 {
		d.ownBuf = nil
	}
	d.ownBuf = d.ownBuf[:0]
	d.owners = jsonscan.ClearScratch(d.owners)
	d.managed = jsonscan.ClearScratch(d.managed)
	d.pairs = jsonscan.ClearScratch(d.pairs)
	d.rawSlab = slab[byte]{}
	d.fieldsSlab = slab[metav1.FieldsV1]{}
	d.timeSlab = slab[metav1.Time]{}
	d.entrySlab = slab[metav1.ManagedFieldsEntry]{}
	d.ownerSlab = slab[metav1.OwnerReference]{}
	d.stringSlab = slab[string]{}
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
	// Items are decoded in place into the result: they do not nest, so
	// no scratch space is needed. Growing a slice of 300-byte structs by
	// doubling would copy and waste as much as it keeps, so once the
	// first items are in, its size is estimated from the bytes they took
	// and the bytes left.
	start := d.s.Offset()
	items := make([]metav1.PartialObjectMetadata, 0, 16)
	ok := d.s.Array(func() bool {
		if len(items) == cap(items) {
			items = slices.Grow(items, estimateItems(len(items), d.s.Offset()-start, d.s.Len()-d.s.Offset()))
		}
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

// estimateItems returns how many more items to make room for, when n items
// took the given bytes and left bytes remain: as many as remain at the same
// size, plus a sixteenth for items that are smaller than those so far.
func estimateItems(n, took, left int) int {
	more := left / max(took/n, 1)
	return max(more+more/16, 16)
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
	ok := d.s.Object(func(key []byte) bool {
		switch string(key) {
		case "name":
			return see(&seen, fName) && d.ownString(&m.Name)
		case "generateName":
			return see(&seen, fGenerateName) && d.s.String(&m.GenerateName)
		case "namespace":
			return see(&seen, fNamespace) && d.s.String(&m.Namespace)
		case "selfLink":
			return see(&seen, fSelfLink) && d.s.StringNoIntern(&m.SelfLink)
		case "uid":
			return see(&seen, fUID) && d.ownString((*string)(&m.UID))
		case "resourceVersion":
			return see(&seen, fResourceVersion) && d.ownString(&m.ResourceVersion)
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
	d.flushOwn()
	return ok
}

// ownString decodes a string of the object's own into *dst once the
// object's metadata closes (flushOwn); null leaves it unchanged.
func (d *decoder) ownString(dst *string) bool {
	if d.s.Null() {
		return true
	}
	b, ok := d.s.StringBytes()
	if !ok {
		return false
	}
	if d.nOwns == len(d.owns) {
		*dst = string(b)
		return true
	}
	start := len(d.ownBuf)
	d.ownBuf = append(d.ownBuf, b...)
	d.owns[d.nOwns] = ownString{dst: dst, start: start, end: len(d.ownBuf)}
	d.nOwns++
	return true
}

// flushOwn gives the object's own strings their bytes, in one allocation.
func (d *decoder) flushOwn() {
	if d.nOwns == 0 {
		return
	}
	all := string(d.ownBuf)
	for i := range d.owns[:d.nOwns] {
		o := &d.owns[i]
		*o.dst = all[o.start:o.end]
		*o = ownString{}
	}
	d.nOwns = 0
	d.ownBuf = d.ownBuf[:0]
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
	*dst = d.stringSlab.copy(shared)
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
	// The pairs are gathered first so that the map is made at its size
	// in one allocation instead of growing as keys come.
	base := len(d.pairs)
	ok := d.s.Object(func(key []byte) bool {
		// The key first: its bytes may be scratch space that decoding
		// the value reuses.
		d.pairs = append(d.pairs, d.s.Intern(key), "")
		return d.s.String(&d.pairs[len(d.pairs)-1])
	})
	if ok {
		pairs := d.pairs[base:]
		m := make(map[string]string, len(pairs)/2)
		for i := 0; i < len(pairs); i += 2 {
			m[pairs[i]] = pairs[i+1]
		}
		*dst = m
	}
	clear(d.pairs[base:])
	d.pairs = d.pairs[:base]
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
		*dst = d.ownerSlab.copy(d.owners[base:])
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
		*dst = d.entrySlab.copy(d.managed[base:])
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
			f := &d.fieldsSlab.take(1)[0]
			f.Raw = d.rawSlab.copy(raw)
			e.FieldsV1 = f
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
	text, ok := d.s.StringBytes()
	if !ok {
		return false
	}
	t, ok := parseUTCSeconds(text)
	if !ok {
		var err error
		if t, err = time.Parse(time.RFC3339, string(text)); err != nil {
			return false
		}
	}
	dst.Time = t.Local()
	return true
}

// parseUTCSeconds parses the one form API servers write timestamps in,
// "2006-01-02T15:04:05Z", to what time.Parse(time.RFC3339, ...) returns
// for it; false for anything else (other zones, fractions, out of range
// fields), which time.Parse then decides.
func parseUTCSeconds(b []byte) (time.Time, bool) {
	if len(b) != 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[19] != 'Z' {
		return time.Time{}, false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range b[i : i+n] {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, sec := num(11, 2), num(14, 2), num(17, 2)
	if year < 0 || month < 1 || month > 12 || day < 1 || day > 28 && day > daysIn(month, year) ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC), true
}

// daysIn returns the number of days of month in year.
func daysIn(month, year int) int {
	// The day before the first of the next month; time.Date normalizes.
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// timePtr decodes an optional timestamp: null leaves it nil.
func (d *decoder) timePtr(dst **metav1.Time) bool {
	if d.s.Null() {
		*dst = nil
		return true
	}
	t := &d.timeSlab.take(1)[0]
	if !d.timeValue(t) {
		return false
	}
	*dst = t
	return true
}
