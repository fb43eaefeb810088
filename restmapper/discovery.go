package restmapper

import (
	"cmp"
	"errors"
	"maps"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
)

// errNoClient is what mappers built without a discovery client fail with.
var errNoClient = errors.New("restmapper: no discovery client")

// GetAPIGroupResources asks d for every group and the resources of every
// group-version, and returns them in the server's group order, ready for
// NewDiscoveryRESTMapper. Pass d.WithContext(ctx) to bound the requests.
//
// What d returns is used even when d returns it with an error, as wrappers
// and caches do. Like client-go's, it returns a nil error when only some
// group-versions failed (an aggregated API whose backend is down must not
// stop the rest from mapping): such a version stays listed in
// Group.Versions, has no entry in VersionedResources (unless d returned its
// resources with the error, as a cache keeping an old answer does) and is
// named in the group's Failed, and a group whose every version failed is returned
// without versions; a DiscoveryRESTMapper built from them reports the
// failures with a miss in those groups. When d's error names no
// group-version (a group list that may lack groups, a wrapper's own
// error), it returns what d returned together with that error, where
// client-go drops it: nothing in the result would show what is missing.
// When d returns an error and no group, or d is nil, it returns a nil
// slice and an error.
func GetAPIGroupResources(d discovery.DiscoveryInterface) ([]*APIGroupResources, error) {
	groups, g, err := getAPIGroupResources(d)
	if err != nil {
		return nil, err
	}
	return groups, g.other
}

// getAPIGroupResources is GetAPIGroupResources that returns what discovery
// missed instead of reporting it: the error is set only when nothing
// usable came back.
func getAPIGroupResources(d discovery.DiscoveryInterface) ([]*APIGroupResources, gaps, error) {
	groups, lists, g, err := discover(d)
	if err != nil {
		return nil, gaps{}, err
	}
	return groupResources(groups, lists, g.versions), g, nil
}

// getDiscoveredOrder is getAPIGroupResources for a mapper that needs only
// the index: the group-versions to index, in priority order. Failed
// versions have no resources, so they add nothing to it; the gaps say
// what they are.
func getDiscoveredOrder(d discovery.DiscoveryInterface) ([]groupVersionSource, gaps, error) {
	groups, lists, g, err := discover(d)
	if err != nil {
		return nil, gaps{}, err
	}
	return discoveredOrder(groups, lists), g, nil
}

// discover asks d for every group and resource list, keeping what d
// returns with an error; the error is set only when no group came back.
func discover(d discovery.DiscoveryInterface) ([]*metav1.APIGroup, []*metav1.APIResourceList, gaps, error) {
	if d == nil {
		return nil, nil, gaps{}, errNoClient
	}
	groups, lists, err := d.ServerGroupsAndResources()
	if err != nil && len(groups) == 0 {
		return nil, nil, gaps{}, err
	}
	return groups, lists, gapsOf(err), nil
}

// groupResources pairs groups with their resource lists and failed
// versions; lists that belong to no listed version are dropped, and the
// groups of failed versions that are not listed (every version of a group
// failed) are added at the end without versions.
func groupResources(groups []*metav1.APIGroup, lists []*metav1.APIResourceList, failed map[schema.GroupVersion]error) []*APIGroupResources {
	byGV := make(map[string]*metav1.APIResourceList, len(lists))
	for _, l := range lists {
		if l != nil {
			byGV[l.GroupVersion] = l
		}
	}
	out := make([]*APIGroupResources, 0, len(groups))
	byName := make(map[string]*APIGroupResources, len(groups))
	for _, g := range groups {
		if g == nil {
			continue
		}
		gr := &APIGroupResources{Group: *g, VersionedResources: make(map[string][]metav1.APIResource, len(g.Versions))}
		for _, v := range g.Versions {
			gv := v.GroupVersion
			if gv == "" {
				gv = schema.GroupVersion{Group: g.Name, Version: v.Version}.String()
			}
			if l, ok := byGV[gv]; ok {
				gr.VersionedResources[v.Version] = l.APIResources
			}
		}
		out = append(out, gr)
		if _, dup := byName[g.Name]; !dup {
			byName[g.Name] = gr
		}
	}
	for _, gv := range slices.SortedFunc(maps.Keys(failed), compareGroupVersions) {
		gr, ok := byName[gv.Group]
		if !ok {
			gr = &APIGroupResources{Group: metav1.APIGroup{Name: gv.Group}, VersionedResources: map[string][]metav1.APIResource{}}
			byName[gv.Group] = gr
			out = append(out, gr)
		}
		if gr.Failed == nil {
			gr.Failed = map[string]error{}
		}
		gr.Failed[gv.Version] = failed[gv]
	}
	return out
}

func compareGroupVersions(a, b schema.GroupVersion) int {
	return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Version, b.Version))
}
