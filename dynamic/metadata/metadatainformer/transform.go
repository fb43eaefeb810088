package metadatainformer

import (
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

// maxInterned bounds a stripper's table, so that label values unique to
// each object (hashes, timestamps) cannot grow it without end: past it,
// new strings are kept as decoded.
const maxInterned = 1 << 14

// stripper is the default transform: StripManagedFields, and each string
// that objects commonly repeat replaced by one shared copy, so that ten
// thousand objects of a namespace hold its name once rather than ten
// thousand times. One stripper serves every informer of a Source.
type stripper struct {
	// mu guards table.
	mu    sync.Mutex
	table map[string]string
}

func newStripper() *stripper {
	return &stripper{table: map[string]string{}}
}

func (s *stripper) strip(obj *metav1.PartialObjectMetadata) (*metav1.PartialObjectMetadata, error) {
	obj.ManagedFields = nil
	s.mu.Lock()
	defer s.mu.Unlock()
	obj.APIVersion = s.internLocked(obj.APIVersion)
	obj.Kind = s.internLocked(obj.Kind)
	obj.Namespace = s.internLocked(obj.Namespace)
	obj.Labels = s.internMapLocked(obj.Labels, true)
	obj.Annotations = s.internMapLocked(obj.Annotations, false)
	return obj, nil
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
