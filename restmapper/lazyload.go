package restmapper

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
)

// This file loads groups for LazyRESTMapper and publishes them: what to ask
// the discovery client, and how a load's answer becomes the next snapshot.

// need names what a question depends on: one group, or every group (a
// partial resource without a group may match in any of them).
type need struct {
	all   bool
	group string
}

func groupNeed(group string) need { return need{group: group} }

func partialNeed(r schema.GroupVersionResource) need {
	if r.Group == "" {
		return need{all: true}
	}
	return need{group: r.Group}
}

func (n need) String() string {
	if n.all {
		return "all groups"
	}
	return fmt.Sprintf("group %q", n.group)
}

// lazySnapshot is what a LazyRESTMapper knows at one moment. It is never
// modified once published.
type lazySnapshot struct {
	ix *index
	// groups holds every loaded group; a nil value records a group the
	// server did not serve when it was loaded.
	groups map[string]*APIGroupResources
	// loadedAt holds, for each loaded group, the number of the load that
	// last brought it; allLoadedAt the number of the last load of every
	// group, 0 when there was none. Callers compare them to learn whether
	// a load happened since they looked.
	loadedAt    map[string]uint64
	allLoadedAt uint64
	// order is the server's group order at the last load: the position of
	// each group name, which decides priority between groups.
	order map[string]int
	// failed holds, per loaded group, the group-versions its last load could
	// not discover.
	failed map[string]map[schema.GroupVersion]error
	seq    uint64
}

var emptySnapshot = &lazySnapshot{ix: emptyIndex}

// covers reports whether the snapshot can answer a question needing n.
func (s *lazySnapshot) covers(n need) bool {
	if s.allLoadedAt > 0 {
		return true
	}
	if n.all {
		return false
	}
	_, ok := s.groups[n.group]
	return ok
}

// loadSeq returns the number of the last load that brought what n needs.
func (s *lazySnapshot) loadSeq(n need) uint64 {
	if n.all {
		return s.allLoadedAt
	}
	return max(s.loadedAt[n.group], s.allLoadedAt)
}

// failures returns the discovery failures behind a question needing n, or
// nil when there were none.
func (s *lazySnapshot) failures(n need) map[schema.GroupVersion]error {
	out := map[schema.GroupVersion]error{}
	for g, f := range s.failed {
		if n.all || g == n.group {
			maps.Copy(out, f)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// fetched is one load's answer.
type fetched struct {
	// groups holds the groups the load brought: the one needed, or every
	// served group for a question needing all; a group the server does not
	// serve is absent.
	groups map[string]*APIGroupResources
	// order lists every group the server serves, in its order.
	order  []string
	failed map[schema.GroupVersion]error
}

// fetch asks the discovery client for what n needs: with aggregated
// discovery one round (GET /api and /apis) brings every group; otherwise
// the group list, then each version of the group needed, in parallel. A
// version the server answers 404 for has stopped being served and is
// dropped; other per-version failures are returned in fetched.failed.
func (m *LazyRESTMapper) fetch(ctx context.Context, n need) (*fetched, error) {
	if m.client == nil {
		return nil, errNoClient
	}
	d := m.client.WithContext(ctx)
	if n.all {
		groups, lists, err := d.ServerGroupsAndResources()
		failed, partial := discovery.GroupDiscoveryFailedErrorGroups(err)
		if err != nil && !partial {
			return nil, err
		}
		f := &fetched{groups: map[string]*APIGroupResources{}, failed: failed}
		for _, g := range groupResources(groups, lists) {
			f.groups[g.Group.Name] = g
			f.order = append(f.order, g.Group.Name)
		}
		return f, nil
	}

	var list *metav1.APIGroupList
	if ad, ok := d.(discovery.AggregatedDiscoveryInterface); ok {
		groups, resources, failed, err := ad.GroupsAndMaybeResources()
		if err != nil {
			return nil, err
		}
		if resources != nil {
			return fromAggregated(n.group, groups, resources, failed), nil
		}
		list = groups
	} else {
		groups, err := d.ServerGroups()
		if err != nil {
			return nil, err
		}
		list = groups
	}

	f := &fetched{groups: map[string]*APIGroupResources{}, failed: map[schema.GroupVersion]error{}}
	var group *metav1.APIGroup
	for i := range list.Groups {
		f.order = append(f.order, list.Groups[i].Name)
		if list.Groups[i].Name == n.group {
			group = &list.Groups[i]
		}
	}
	if group == nil {
		return f, nil
	}
	gvs := make([]schema.GroupVersion, 0, len(group.Versions))
	for _, v := range group.Versions {
		gvs = append(gvs, schema.GroupVersion{Group: group.Name, Version: v.Version})
	}
	lists, failed := discovery.FetchResources(ctx, m.client, gvs)
	g := &APIGroupResources{Group: *group, VersionedResources: map[string][]metav1.APIResource{}}
	g.Group.Versions = nil
	for _, v := range group.Versions {
		gv := schema.GroupVersion{Group: group.Name, Version: v.Version}
		if err, ok := failed[gv]; ok {
			if apierrors.IsNotFound(err) {
				continue
			}
			f.failed[gv] = err
		}
		g.Group.Versions = append(g.Group.Versions, v)
		if l, ok := lists[gv]; ok {
			g.VersionedResources[v.Version] = l.APIResources
		}
	}
	f.groups[n.group] = g
	return f, nil
}

// fromAggregated takes group out of an aggregated answer, which holds every
// group: the others are not needed.
func fromAggregated(group string, list *metav1.APIGroupList, resources map[schema.GroupVersion]*metav1.APIResourceList, failed map[schema.GroupVersion]error) *fetched {
	f := &fetched{groups: map[string]*APIGroupResources{}, failed: map[schema.GroupVersion]error{}}
	for gv, err := range failed {
		if gv.Group == group {
			f.failed[gv] = err
		}
	}
	for i := range list.Groups {
		g := &list.Groups[i]
		f.order = append(f.order, g.Name)
		if g.Name != group {
			continue
		}
		gr := &APIGroupResources{Group: *g, VersionedResources: make(map[string][]metav1.APIResource, len(g.Versions))}
		for _, v := range g.Versions {
			if l, ok := resources[schema.GroupVersion{Group: g.Name, Version: v.Version}]; ok {
				gr.VersionedResources[v.Version] = l.APIResources
			}
		}
		f.groups[g.Name] = gr
	}
	return f
}

// next returns the snapshot that follows s once f, fetched for n, is taken
// in. Only what n needs is replaced. A version that failed transiently keeps
// the resources s had for it, so that a blip does not unmap a kind; a
// version the server no longer lists is gone.
func (s *lazySnapshot) next(n need, f *fetched) *lazySnapshot {
	ns := &lazySnapshot{
		groups:      maps.Clone(s.groups),
		loadedAt:    maps.Clone(s.loadedAt),
		allLoadedAt: s.allLoadedAt,
		order:       make(map[string]int, len(f.order)),
		failed:      maps.Clone(s.failed),
		seq:         s.seq + 1,
	}
	if ns.groups == nil {
		ns.groups = map[string]*APIGroupResources{}
		ns.loadedAt = map[string]uint64{}
		ns.failed = map[string]map[schema.GroupVersion]error{}
	}
	for i, name := range f.order {
		ns.order[name] = i
	}
	take := func(name string) {
		g := keepFailed(s.groups[name], f.groups[name], f.failed)
		ns.groups[name] = g
		ns.loadedAt[name] = ns.seq
		delete(ns.failed, name)
		for gv, err := range f.failed {
			if gv.Group == name {
				if ns.failed[name] == nil {
					ns.failed[name] = map[schema.GroupVersion]error{}
				}
				ns.failed[name][gv] = err
			}
		}
	}
	if n.all {
		clear(ns.groups)
		clear(ns.loadedAt)
		clear(ns.failed)
		for name := range f.groups {
			take(name)
		}
		ns.allLoadedAt = ns.seq
	} else {
		take(n.group)
	}

	loaded := make([]*APIGroupResources, 0, len(ns.groups))
	for _, g := range ns.groups {
		if g != nil {
			loaded = append(loaded, g)
		}
	}
	slices.SortFunc(loaded, func(a, b *APIGroupResources) int {
		pa, oka := ns.order[a.Group.Name]
		pb, okb := ns.order[b.Group.Name]
		switch {
		case oka && okb:
			return cmp.Compare(pa, pb)
		case oka != okb:
			if oka {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.Group.Name, b.Group.Name)
	})
	ns.ix = newIndex(loaded)
	return ns
}

// keepFailed returns cur, the group as just fetched (nil when not served),
// with the resources old had for versions that cur still lists but failed
// to fetch.
func keepFailed(old, cur *APIGroupResources, failed map[schema.GroupVersion]error) *APIGroupResources {
	if old == nil || cur == nil || len(failed) == 0 {
		return cur
	}
	var out *APIGroupResources
	for _, v := range cur.Group.Versions {
		gv := schema.GroupVersion{Group: cur.Group.Name, Version: v.Version}
		if _, bad := failed[gv]; !bad {
			continue
		}
		if _, have := cur.VersionedResources[v.Version]; have {
			continue
		}
		prev, ok := old.VersionedResources[v.Version]
		if !ok {
			continue
		}
		if out == nil {
			out = &APIGroupResources{Group: cur.Group, VersionedResources: maps.Clone(cur.VersionedResources)}
		}
		out.VersionedResources[v.Version] = prev
	}
	if out == nil {
		return cur
	}
	return out
}
