package restmapper

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// APIGroupResources is one API group as discovery reports it, with the
// resources each of its versions serves. It is the input NewDiscoveryRESTMapper
// indexes; GetAPIGroupResources builds a slice of them from a discovery client.
type APIGroupResources struct {
	// Group is the group's name, its versions in the server's order of
	// preference and its preferred version.
	Group metav1.APIGroup
	// VersionedResources maps a version name ("v1") to the resources served
	// under it, subresources ("deployments/scale") included. A version listed
	// in Group.Versions but missing here was not discovered and is skipped.
	VersionedResources map[string][]metav1.APIResource
	// Failed maps a version ("v1beta1") to why its discovery failed, nil
	// when none did. A failed version may be listed in Group.Versions
	// (its resources are then missing from VersionedResources, or are the
	// ones a cache kept) or not (the server marked it Stale). A mapper
	// built from the group reports these failures with a miss in it.
	// client-go's APIGroupResources has no such field.
	Failed map[string]error
}
