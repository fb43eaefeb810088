package restmappertest

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/discoverytest"
	"github.com/anykube/anykube/restmapper"
)

// API returns the documents an API server serving groups would send, both
// aggregated and legacy, for discoverytest.NewServer. Each group's preferred
// version comes first in the aggregated document, which has no other way to
// say it. Versions in stale are marked Stale in the aggregated document and
// left out of the legacy documents, as a server does with an aggregated API
// whose backend is down.
func API(groups []*restmapper.APIGroupResources, stale ...schema.GroupVersion) *discoverytest.API {
	isStale := map[schema.GroupVersion]bool{}
	for _, gv := range stale {
		isStale[gv] = true
	}
	listKind := metav1.TypeMeta{Kind: "APIGroupDiscoveryList", APIVersion: "apidiscovery.k8s.io/v2"}
	a := &discoverytest.API{
		Core:       discovery.APIGroupDiscoveryList{TypeMeta: listKind},
		Aggregated: discovery.APIGroupDiscoveryList{TypeMeta: listKind},
		Versions:   metav1.APIVersions{TypeMeta: metav1.TypeMeta{Kind: "APIVersions"}},
		Groups:     metav1.APIGroupList{TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"}},
		Resources:  map[string]*metav1.APIResourceList{},
	}
	for _, g := range groups {
		agg := discovery.APIGroupDiscovery{ObjectMeta: metav1.ObjectMeta{Name: g.Group.Name}}
		legacy := metav1.APIGroup{Name: g.Group.Name}
		for _, v := range preferredFirst(g) {
			gv := schema.GroupVersion{Group: g.Group.Name, Version: v.Version}
			resources := g.VersionedResources[v.Version]
			agg.Versions = append(agg.Versions, aggregatedVersion(gv, resources, isStale[gv]))
			if isStale[gv] {
				continue
			}
			path := "/apis/" + gv.String()
			if gv.Group == "" {
				path = "/api/" + gv.Version
				a.Versions.Versions = append(a.Versions.Versions, gv.Version)
			}
			a.Resources[path] = &metav1.APIResourceList{
				TypeMeta:     metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"},
				GroupVersion: gv.String(),
				APIResources: cloneResources(resources),
			}
			gvd := metav1.GroupVersionForDiscovery{GroupVersion: gv.String(), Version: gv.Version}
			legacy.Versions = append(legacy.Versions, gvd)
			if len(legacy.Versions) == 1 {
				legacy.PreferredVersion = gvd
			}
		}
		if g.Group.Name == "" {
			a.Core.Items = append(a.Core.Items, agg)
			continue
		}
		a.Aggregated.Items = append(a.Aggregated.Items, agg)
		if len(legacy.Versions) > 0 {
			a.Groups.Groups = append(a.Groups.Groups, legacy)
		}
	}
	return a
}

// preferredFirst returns g's discovered versions with the preferred one
// first.
func preferredFirst(g *restmapper.APIGroupResources) []metav1.GroupVersionForDiscovery {
	var out []metav1.GroupVersionForDiscovery
	for _, v := range g.Group.Versions {
		if _, ok := g.VersionedResources[v.Version]; !ok {
			continue
		}
		if v.Version == g.Group.PreferredVersion.Version {
			out = append([]metav1.GroupVersionForDiscovery{v}, out...)
		} else {
			out = append(out, v)
		}
	}
	return out
}

func aggregatedVersion(gv schema.GroupVersion, resources []metav1.APIResource, stale bool) discovery.APIVersionDiscovery {
	v := discovery.APIVersionDiscovery{Version: gv.Version, Freshness: discovery.DiscoveryFreshnessCurrent}
	if stale {
		v.Freshness = discovery.DiscoveryFreshnessStale
	}
	byName := map[string]int{}
	for _, r := range resources {
		if parent, sub, ok := strings.Cut(r.Name, "/"); ok {
			i, found := byName[parent]
			if !found {
				continue
			}
			v.Resources[i].Subresources = append(v.Resources[i].Subresources, discovery.APISubresourceDiscovery{
				Subresource:  sub,
				ResponseKind: responseKind(gv, r),
				Verbs:        r.Verbs,
			})
			continue
		}
		scope := discovery.ScopeCluster
		if r.Namespaced {
			scope = discovery.ScopeNamespace
		}
		byName[r.Name] = len(v.Resources)
		v.Resources = append(v.Resources, discovery.APIResourceDiscovery{
			Resource:         r.Name,
			ResponseKind:     responseKind(gv, r),
			Scope:            scope,
			SingularResource: r.SingularName,
			Verbs:            r.Verbs,
			ShortNames:       r.ShortNames,
			Categories:       r.Categories,
		})
	}
	return v
}

func responseKind(gv schema.GroupVersion, r metav1.APIResource) *metav1.GroupVersionKind {
	k := &metav1.GroupVersionKind{Group: gv.Group, Version: gv.Version, Kind: r.Kind}
	if r.Group != "" || r.Version != "" {
		k.Group, k.Version = r.Group, r.Version
	}
	return k
}
