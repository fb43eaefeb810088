package metadatainformer

import (
	"slices"
	"strconv"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// StripManagedFields is a transform that deletes metadata.managedFields,
// the server-side apply bookkeeping that is often the larger part of an
// object's metadata and that tools reading metadata seldom need. It never
// fails. The informers' default transform does this and also shares
// repeated strings between objects; see the package documentation.
func StripManagedFields(obj *metav1.PartialObjectMetadata) (*metav1.PartialObjectMetadata, error) {
	obj.ManagedFields = nil
	return obj, nil
}

// KeepEverything is a transform that leaves objects as the server sent
// them; set it as Options.Transform to keep managedFields.
func KeepEverything(obj *metav1.PartialObjectMetadata) (*metav1.PartialObjectMetadata, error) {
	return obj, nil
}

// maxInterned and maxLabelSets bound a stripper's tables, so that label
// values unique to each object (hashes, timestamps) cannot grow them
// without end: past them, new strings and label sets are kept as decoded.
const (
	maxInterned  = 1 << 14
	maxLabelSets = 1 << 12
)

// stripper is the default transform: StripManagedFields, and what objects
// commonly repeat replaced by one shared copy: strings, so that ten
// thousand objects of a namespace hold its name once rather than ten
// thousand times, and whole label sets, which the replicas of a workload
// (and most objects made by one controller) have in common, and whose
// maps are the largest part of the metadata left. One stripper serves
// every informer of a Source.
//
// Sharing is safe because cached objects are read-only for everyone (see
// informer.EventHandlerOf); a caller that changes an object's labels must
// DeepCopy it first, as for any cached object.
type stripper struct {
	// mu guards every field below.
	mu    sync.Mutex
	table map[string]string
	// labelSets maps a label set's canonical form (see setKey) to the
	// map objects with that set share.
	labelSets map[string]map[string]string
	// buf and keys are scratch space for setKey.
	buf  []byte
	keys []string
}

func newStripper() *stripper {
	return &stripper{table: map[string]string{}, labelSets: map[string]map[string]string{}}
}

func (s *stripper) strip(obj *metav1.PartialObjectMetadata) (*metav1.PartialObjectMetadata, error) {
	obj.ManagedFields = nil
	s.mu.Lock()
	defer s.mu.Unlock()
	obj.APIVersion = s.internLocked(obj.APIVersion)
	obj.Kind = s.internLocked(obj.Kind)
	obj.Namespace = s.internLocked(obj.Namespace)
	obj.Labels = s.labelSetLocked(obj.Labels)
	obj.Annotations = s.internMapLocked(obj.Annotations, false)
	return obj, nil
}

// labelSetLocked returns the shared map with the same labels as m, making
// a copy of m (with shared strings) the shared one when there is room.
// s.mu must be held.
func (s *stripper) labelSetLocked(m map[string]string) map[string]string {
	if len(m) == 0 {
		return m
	}
	key := s.setKeyLocked(m)
	if shared, ok := s.labelSets[string(key)]; ok {
		return shared
	}
	out := s.internMapLocked(m, true)
	if len(s.labelSets) < maxLabelSets {
		s.labelSets[string(key)] = out
	}
	return out
}

// setKeyLocked returns the canonical form of m, its pairs sorted by key,
// in s.buf: each key and value preceded by its length, so that no two
// sets share a form. s.mu must be held.
func (s *stripper) setKeyLocked(m map[string]string) []byte {
	s.keys = s.keys[:0]
	for k := range m {
		s.keys = append(s.keys, k)
	}
	slices.Sort(s.keys)
	b := s.buf[:0]
	for _, k := range s.keys {
		b = strconv.AppendInt(b, int64(len(k)), 10)
		b = append(b, ':')
		b = append(b, k...)
		v := m[k]
		b = strconv.AppendInt(b, int64(len(v)), 10)
		b = append(b, ':')
		b = append(b, v...)
	}
	s.buf = b
	return b
}

// internLocked returns the shared copy of v, making v it when there is
// room. s.mu must be held.
func (s *stripper) internLocked(v string) string {
	if v == "" {
		return v
	}
	if shared, ok := s.table[v]; ok {
		return shared
	}
	if len(s.table) < maxInterned {
		s.table[v] = v
	}
	return v
}

// internMapLocked returns a copy of m, sized to fit, with shared keys,
// and shared values too when values is set (annotation values are mostly
// unique and often large). s.mu must be held.
func (s *stripper) internMapLocked(m map[string]string, values bool) map[string]string {
	if len(m) == 0 {
		return m
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if values {
			v = s.internLocked(v)
		}
		out[s.internLocked(k)] = v
	}
	return out
}
