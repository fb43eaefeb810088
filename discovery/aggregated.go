package discovery

import (
	"fmt"
	"mime"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// This file turns an aggregated discovery document into the results the
// legacy endpoints would have given. It does no I/O.

// The Accept headers discovery sends. The aggregated type's parameters go in
// the order g, v, as, which is the order the API server matches on; the plain
// JSON alternative lets an older server answer with the legacy documents.
const (
	// AcceptV1 asks for the legacy documents only.
	AcceptV1 = "application/json"
	// AcceptV2 asks for the aggregated discovery document.
	AcceptV2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
	// acceptDiscovery prefers the aggregated document and takes the legacy
	// one from servers that do not have it.
	acceptDiscovery = AcceptV2 + "," + AcceptV1
)

// ContentTypeIsGVK reports whether contentType is JSON carrying the g, v and
// as parameters of gvk, in any order and among other parameters (proxies add
// charset). It returns an error when contentType cannot be parsed.
func ContentTypeIsGVK(contentType string, gvk schema.GroupVersionKind) (bool, error) {
	base, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false, fmt.Errorf("parsing content type %q: %w", contentType, err)
	}
	return base == "application/json" &&
		params["g"] == gvk.Group &&
		params["v"] == gvk.Version &&
		params["as"] == gvk.Kind, nil
}

// isAggregated reports whether a response's content type announces the
// aggregated discovery document. An unparsable content type counts as legacy:
// the body is then decoded as a legacy document, which reports its own error.
func isAggregated(contentType string) bool {
	ok, _ := ContentTypeIsGVK(contentType, AggregatedDiscoveryGVK)
	return ok
}

// SplitGroupsAndResources converts an aggregated discovery document into the
// group list and the per-group-version resource lists the legacy endpoints
// serve, in the document's order.
//
// Versions marked Stale are left out of both and returned in failed with a
// StaleGroupVersionError; a group whose every version is stale is left out
// of the group list, so every group returned has at least one version and a
// preferred version (the first one that is not stale). Subresources become
// "parent/sub" entries after their parent. A resource without a response
// kind is left out but its subresources are kept (the server uses such
// entries to carry subresources only); a subresource without one is left
// out.
//
// The entries have the shape described in complete.go, which the legacy
// path completes to as well: Group and Version are those of the response
// kind, and a subresource has its parent's singular name.
func SplitGroupsAndResources(list APIGroupDiscoveryList) (
	groups *metav1.APIGroupList,
	resources map[schema.GroupVersion]*metav1.APIResourceList,
	failed map[schema.GroupVersion]error,
) {
	groups = &metav1.APIGroupList{Groups: make([]metav1.APIGroup, 0, len(list.Items))}
	resources = make(map[schema.GroupVersion]*metav1.APIResourceList, countVersions(&list))
	failed = make(map[schema.GroupVersion]error)
	splitInto(&list, &groups.Groups, resources, failed)
	return groups, resources, failed
}

// splitInto is SplitGroupsAndResources appending to groups and adding to
// resources and failed, so that a caller merging several documents fills
// containers made once at their final size.
func splitInto(list *APIGroupDiscoveryList, groups *[]metav1.APIGroup, resources map[schema.GroupVersion]*metav1.APIResourceList, failed map[schema.GroupVersion]error) {
	for i := range list.Items {
		if g, ok := convertGroup(&list.Items[i], resources, failed); ok {
			*groups = append(*groups, g)
		}
	}
}

// countVersions returns the number of group-versions list holds, stale
// ones included.
func countVersions(list *APIGroupDiscoveryList) int {
	n := 0
	for i := range list.Items {
		n += len(list.Items[i].Versions)
	}
	return n
}

// convertGroup converts one group, adding its resource lists and stale
// versions to the maps; ok is false when no version is left.
func convertGroup(in *APIGroupDiscovery, resources map[schema.GroupVersion]*metav1.APIResourceList, failed map[schema.GroupVersion]error) (out metav1.APIGroup, ok bool) {
	out.Name = in.Name
	for i := range in.Versions {
		v := &in.Versions[i]
		gv := schema.GroupVersion{Group: in.Name, Version: v.Version}
		if v.Freshness == DiscoveryFreshnessStale {
			failed[gv] = StaleGroupVersionError{GroupVersion: gv}
			continue
		}
		gvd := metav1.GroupVersionForDiscovery{GroupVersion: gv.String(), Version: v.Version}
		out.Versions = append(out.Versions, gvd)
		if len(out.Versions) == 1 {
			out.PreferredVersion = gvd
		}
		resources[gv] = convertVersion(gv, gvd.GroupVersion, v.Resources)
	}
	return out, len(out.Versions) > 0
}

// convertVersion builds the legacy resource list of one group-version,
// gvString being gv.String(), which the group's entry already holds.
func convertVersion(gv schema.GroupVersion, gvString string, in []APIResourceDiscovery) *metav1.APIResourceList {
	n := len(in)
	for i := range in {
		n += len(in[i].Subresources)
	}
	out := &metav1.APIResourceList{GroupVersion: gvString, APIResources: make([]metav1.APIResource, 0, n)}
	for i := range in {
		r := &in[i]
		namespaced := r.Scope == ScopeNamespace
		if hasKind(r.ResponseKind) {
			group, version := kindGroupVersion(gv, r.ResponseKind)
			out.APIResources = append(out.APIResources, metav1.APIResource{
				Name:         r.Resource,
				SingularName: r.SingularResource,
				Namespaced:   namespaced,
				Group:        group,
				Version:      version,
				Kind:         r.ResponseKind.Kind,
				Verbs:        r.Verbs,
				ShortNames:   r.ShortNames,
				Categories:   r.Categories,
			})
		}
		for j := range r.Subresources {
			sub := &r.Subresources[j]
			if !hasKind(sub.ResponseKind) {
				continue
			}
			group, version := kindGroupVersion(gv, sub.ResponseKind)
			out.APIResources = append(out.APIResources, metav1.APIResource{
				Name: r.Resource + "/" + sub.Subresource,
				// The parent's singular name even when the parent itself
				// is left out for want of a kind, as client-go does.
				SingularName: r.SingularResource,
				Namespaced:   namespaced,
				Group:        group,
				Version:      version,
				Kind:         sub.ResponseKind.Kind,
				Verbs:        sub.Verbs,
			})
		}
	}
	return out
}

func hasKind(k *metav1.GroupVersionKind) bool {
	return k != nil && *k != (metav1.GroupVersionKind{})
}

// kindGroupVersion returns the group and version of a response kind, or
// the list's when the kind names no version, as kube-apiserver writes the
// kinds of built-in resources. The strings are the decoder's
// interned ones, so filling them in costs no allocation.
func kindGroupVersion(gv schema.GroupVersion, kind *metav1.GroupVersionKind) (group, version string) {
	if kind.Version == "" {
		return gv.Group, gv.Version
	}
	return kind.Group, kind.Version
}
