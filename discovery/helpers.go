package discovery

import (
	"errors"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ErrVersionNotSupported is wrapped by ServerSupportsVersion's error when the
// server answered but does not serve the group-version.
var ErrVersionNotSupported = errors.New("API version not supported by the server")

// ServerSupportsVersion returns nil when d's server serves gv. It returns an
// error wrapping ErrVersionNotSupported when it does not, or the discovery
// error when the group list could not be read.
func ServerSupportsVersion(d DiscoveryInterface, gv schema.GroupVersion) error {
	groups, err := d.ServerGroups()
	if err != nil {
		return fmt.Errorf("checking support for %s: %w", gv, err)
	}
	want := gv.String()
	for _, g := range groups.Groups {
		for _, v := range g.Versions {
			if v.GroupVersion == want {
				return nil
			}
		}
	}
	return fmt.Errorf("%s: %w", want, ErrVersionNotSupported)
}

// IsResourceEnabled reports whether d's server serves gvr. A group-version
// the server does not have (404) gives false and no error; other failures
// give the error.
func IsResourceEnabled(d DiscoveryInterface, gvr schema.GroupVersionResource) (bool, error) {
	list, err := d.ServerResourcesForGroupVersion(gvr.GroupVersion().String())
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for i := range list.APIResources {
		if list.APIResources[i].Name == gvr.Resource {
			return true, nil
		}
	}
	return false, nil
}

// ResourcePredicate decides whether a resource is kept by FilteredBy.
type ResourcePredicate interface {
	Match(groupVersion string, r *metav1.APIResource) bool
}

// ResourcePredicateFunc makes a function a ResourcePredicate.
type ResourcePredicateFunc func(groupVersion string, r *metav1.APIResource) bool

// Match calls f.
func (f ResourcePredicateFunc) Match(groupVersion string, r *metav1.APIResource) bool {
	return f(groupVersion, r)
}

// SupportsAllVerbs keeps resources that support every one of Verbs; an empty
// Verbs keeps everything.
type SupportsAllVerbs struct {
	Verbs []string
}

// Match reports whether r supports all of p.Verbs.
func (p SupportsAllVerbs) Match(_ string, r *metav1.APIResource) bool {
	for _, v := range p.Verbs {
		if !slices.Contains(r.Verbs, v) {
			return false
		}
	}
	return true
}

// FilteredBy returns new lists holding copies of the resources pred keeps;
// lists left empty are dropped. The input is not changed.
func FilteredBy(pred ResourcePredicate, lists []*metav1.APIResourceList) []*metav1.APIResourceList {
	var out []*metav1.APIResourceList
	for _, list := range lists {
		if list == nil {
			continue
		}
		kept := &metav1.APIResourceList{TypeMeta: list.TypeMeta, GroupVersion: list.GroupVersion}
		for i := range list.APIResources {
			if pred.Match(list.GroupVersion, &list.APIResources[i]) {
				kept.APIResources = append(kept.APIResources, list.APIResources[i])
			}
		}
		if len(kept.APIResources) > 0 {
			out = append(out, kept)
		}
	}
	return out
}

// GroupVersionResources returns the set of resources in lists, subresources
// included ("deployments/scale"). It returns an error naming the list whose
// GroupVersion cannot be parsed.
func GroupVersionResources(lists []*metav1.APIResourceList) (map[schema.GroupVersionResource]struct{}, error) {
	out := make(map[schema.GroupVersionResource]struct{})
	for _, list := range lists {
		if list == nil {
			continue
		}
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			return nil, fmt.Errorf("resource list %q: %w", list.GroupVersion, err)
		}
		for i := range list.APIResources {
			out[gv.WithResource(list.APIResources[i].Name)] = struct{}{}
		}
	}
	return out, nil
}
