// Package restmappertest generates discovery results of any size for tests
// and benchmarks of REST mappers: the built-in groups of a Kubernetes 1.37
// API server followed by CRD-like groups, deterministic for a given size so
// that benchmarks of different libraries see the same input.
package restmappertest

import (
	"fmt"
	"math/rand/v2"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/anykube/anykube/restmapper"
)

// customKinds are the kinds CRD-like groups draw from. Several groups share
// each of them, as real clusters have many "Cluster" or "Certificate" kinds,
// and "Service" and "Event" also exist among the built-ins, so that lookups
// by name meet competing groups.
var customKinds = []string{
	"Widget", "Gadget", "Database", "Cluster", "Certificate", "Issuer",
	"Backup", "Gateway", "Route", "Policy", "Service", "Event",
}

// CustomGroupName is the name of the i-th CRD-like group GroupResources
// generates, counting from 0.
func CustomGroupName(i int) string {
	return fmt.Sprintf("g%05d.example.com", i)
}

// GroupResources returns exactly groupVersions group-versions: the built-in
// ones first (all of them, or the first groupVersions when fewer are asked
// for), then CRD-like groups in the order CustomGroupName numbers them. Each
// such group serves one to three versions (v1, then v1beta2, v1alpha1),
// preferred first, each version the same two to five resources: one kind
// unique to the group ("Thing<i>") and kinds shared with other groups, some
// with short names and categories, each with a status subresource. The
// result depends only on groupVersions. It is GroupResourcesShaped with the
// zero Shape.
func GroupResources(groupVersions int) []*restmapper.APIGroupResources {
	return GroupResourcesShaped(groupVersions, Shape{})
}

// Shape lays out the CRD-like groups GroupResourcesShaped generates after
// the built-in ones. The zero Shape is GroupResources' layout.
type Shape struct {
	// Versions is the number of versions each group serves, at most
	// len(CustomVersions) (more are cut to that); zero means one to three,
	// drawn at random per group.
	Versions int
	// MinKinds and MaxKinds bound the number of kinds each group serves,
	// drawn at random per group: the group's own Thing<i> and shared ones.
	// Zero means 2 and 5; they are cut to 1 and 1+len(customKinds).
	MinKinds, MaxKinds int
	// NoSubresources leaves the status subresources out.
	NoSubresources bool
}

// CustomVersions are the versions CRD-like groups serve, in order: the
// first Shape.Versions of them, the first preferred. None outranks v1 in
// Kubernetes' version priority, so the preferred version is also the one a
// mapper ranks first.
var CustomVersions = []string{"v1", "v1beta2", "v1alpha1", "v1beta1", "v1alpha2", "v1alpha3", "v1beta3"}

// GroupResourcesShaped is GroupResources with the CRD-like groups laid out
// as shape says: exactly groupVersions group-versions, the built-in ones
// first. The result depends only on groupVersions and shape.
func GroupResourcesShaped(groupVersions int, shape Shape) []*restmapper.APIGroupResources {
	minKinds, maxKinds := shape.MinKinds, shape.MaxKinds
	if minKinds <= 0 {
		minKinds = 2
	}
	if maxKinds <= 0 {
		maxKinds = 5
	}
	maxKinds = min(maxKinds, 1+len(customKinds))
	minKinds = min(minKinds, maxKinds)
	versions := min(shape.Versions, len(CustomVersions))
	rng := rand.New(rand.NewPCG(uint64(groupVersions), 0x5eed))
	var out []*restmapper.APIGroupResources
	left := groupVersions
	for _, g := range Builtin() {
		if left == 0 {
			return out
		}
		if len(g.Group.Versions) > left {
			g = trimVersions(g, left)
		}
		left -= len(g.Group.Versions)
		out = append(out, g)
	}
	for i := 0; left > 0; i++ {
		nv := versions
		if nv <= 0 {
			nv = 1 + rng.IntN(3)
		}
		nv = min(nv, left)
		left -= nv
		resources := customResources(rng, i, minKinds, maxKinds, !shape.NoSubresources)
		out = append(out, newGroup(CustomGroupName(i), CustomVersions[:nv], func(string) []metav1.APIResource {
			return cloneResources(resources)
		}))
	}
	return out
}

// customResources returns the resources of the group-th CRD-like group:
// Thing<group> and minKinds-1 to maxKinds-1 shared kinds, with status
// subresources when subresources is set.
func customResources(rng *rand.Rand, group, minKinds, maxKinds int, subresources bool) []metav1.APIResource {
	kinds := []string{fmt.Sprintf("Thing%d", group)}
	for _, k := range rng.Perm(len(customKinds))[:minKinds-1+rng.IntN(maxKinds-minKinds+1)] {
		kinds = append(kinds, customKinds[k])
	}
	var out []metav1.APIResource
	for j, kind := range kinds {
		singular := strings.ToLower(kind)
		r := metav1.APIResource{
			Name:         singular + "s",
			SingularName: singular,
			Namespaced:   rng.IntN(4) != 0,
			Kind:         kind,
			Verbs:        metav1.Verbs{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"},
		}
		if j > 0 && rng.IntN(2) == 0 {
			r.ShortNames = []string{singular[:2]}
		}
		if rng.IntN(3) == 0 {
			r.Categories = []string{"all", "example"}
		}
		out = append(out, r)
		if subresources {
			out = append(out, metav1.APIResource{
				Name:       r.Name + "/status",
				Namespaced: r.Namespaced,
				Kind:       kind,
				Verbs:      metav1.Verbs{"get", "patch", "update"},
			})
		}
	}
	return out
}

func trimVersions(g *restmapper.APIGroupResources, n int) *restmapper.APIGroupResources {
	g.Group.Versions = g.Group.Versions[:n]
	for v := range g.VersionedResources {
		if !listed(g, v) {
			delete(g.VersionedResources, v)
		}
	}
	return g
}

func listed(g *restmapper.APIGroupResources, version string) bool {
	for _, v := range g.Group.Versions {
		if v.Version == version {
			return true
		}
	}
	return false
}

// Discovery returns groups the way a discovery client reports them: the
// group list, and one resource list per group-version in the same order.
func Discovery(groups []*restmapper.APIGroupResources) (*metav1.APIGroupList, []*metav1.APIResourceList) {
	list := &metav1.APIGroupList{}
	var resources []*metav1.APIResourceList
	for _, g := range groups {
		list.Groups = append(list.Groups, g.Group)
		for _, v := range g.Group.Versions {
			rs, ok := g.VersionedResources[v.Version]
			if !ok {
				continue
			}
			resources = append(resources, &metav1.APIResourceList{
				GroupVersion: v.GroupVersion,
				APIResources: cloneResources(rs),
			})
		}
	}
	return list, resources
}
