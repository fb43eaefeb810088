package discovery

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The wire types below mirror apidiscovery.k8s.io/v2 field for field and tag
// for tag, so that the JSON the API server sends decodes into them and what
// anykube writes decodes in client-go. They are defined here because the
// library must not import k8s.io/api.

// AggregatedDiscoveryGVK names the document an API server sends from /api and
// /apis when the client asks for aggregated discovery.
var AggregatedDiscoveryGVK = schema.GroupVersionKind{
	Group:   "apidiscovery.k8s.io",
	Version: "v2",
	Kind:    "APIGroupDiscoveryList",
}

// APIGroupDiscoveryList is the aggregated discovery document: every group the
// server serves at /api (the core group only) or /apis (all others), with
// their versions and resources.
type APIGroupDiscoveryList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items lists the groups, in the server's order of preference.
	Items []APIGroupDiscovery `json:"items"`
}

// APIGroupDiscovery is one API group and the versions it serves. The group's
// name is in ObjectMeta.Name; the core group's name is "".
type APIGroupDiscovery struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// Versions lists the group's versions, the preferred one first.
	Versions []APIVersionDiscovery `json:"versions,omitempty"`
}

// APIVersionDiscovery is one version of a group and the resources served
// under it.
type APIVersionDiscovery struct {
	// Version is the version's name, such as "v1" or "v1beta2".
	Version string `json:"version"`
	// Resources lists the resources served at /apis/<group>/<version>.
	Resources []APIResourceDiscovery `json:"resources,omitempty"`
	// Freshness is Stale when the server could not refresh this version's
	// document (typically an aggregated API server that is down); the
	// resources are then the last ones it saw, or none.
	Freshness DiscoveryFreshness `json:"freshness,omitempty"`
}

// APIResourceDiscovery describes one resource of a group-version.
type APIResourceDiscovery struct {
	// Resource is the plural name used in URLs, such as "deployments".
	Resource string `json:"resource"`
	// ResponseKind is the kind of object the resource serves; nil or empty
	// only for a resource that exists to carry subresources.
	ResponseKind *metav1.GroupVersionKind `json:"responseKind,omitempty"`
	// Scope says whether objects live in a namespace.
	Scope ResourceScope `json:"scope"`
	// SingularResource is the singular name, such as "deployment".
	SingularResource string `json:"singularResource"`
	// Verbs lists what the resource supports: get, list, watch, create, ...
	Verbs []string `json:"verbs"`
	// ShortNames are the aliases kubectl accepts, such as "deploy".
	ShortNames []string `json:"shortNames,omitempty"`
	// Categories are the groupings the resource belongs to, such as "all".
	Categories []string `json:"categories,omitempty"`
	// Subresources lists the resource's subresources (status, scale, ...).
	Subresources []APISubresourceDiscovery `json:"subresources,omitempty"`
}

// ResourceScope says whether a resource is namespaced or cluster-wide.
type ResourceScope string

// The scopes a resource may have.
const (
	ScopeCluster   ResourceScope = "Cluster"
	ScopeNamespace ResourceScope = "Namespaced"
)

// DiscoveryFreshness says whether a version's document is current.
type DiscoveryFreshness string

// The freshness values a version may carry; empty means Current.
const (
	DiscoveryFreshnessCurrent DiscoveryFreshness = "Current"
	DiscoveryFreshnessStale   DiscoveryFreshness = "Stale"
)

// APISubresourceDiscovery describes one subresource of a resource.
type APISubresourceDiscovery struct {
	// Subresource is the subresource's name, such as "status" or "scale".
	Subresource string `json:"subresource"`
	// ResponseKind is the kind of object the subresource serves.
	ResponseKind *metav1.GroupVersionKind `json:"responseKind,omitempty"`
	// AcceptedTypes lists the kinds the subresource accepts in a request
	// body, when they differ from ResponseKind.
	AcceptedTypes []metav1.GroupVersionKind `json:"acceptedTypes,omitempty"`
	// Verbs lists what the subresource supports.
	Verbs []string `json:"verbs"`
}
