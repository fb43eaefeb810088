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
// result depends only on groupVersions.
func GroupResources(groupVersions int) []*restmapper.APIGroupResources {
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
	allVersions := []string{"v1", "v1beta2", "v1alpha1"}
	for i := 0; left > 0; i++ {
		nv := min(1+rng.IntN(3), left)
		left -= nv
		resources := customResources(rng, i)
		out = append(out, newGroup(CustomGroupName(i), allVersions[:nv], func(string) []metav1.APIResource {
			return cloneResources(resources)
		}))
	}
	return out
}

func customResources(rng *rand.Rand, group int) []metav1.APIResource {
	kinds := []string{fmt.Sprintf("Thing%d", group)}
	for _, k := range rng.Perm(len(customKinds))[:1+rng.IntN(4)] {
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
		out = append(out, r, metav1.APIResource{
			Name:       r.Name + "/status",
			Namespaced: r.Namespaced,
			Kind:       kind,
			Verbs:      metav1.Verbs{"get", "patch", "update"},
		})
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
