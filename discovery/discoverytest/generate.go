// Package discoverytest builds synthetic API servers for discovery tests
// and benchmarks: N groups of M versions of K resources, served as
// aggregated (apidiscovery.k8s.io/v2) and legacy documents by an
// httptest.Server that can add latency, fail or hang chosen paths, and
// counts requests. It depends only on the standard library, apimachinery
// and anykube's discovery wire types, so benchmarks can serve the same
// input to other discovery clients.
package discoverytest

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
)

// Spec describes a synthetic server. Groups are named g000.example.com,
// g001.example.com, ...; versions v1, v2, ... (v1 preferred); resources
// r000s, r001s, ... with kinds R000, R001, ... Even-numbered resources are
// namespaced, odd ones cluster-scoped; every resource has a status
// subresource and the first of each version a scale subresource.
type Spec struct {
	// Groups is the number of groups besides the core group.
	Groups int
	// Versions is the number of versions per group; zero means 1.
	Versions int
	// Resources is the number of resources per group-version; zero means 1.
	Resources int
	// CoreResources is the number of resources in core v1; zero means
	// Resources.
	CoreResources int
	// Stale lists group-versions marked Stale in the aggregated document
	// (and left out of the legacy group list's expectations).
	Stale []schema.GroupVersion
}

// API holds a synthetic server's documents.
type API struct {
	// Core is the aggregated /api document; Aggregated the /apis one.
	Core, Aggregated discovery.APIGroupDiscoveryList
	// Versions is the legacy /api document; Groups the legacy /apis one.
	Versions metav1.APIVersions
	Groups   metav1.APIGroupList
	// Resources holds each group-version's legacy document, keyed by path
	// ("/api/v1", "/apis/g000.example.com/v1").
	Resources map[string]*metav1.APIResourceList
}

// GroupVersions returns the number of group-versions, core v1 included.
func (a *API) GroupVersions() int { return len(a.Resources) }

// Generate builds the documents spec describes.
func Generate(spec Spec) *API {
	if spec.Versions <= 0 {
		spec.Versions = 1
	}
	if spec.Resources <= 0 {
		spec.Resources = 1
	}
	if spec.CoreResources <= 0 {
		spec.CoreResources = spec.Resources
	}
	stale := make(map[schema.GroupVersion]bool)
	for _, gv := range spec.Stale {
		stale[gv] = true
	}
	a := &API{Resources: make(map[string]*metav1.APIResourceList)}
	listKind := metav1.TypeMeta{Kind: "APIGroupDiscoveryList", APIVersion: "apidiscovery.k8s.io/v2"}
	a.Core.TypeMeta, a.Aggregated.TypeMeta = listKind, listKind

	core := schema.GroupVersion{Version: "v1"}
	a.Versions = metav1.APIVersions{TypeMeta: metav1.TypeMeta{Kind: "APIVersions"}, Versions: []string{"v1"}}
	a.Core.Items = []discovery.APIGroupDiscovery{{
		Versions: []discovery.APIVersionDiscovery{version(core, spec.CoreResources, stale[core])},
	}}
	a.Resources["/api/v1"] = legacyList(core, spec.CoreResources)

	a.Groups.TypeMeta = metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"}
	for g := range spec.Groups {
		name := fmt.Sprintf("g%03d.example.com", g)
		group := discovery.APIGroupDiscovery{ObjectMeta: metav1.ObjectMeta{Name: name}}
		legacy := metav1.APIGroup{Name: name}
		for v := range spec.Versions {
			gv := schema.GroupVersion{Group: name, Version: fmt.Sprintf("v%d", v+1)}
			group.Versions = append(group.Versions, version(gv, spec.Resources, stale[gv]))
			gvd := metav1.GroupVersionForDiscovery{GroupVersion: gv.String(), Version: gv.Version}
			legacy.Versions = append(legacy.Versions, gvd)
			if v == 0 {
				legacy.PreferredVersion = gvd
			}
			a.Resources["/apis/"+gv.String()] = legacyList(gv, spec.Resources)
		}
		a.Aggregated.Items = append(a.Aggregated.Items, group)
		a.Groups.Groups = append(a.Groups.Groups, legacy)
	}
	return a
}

var (
	resourceVerbs    = []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}
	subresourceVerbs = []string{"get", "patch", "update"}
	scaleKind        = metav1.GroupVersionKind{Group: "autoscaling", Version: "v1", Kind: "Scale"}
)

func names(r int) (plural, singular, kind string) {
	return fmt.Sprintf("r%03ds", r), fmt.Sprintf("r%03d", r), fmt.Sprintf("R%03d", r)
}

func version(gv schema.GroupVersion, n int, stale bool) discovery.APIVersionDiscovery {
	v := discovery.APIVersionDiscovery{Version: gv.Version, Freshness: discovery.DiscoveryFreshnessCurrent}
	if stale {
		v.Freshness = discovery.DiscoveryFreshnessStale
	}
	for r := range n {
		plural, singular, kind := names(r)
		gvk := &metav1.GroupVersionKind{Group: gv.Group, Version: gv.Version, Kind: kind}
		scope := discovery.ScopeNamespace
		if r%2 == 1 {
			scope = discovery.ScopeCluster
		}
		res := discovery.APIResourceDiscovery{
			Resource:         plural,
			ResponseKind:     gvk,
			Scope:            scope,
			SingularResource: singular,
			Verbs:            resourceVerbs,
			ShortNames:       []string{singular + "x"},
			Categories:       []string{"all"},
		}
		if r == 0 {
			res.Subresources = append(res.Subresources, discovery.APISubresourceDiscovery{
				Subresource: "scale", ResponseKind: &scaleKind, Verbs: subresourceVerbs,
			})
		}
		res.Subresources = append(res.Subresources, discovery.APISubresourceDiscovery{
			Subresource: "status", ResponseKind: gvk, Verbs: subresourceVerbs,
		})
		v.Resources = append(v.Resources, res)
	}
	return v
}

func legacyList(gv schema.GroupVersion, n int) *metav1.APIResourceList {
	list := &metav1.APIResourceList{
		TypeMeta:     metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"},
		GroupVersion: gv.String(),
	}
	for r := range n {
		plural, singular, kind := names(r)
		namespaced := r%2 == 0
		list.APIResources = append(list.APIResources, metav1.APIResource{
			Name: plural, SingularName: singular, Namespaced: namespaced, Kind: kind,
			Verbs: resourceVerbs, ShortNames: []string{singular + "x"}, Categories: []string{"all"},
		})
		if r == 0 {
			list.APIResources = append(list.APIResources, metav1.APIResource{
				Name: plural + "/scale", Namespaced: namespaced,
				Group: scaleKind.Group, Version: scaleKind.Version, Kind: scaleKind.Kind, Verbs: subresourceVerbs,
			})
		}
		list.APIResources = append(list.APIResources, metav1.APIResource{
			Name: plural + "/status", Namespaced: namespaced, Kind: kind, Verbs: subresourceVerbs,
		})
	}
	return list
}
