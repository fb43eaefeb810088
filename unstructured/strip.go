package unstructured

import (
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// serverPopulatedMetadata lists the metadata fields the API server writes
// and a client never sets: they make two otherwise equal objects differ,
// and an apply must not send them.
var serverPopulatedMetadata = []string{
	"managedFields",
	"resourceVersion",
	"uid",
	"creationTimestamp",
	"generation",
	"selfLink",
	"deletionTimestamp",
	"deletionGracePeriodSeconds",
}

// StripServerFields returns a deep copy of u without the fields the server
// populates, ready for a diff against a manifest or for an apply: metadata's
// managedFields, resourceVersion, uid, creationTimestamp, generation,
// selfLink, deletionTimestamp and deletionGracePeriodSeconds, and the whole
// top-level status.
// Everything a client may set stays, including finalizers, ownerReferences,
// generateName and the kubectl.kubernetes.io/last-applied-configuration
// annotation. A nil u gives nil; u itself is not modified.
//
// status is dropped even for a custom resource without a status
// subresource, where a client may write it; remove it from a diff's other
// side too.
func StripServerFields(u *apiu.Unstructured) *apiu.Unstructured {
	if u == nil {
		return nil
	}
	out := &apiu.Unstructured{Object: map[string]any{}}
	for k, v := range u.Object {
		switch k {
		case "status":
			continue
		case "metadata":
			md, ok := v.(map[string]any)
			if !ok {
				break
			}
			clean := make(map[string]any, len(md))
			for mk, mv := range md {
				clean[mk] = copyJSON(mv)
			}
			for _, f := range serverPopulatedMetadata {
				delete(clean, f)
			}
			out.Object[k] = clean
			continue
		}
		out.Object[k] = copyJSON(v)
	}
	return out
}
