package discovery

import (
	"context"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// This file holds what every DiscoveryInterface derives from its two
// primitive questions, the group list and one group-version's resources:
// the whole view, and the preferred resources. The caches and the fake
// implement their methods with these functions; they are exported for other
// implementations of DiscoveryInterface.

// ServerGroupsAndResources returns d's groups and the resources of every
// group-version. It uses d's GroupsAndMaybeResources when d implements
// AggregatedDiscoveryInterface and got resources from it; otherwise it asks
// for each group-version, DefaultParallelism at a time.
//
// What d returns is kept even when d returns it with an error, as wrappers
// and caches do: a group list that came with an error is used, and reported
// by an error that wraps d's; a resource list that came with an error is
// returned, and its group-version reported as failed. Group-versions that
// fail are reported in an *ErrGroupDiscoveryFailed returned with the rest
// (joined with the group list's error when there is one). When d returns
// no group list, or ctx ends first, it returns that error and no results.
func ServerGroupsAndResources(ctx context.Context, d DiscoveryInterface) ([]*metav1.APIGroup, []*metav1.APIResourceList, error) {
	view := d.WithContext(ctx)
	got, err := collect(ctx, view, DefaultParallelism, fetchThrough(view))
	if err != nil {
		return nil, nil, err
	}
	g, r := flatten(got.groups, got.byGV)
	return g, r, got.err()
}

// ServerPreferredResources returns, for each group and resource, the entry
// in the group's preferred version, or in the first version listing it when
// the preferred version does not. Subresources are left out; lists follow
// the server's group and version order and are never empty. Partial
// results and failures are handled as by ServerGroupsAndResources.
func ServerPreferredResources(ctx context.Context, d DiscoveryInterface) ([]*metav1.APIResourceList, error) {
	view := d.WithContext(ctx)
	got, err := collect(ctx, view, DefaultParallelism, fetchThrough(view))
	if err != nil {
		return nil, err
	}
	return preferredResources(got.groups.Groups, got.byGV), got.err()
}

// ServerPreferredNamespacedResources is ServerPreferredResources keeping only
// namespaced resources.
func ServerPreferredNamespacedResources(ctx context.Context, d DiscoveryInterface) ([]*metav1.APIResourceList, error) {
	all, err := ServerPreferredResources(ctx, d)
	return FilteredBy(ResourcePredicateFunc(isNamespaced), all), err
}

func isNamespaced(_ string, r *metav1.APIResource) bool { return r.Namespaced }

// fetchThrough asks view, which is bound to the caller's context, for one
// group-version.
func fetchThrough(view DiscoveryInterface) fetchFunc {
	return func(_ context.Context, gv schema.GroupVersion) (*metav1.APIResourceList, error) {
		return view.ServerResourcesForGroupVersion(gv.String())
	}
}

// gathered is what one round of discovery got.
type gathered struct {
	groups *metav1.APIGroupList
	// byGV holds every list returned, those returned with an error too.
	byGV map[schema.GroupVersion]*metav1.APIResourceList
	// failed holds the group-versions that failed; never nil.
	failed map[schema.GroupVersion]error
	// listErr is the error the client returned together with the group
	// list, which may then lack groups; nil when the list came whole.
	listErr error
}

// err reports what the round missed, or nil.
func (g *gathered) err() error { return partialError(g.listErr, g.failed) }

// collect gathers the group list and every group-version's resources from
// view: from GroupsAndMaybeResources when it has them, by fetching each
// group-version otherwise. It returns an error, and nothing else, when
// view returned no group list or ctx ended.
func collect(ctx context.Context, view DiscoveryInterface, parallelism int, fetch fetchFunc) (*gathered, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	got := &gathered{failed: make(map[schema.GroupVersion]error)}
	var err error
	if ad, ok := view.(AggregatedDiscoveryInterface); ok {
		var stale map[schema.GroupVersion]error
		got.groups, got.byGV, stale, err = ad.GroupsAndMaybeResources()
		for gv, e := range stale {
			got.failed[gv] = e
		}
	} else {
		got.groups, err = view.ServerGroups()
	}
	if got.groups == nil {
		if err != nil {
			return nil, err
		}
		got.groups = &metav1.APIGroupList{}
	}
	got.listErr = err
	if got.byGV == nil {
		var fetchFailed map[schema.GroupVersion]error
		got.byGV, fetchFailed = fetchAll(ctx, groupVersions(got.groups.Groups), parallelism, fetch)
		for gv, e := range fetchFailed {
			got.failed[gv] = e
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return got, nil
}

// flatten returns pointers to the groups and the resource lists in group
// and version order, skipping group-versions that have no list.
func flatten(groups *metav1.APIGroupList, byGV map[schema.GroupVersion]*metav1.APIResourceList) ([]*metav1.APIGroup, []*metav1.APIResourceList) {
	outGroups := make([]*metav1.APIGroup, 0, len(groups.Groups))
	outLists := make([]*metav1.APIResourceList, 0, len(byGV))
	for i := range groups.Groups {
		g := &groups.Groups[i]
		outGroups = append(outGroups, g)
		for _, v := range g.Versions {
			if list, ok := byGV[schema.GroupVersion{Group: g.Name, Version: v.Version}]; ok {
				outLists = append(outLists, list)
			}
		}
	}
	return outGroups, outLists
}

// preferredResources picks one version of each group's resources: the
// preferred version when it has the resource, the first version that has it
// otherwise. It works in two passes so that the order of the result follows
// the input's, not a map's.
func preferredResources(groups []metav1.APIGroup, byGV map[schema.GroupVersion]*metav1.APIResourceList) []*metav1.APIResourceList {
	chosen := make(map[schema.GroupResource]string)
	for i := range groups {
		g := &groups[i]
		for _, v := range g.Versions {
			list := byGV[schema.GroupVersion{Group: g.Name, Version: v.Version}]
			if list == nil {
				continue
			}
			for j := range list.APIResources {
				name := list.APIResources[j].Name
				if strings.Contains(name, "/") {
					continue
				}
				gr := schema.GroupResource{Group: g.Name, Resource: name}
				if _, seen := chosen[gr]; seen && v.Version != g.PreferredVersion.Version {
					continue
				}
				chosen[gr] = v.Version
			}
		}
	}
	var out []*metav1.APIResourceList
	for i := range groups {
		g := &groups[i]
		for _, v := range g.Versions {
			list := byGV[schema.GroupVersion{Group: g.Name, Version: v.Version}]
			if list == nil {
				continue
			}
			picked := &metav1.APIResourceList{GroupVersion: v.GroupVersion}
			for j := range list.APIResources {
				r := &list.APIResources[j]
				if !strings.Contains(r.Name, "/") && chosen[schema.GroupResource{Group: g.Name, Resource: r.Name}] == v.Version {
					picked.APIResources = append(picked.APIResources, *r)
				}
			}
			if len(picked.APIResources) > 0 {
				out = append(out, picked)
			}
		}
	}
	return out
}

// FetchResources asks d for the resources of each of gvs, DefaultParallelism
// at a time, and returns the answers and the failures by group-version. A
// group-version for which d returned a list together with an error is in
// both maps. When ctx ends, the group-versions not yet asked fail with
// ctx's error. Caches use it to fill from, or retry against, a delegate.
func FetchResources(ctx context.Context, d DiscoveryInterface, gvs []schema.GroupVersion) (map[schema.GroupVersion]*metav1.APIResourceList, map[schema.GroupVersion]error) {
	if len(gvs) == 0 {
		return map[schema.GroupVersion]*metav1.APIResourceList{}, map[schema.GroupVersion]error{}
	}
	return fetchAll(ctx, gvs, DefaultParallelism, fetchThrough(d.WithContext(ctx)))
}
