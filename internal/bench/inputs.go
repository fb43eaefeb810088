package bench

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery/discoverytest"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/restmapper/restmappertest"
)

// Sizes of the generated inputs, as the benchmark names state them.
const (
	// MappingGroupVersions is the number of group-versions API2000 serves.
	MappingGroupVersions = 2000
	// LegacyGroups and LegacyVersions shape Legacy500: 250 groups of 2
	// versions, besides core v1.
	LegacyGroups, LegacyVersions = 250, 2
	// LegacyResources is the number of resources in each of Legacy500's
	// group-versions.
	LegacyResources = 5
	// CRDGroups and CRDKindsPerGroup shape CRDs300.
	CRDGroups, CRDKindsPerGroup = 100, 3
	// ConfigMaps, Deployments and WatchEvents are the sizes of the decoded
	// lists and of the watch stream.
	ConfigMaps, Deployments, WatchEvents = 10000, 1000, 10000
)

// MappingGroups returns the 2000 group-versions the mapping benchmarks
// use: the built-in groups of a Kubernetes 1.37 server followed by CRD-like
// groups of one to three versions and two to five kinds each, some kinds
// shared between groups (restmappertest.GroupResources). Its aggregated
// /apis document is about 3 MB, with about 6,900 resources and as many
// subresources.
func MappingGroups() []*restmapper.APIGroupResources {
	return restmappertest.GroupResources(MappingGroupVersions)
}

// API2000 returns MappingGroups as a server's discovery documents, both
// aggregated and legacy.
func API2000() *discoverytest.API {
	return restmappertest.API(MappingGroups())
}

// DiscoveryShape is one layout of a discovery benchmark's 2000
// group-versions and how its server sends them.
type DiscoveryShape struct {
	// Name is the shape's sub-benchmark name.
	Name string
	// Groups lays out the CRD-like groups after the built-in ones.
	Groups restmappertest.Shape
	// Chunked sends the documents without a Content-Length, as
	// kube-apiserver sends large answers it does not compress.
	Chunked bool
}

// API returns the shape's documents for 2000 group-versions.
func (s DiscoveryShape) API() *discoverytest.API {
	return restmappertest.API(restmappertest.GroupResourcesShaped(MappingGroupVersions, s.Groups))
}

// Server starts a server of the shape's documents; Close it when done.
func (s DiscoveryShape) Server() *discoverytest.Server {
	return discoverytest.NewServer(s.API(), discoverytest.ServerOptions{Chunked: s.Chunked})
}

// Layouts of 2000 group-versions besides the built-in groups: dense is
// MappingGroups' (groups of one to three versions, two to five kinds with
// status subresources: about 6,900 resources and as many subresources,
// 3 MB aggregated); sparse is a cluster full of small CRD groups, each of
// one version and one or two kinds (about 1,900 groups, 2,900 resources);
// large is fewer groups of five versions with eight to twelve kinds each
// (about 390 groups).
var (
	denseGroups  = restmappertest.Shape{}
	sparseGroups = restmappertest.Shape{Versions: 1, MinKinds: 1, MaxKinds: 2, NoSubresources: true}
	largeGroups  = restmappertest.Shape{Versions: 5, MinKinds: 8, MaxKinds: 12}
)

// DiscoveryShapes are the shapes the aggregated discovery cases run on:
// each layout with and without subresources, sent chunked (as
// kube-apiserver sends them) and, for the dense layout, with a
// Content-Length as well.
func DiscoveryShapes() []DiscoveryShape {
	nosub := func(s restmappertest.Shape) restmappertest.Shape { s.NoSubresources = true; return s }
	withSub := func(s restmappertest.Shape) restmappertest.Shape { s.NoSubresources = false; return s }
	return []DiscoveryShape{
		{Name: "dense-sized", Groups: denseGroups},
		{Name: "dense-chunked", Groups: denseGroups, Chunked: true},
		{Name: "dense-nosub-chunked", Groups: nosub(denseGroups), Chunked: true},
		{Name: "sparse-sized", Groups: sparseGroups},
		{Name: "sparse-chunked", Groups: sparseGroups, Chunked: true},
		{Name: "sparse-sub-chunked", Groups: withSub(sparseGroups), Chunked: true},
		{Name: "large-chunked", Groups: largeGroups, Chunked: true},
		{Name: "large-nosub-chunked", Groups: nosub(largeGroups), Chunked: true},
	}
}

// StoredShapes are the layouts the cases that read no document per op
// (a warm disk cache, the retained heap) run on: how the documents were
// sent does not matter to them.
func StoredShapes() []DiscoveryShape {
	return []DiscoveryShape{
		{Name: "dense", Groups: denseGroups},
		{Name: "sparse", Groups: sparseGroups},
		{Name: "large", Groups: largeGroups},
	}
}

// LegacySparse500 returns 500 group-versions of the sparse layout (the
// built-in groups, then about 440 CRD-like groups of one version and one or
// two kinds without subresources) for the legacy discovery benchmark: one
// small document per group-version.
func LegacySparse500() *discoverytest.API {
	return restmappertest.API(restmappertest.GroupResourcesShaped(2*LegacyGroups, sparseGroups))
}

// Legacy500 returns the legacy discovery benchmark's documents: core v1 and
// 250 groups (g000.example.com ...) of 2 versions, each group-version with
// 5 resources with status subresources, the first also with scale: 501
// group-versions, 503 requests for a full legacy discovery.
func Legacy500() *discoverytest.API {
	return discoverytest.Generate(discoverytest.Spec{
		Groups: LegacyGroups, Versions: LegacyVersions, Resources: LegacyResources,
	})
}

// CRDs300 returns the CRDs the cold discovery benchmark installs into the
// real API server: 100 groups (bench000.anykube.test ...) of 3 kinds
// (Widget, Gadget, Gizmo), each served as v1 with a status subresource;
// Widgets are namespaced, the others cluster-scoped.
func CRDs300() []e2e.CRD {
	kinds := []string{"Widget", "Gadget", "Gizmo"}
	out := make([]e2e.CRD, 0, CRDGroups*CRDKindsPerGroup)
	for g := range CRDGroups {
		for k := range CRDKindsPerGroup {
			out = append(out, e2e.CRD{
				Group:      fmt.Sprintf("bench%03d.anykube.test", g),
				Kind:       kinds[k],
				Versions:   []string{"v1"},
				Namespaced: k == 0,
				Categories: []string{"anykube-bench"},
			})
		}
	}
	return out
}

// MappingKey is one question the mapping-hit benchmarks ask: a kind and
// the partial resource (group and plural, no version) that names it.
type MappingKey struct {
	Kind     schema.GroupKind
	Resource schema.GroupVersionResource
}

// MappingKeys returns the questions the mapping-hit benchmarks cycle over:
// apps/Deployment, core Pod, and the first kind of the preferred version of
// four CRD-like groups spread over the list, the last one included, so that
// a mapper that walks its groups in order pays for its position.
func MappingKeys() []MappingKey {
	keys := []MappingKey{
		{schema.GroupKind{Group: "apps", Kind: "Deployment"}, schema.GroupVersionResource{Group: "apps", Resource: "deployments"}},
		{schema.GroupKind{Kind: "Pod"}, schema.GroupVersionResource{Resource: "pods"}},
	}
	groups := MappingGroups()
	for _, i := range []int{len(groups) / 4, len(groups) / 2, 3 * len(groups) / 4, len(groups) - 1} {
		g := groups[i]
		r := g.VersionedResources[g.Group.PreferredVersion.Version][0]
		keys = append(keys, MappingKey{
			schema.GroupKind{Group: g.Group.Name, Kind: r.Kind},
			schema.GroupVersionResource{Group: g.Group.Name, Resource: r.Name},
		})
	}
	return keys
}
