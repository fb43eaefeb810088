package discovery

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// This file decides the shape of every APIResource discovery returns, on
// every path: aggregated documents, legacy per-group-version documents, the
// disk cache and the fake.
//
// client-go's results depend on the path and on the server. From an
// aggregated document it copies each response kind's group and version into
// Group and Version, and gives a subresource its parent's singular name.
// From a legacy document it passes on what the server sent: Group and
// Version only when the kind lives in another group-version
// (deployments/scale serves autoscaling/v1 Scale), and no singular name on
// subresources. kube-apiserver (checked on v1.37) leaves the response
// kind's group and version empty for built-in resources but fills them
// for custom resources, so with client-go, code reading Group and Version
// sees them for a CRD and not for a Deployment, and code reading a
// subresource's SingularName sees it only with aggregated discovery.
//
// anykube gives one shape everywhere: Group and Version are always the
// group-version of the entry's kind, and a subresource has its parent's
// singular name, the values client-go's aggregated path gives when a
// server fills its documents in. Code that reads them works whichever way
// the server answered, and code written for the legacy shape, which takes
// an empty Group and Version to mean "the list's group-version", still
// works: the values it would have derived are the ones filled in.

// CompleteResourceList returns list with every entry in the shape described
// above: Group and Version set to the group-version of the entry's kind
// (the list's own when the entry names no version), and each subresource's
// SingularName set to its parent's when the parent is in the list. list
// itself is returned when nothing is missing, a completed copy otherwise,
// so that lists shared with a cache are never written to; nil gives nil,
// and a list whose GroupVersion cannot be parsed is returned unchanged.
// Implementations of DiscoveryInterface that relay documents from other
// sources can use it to answer in the same shape as this package.
func CompleteResourceList(list *metav1.APIResourceList) *metav1.APIResourceList {
	if list == nil {
		return nil
	}
	gv, err := schema.ParseGroupVersion(list.GroupVersion)
	if err != nil || gv.Version == "" || !needsCompleting(list.APIResources) {
		return list
	}
	out := *list
	out.APIResources = append([]metav1.APIResource(nil), list.APIResources...)
	completeResources(gv, out.APIResources)
	return &out
}

// needsCompleting reports whether completeResources would change anything.
func needsCompleting(resources []metav1.APIResource) bool {
	for i := range resources {
		r := &resources[i]
		if r.Version == "" {
			return true
		}
		if r.SingularName == "" && strings.Contains(r.Name, "/") {
			if _, ok := parentSingular(resources, i); ok {
				return true
			}
		}
	}
	return false
}

// completeResources fills, in place, what CompleteResourceList describes.
// It assigns strings it already holds, so it allocates nothing.
func completeResources(gv schema.GroupVersion, resources []metav1.APIResource) {
	for i := range resources {
		r := &resources[i]
		if r.Version == "" {
			// A group without a version names nothing: the server left
			// both out because the kind is the list's.
			r.Group, r.Version = gv.Group, gv.Version
		}
		if r.SingularName == "" && strings.Contains(r.Name, "/") {
			if s, ok := parentSingular(resources, i); ok {
				r.SingularName = s
			}
		}
	}
}

// parentSingular returns the singular name of the parent of resources[i], a
// subresource. Servers list a parent just before its subresources, so the
// search starts there and walks back; a list in another order is searched
// whole.
func parentSingular(resources []metav1.APIResource, i int) (string, bool) {
	parent, _, _ := strings.Cut(resources[i].Name, "/")
	for j := i - 1; j >= 0; j-- {
		if resources[j].Name == parent {
			return resources[j].SingularName, resources[j].SingularName != ""
		}
	}
	for j := i + 1; j < len(resources); j++ {
		if resources[j].Name == parent {
			return resources[j].SingularName, resources[j].SingularName != ""
		}
	}
	return "", false
}
