package applyset

import (
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The label and annotation keys of KEP-3659.
const (
	// LabelID on the parent holds the set's id.
	LabelID = "applyset.kubernetes.io/id"
	// LabelPartOf on each member holds the id of the set it belongs to.
	LabelPartOf = "applyset.kubernetes.io/part-of"
	// AnnotationTooling on the parent names the tool managing the set, as
	// "name/version".
	AnnotationTooling = "applyset.kubernetes.io/tooling"
	// AnnotationGroupKinds on the parent lists, comma-separated and
	// sorted, the kinds members may have ("Deployment.apps,Namespace").
	AnnotationGroupKinds = "applyset.kubernetes.io/contains-group-kinds"
	// AnnotationNamespaces on the parent lists the namespaces, other than
	// the parent's, where members may be.
	AnnotationNamespaces = "applyset.kubernetes.io/additional-namespaces"
)

// ID returns the id of the set whose parent has the given name, namespace
// ("" for a cluster-scoped parent), kind and group: "applyset-" and the
// unpadded URL-safe base64 of the SHA-256 of "name.namespace.kind.group",
// then "-v1", as KEP-3659 defines it, so that every tool computes the same.
func ID(name, namespace string, gk schema.GroupKind) string {
	sum := sha256.Sum256([]byte(strings.Join([]string{name, namespace, gk.Kind, gk.Group}, ".")))
	return "applyset-" + base64.RawURLEncoding.EncodeToString(sum[:]) + "-v1"
}

// joinSorted renders a set as the annotations spell it.
func joinSorted(set map[string]bool, skip string) string {
	out := make([]string, 0, len(set))
	for s := range set {
		if s != "" && s != skip {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

// splitList reads a comma-separated annotation into a set.
func splitList(s string) map[string]bool {
	out := map[string]bool{}
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out[v] = true
		}
	}
	return out
}
