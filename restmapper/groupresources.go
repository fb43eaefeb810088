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
}
