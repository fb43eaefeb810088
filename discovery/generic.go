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
// for each group-version, DefaultParallelism at a time. Group-versions that
// fail are reported in an *ErrGroupDiscoveryFailed returned with the rest.
// When ctx ends first, it returns ctx's error and no results.
func ServerGroupsAndResources(ctx context.Context, d DiscoveryInterface) ([]*metav1.APIGroup, []*metav1.APIResourceList, error) {
	view := d.WithContext(ctx)
	groups, byGV, failed, err := collect(ctx, view, DefaultParallelism, fetchThrough(view))
	if err != nil {
		return nil, nil, err
	}
	g, r := flatten(groups, byGV)
	return g, r, newGroupDiscoveryFailed(failed)
}

// ServerPreferredResources returns, for each group and resource, the entry
// in the group's preferred version, or in the first version listing it when
// the preferred version does not. Subresources are left out; lists follow
// the server's group and version order and are never empty. Failures are
// reported as by ServerGroupsAndResources.
func ServerPreferredResources(ctx context.Context, d DiscoveryInterface) ([]*metav1.APIResourceList, error) {
	view := d.WithContext(ctx)
	groups, byGV, failed, err := collect(ctx, view, DefaultParallelism, fetchThrough(view))
	if err != nil {
		return nil, err
	}
	return preferredResources(groups.Groups, byGV), newGroupDiscoveryFailed(failed)
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

// collect gathers the group list and every group-version's resources from
// view: from GroupsAndMaybeResources when it has them, by fetching each
// group-version otherwise. failed is never nil when err is nil; err is set
// when the group list itself failed or ctx ended.
func collect(ctx context.Context, view DiscoveryInterface, parallelism int, fetch fetchFunc) (
	groups *metav1.APIGroupList,
	byGV map[schema.GroupVersion]*metav1.APIResourceList,
	failed map[schema.GroupVersion]error,
	err error,
) {
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, err
	}
	failed = make(map[schema.GroupVersion]error)
	if ad, ok := view.(AggregatedDiscoveryInterface); ok {
		var stale map[schema.GroupVersion]error
		groups, byGV, stale, err = ad.GroupsAndMaybeResources()
		for gv, e := range stale {
			failed[gv] = e
		}
	} else {
		groups, err = view.ServerGroups()
	}
	if err != nil {
		return nil, nil, nil, err
	}
	if byGV == nil {
		var fetchFailed map[schema.GroupVersion]error
		byGV, fetchFailed = fetchAll(ctx, groupVersions(groups.Groups), parallelism, fetch)
		for gv, e := range fetchFailed {
			failed[gv] = e
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, err
	}
	return groups, byGV, failed, nil
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
// at a time, and returns the answers and the failures by group-version. When
// ctx ends, the group-versions not yet asked fail with ctx's error. Caches
// use it to fill from, or retry against, a delegate.
func FetchResources(ctx context.Context, d DiscoveryInterface, gvs []schema.GroupVersion) (map[schema.GroupVersion]*metav1.APIResourceList, map[schema.GroupVersion]error) {
	if len(gvs) == 0 {
		return map[schema.GroupVersion]*metav1.APIResourceList{}, map[schema.GroupVersion]error{}
	}
	return fetchAll(ctx, gvs, DefaultParallelism, fetchThrough(d.WithContext(ctx)))
}
