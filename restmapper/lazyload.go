package restmapper

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
)

// This file holds what a LazyRESTMapper knows: the last answers to /api and
// /apis, and, per group they list, what was loaded of it. lazyfetch.go asks
// the server; this file only keeps and indexes.

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

// inCore and inAPIs report which documents list what n needs: /api lists
// the core group, /apis every other.
func (n need) inCore() bool { return n.all || n.group == "" }
func (n need) inAPIs() bool { return n.all || n.group != "" }

// lazyView is what a LazyRESTMapper knows between two changes of the
// documents. The documents, the order and the slots map never change once
// published; a slot's content is replaced whole when its group is loaded.
// Loading one group therefore costs that group's size and nothing more, so
// that loading a thousand groups one by one stays linear.
type lazyView struct {
	// core and apis are the answers to /api and /apis; coreErr and
	// apisErr the errors the client returned them with, nil when they
	// came whole.
	core, apis       *discovery.Snapshot
	coreErr, apisErr error
	// aggregated is set when both answers carried resources: a group is
	// then loaded from them without a request.
	aggregated bool
	// order lists the groups in the server's order, which decides priority
	// between groups; slots holds one slot per listed group.
	order []string
	slots map[string]*groupSlot
	// allLoaded is set once every listed group was loaded.
	allLoaded atomic.Bool
	// stores counts the groups loaded into slots, so that combined, the
	// index over every loaded group, can tell it is out of date.
	stores   atomic.Uint64
	combined atomic.Pointer[combinedIndex]
}

// groupSlot holds one listed group and what was loaded of it.
type groupSlot struct {
	group *metav1.APIGroup
	// shadows is set when another listed group's name starts with this
	// one's: a partial resource naming this group may match there too
	// (see query.go), so it is answered from the combined index.
	shadows bool
	loaded  atomic.Pointer[loadedGroup]
	// prev is what was loaded of the group in the view before this one,
	// whose resources a version failing now keeps (see keepFailed).
	prev *loadedGroup
}

// loadedGroup is one group as loaded, indexed on its own.
type loadedGroup struct {
	res *APIGroupResources
	ix  *index
	// failed holds the group's versions whose discovery failed or that the
	// server marked Stale.
	failed map[schema.GroupVersion]error
}

// combinedIndex indexes every group loaded when stores was stamp.
type combinedIndex struct {
	ix    *index
	stamp uint64
}

// newView returns the view of the answers r holds, both set; old is the
// view it replaces, nil for none. Groups loaded in old are kept, as they
// are, only when the answers are legacy, since loading them again costs
// requests; from aggregated answers a group is loaded again when asked for.
func newView(r roots, old *lazyView) *lazyView {
	core, apis := r.core, r.apis
	v := &lazyView{core: core, apis: apis, coreErr: r.coreErr, apisErr: r.apisErr, aggregated: core.Resources != nil && apis.Resources != nil}
	n := len(core.Groups.Groups) + len(apis.Groups.Groups)
	v.order = make([]string, 0, n)
	v.slots = make(map[string]*groupSlot, n)
	for _, snap := range []*discovery.Snapshot{core, apis} {
		for i := range snap.Groups.Groups {
			g := &snap.Groups.Groups[i]
			if _, dup := v.slots[g.Name]; dup {
				continue
			}
			s := &groupSlot{group: g}
			if old != nil {
				if o := old.slots[g.Name]; o != nil {
					s.prev = o.loaded.Load()
					if s.prev == nil {
						s.prev = o.prev
					}
				}
			}
			if !v.aggregated && s.prev != nil {
				s.loaded.Store(s.prev)
			}
			v.order = append(v.order, g.Name)
			v.slots[g.Name] = s
		}
	}
	sorted := slices.Sorted(maps.Keys(v.slots))
	for i, name := range sorted {
		// A name's extensions sort right after it.
		if i+1 < len(sorted) && strings.HasPrefix(sorted[i+1], name) {
			v.slots[name].shadows = true
		}
	}
	return v
}

// snapshotFor returns the answer listing what n needs.
func (v *lazyView) snapshotFor(group string) *discovery.Snapshot {
	if group == "" {
		return v.core
	}
	return v.apis
}

// indexFor returns the index answering a question needing n, and false
// when what n needs is not loaded. byName is set for questions about a
// partial resource, which with a group may match in every group whose name
// starts with it. A group the answers do not list is answered from what is
// loaded: it is not served.
func (v *lazyView) indexFor(n need, byName bool) (*index, bool) {
	if v == nil {
		return nil, false
	}
	if n.all {
		if !v.allLoaded.Load() {
			return nil, false
		}
		return v.combinedIndex(), true
	}
	s, ok := v.slots[n.group]
	if !ok {
		if byName {
			return v.combinedIndex(), true
		}
		return emptyIndex, true
	}
	l := s.loaded.Load()
	if l == nil {
		return nil, false
	}
	if byName && s.shadows {
		return v.combinedIndex(), true
	}
	return l.ix, true
}

// combinedIndex returns the index over every loaded group, building it
// when a group was loaded since it was last built. Hits read it without
// allocating.
func (v *lazyView) combinedIndex() *index {
	stamp := v.stores.Load()
	if c := v.combined.Load(); c != nil && c.stamp == stamp {
		return c.ix
	}
	groups := make([]*APIGroupResources, 0, len(v.order))
	for _, name := range v.order {
		if l := v.slots[name].loaded.Load(); l != nil && l.res != nil {
			groups = append(groups, l.res)
		}
	}
	ix := newIndex(groups)
	v.combined.Store(&combinedIndex{ix: ix, stamp: stamp})
	return ix
}

// store publishes l as what is loaded of group.
func (v *lazyView) store(s *groupSlot, l *loadedGroup) {
	s.loaded.Store(l)
	v.stores.Add(1)
}

// missing reports whether part of what n needs is listed but not loaded.
func (v *lazyView) missing(n need) bool {
	if n.all {
		return !v.allLoaded.Load()
	}
	s, ok := v.slots[n.group]
	return ok && s.loaded.Load() == nil
}

// takeAggregated loads from the aggregated answers what n needs and is not
// loaded yet, without a request. The caller holds the mapper's commitMu.
func (v *lazyView) takeAggregated(n need) {
	if n.all {
		for _, name := range v.order {
			if s := v.slots[name]; s.loaded.Load() == nil {
				v.store(s, v.take(s))
			}
		}
		v.allLoaded.Store(true)
		return
	}
	if s, ok := v.slots[n.group]; ok && s.loaded.Load() == nil {
		v.store(s, v.take(s))
	}
}

// take builds the loaded group of s from the aggregated answers.
func (v *lazyView) take(s *groupSlot) *loadedGroup {
	snap := v.snapshotFor(s.group.Name)
	g := &APIGroupResources{Group: *s.group, VersionedResources: make(map[string][]metav1.APIResource, len(s.group.Versions))}
	for _, ver := range s.group.Versions {
		gv := schema.GroupVersion{Group: s.group.Name, Version: ver.Version}
		if l, ok := snap.Resources[gv]; ok {
			g.VersionedResources[ver.Version] = l.APIResources
		}
	}
	return newLoadedGroup(s.prev, g, groupFailures(snap, s.group.Name))
}

// groupFailures returns the versions of group an aggregated answer marked
// Stale (and so left out of the group's versions), nil when none was.
func groupFailures(snap *discovery.Snapshot, group string) map[schema.GroupVersion]error {
	var out map[schema.GroupVersion]error
	for gv, err := range snap.Failed {
		if gv.Group == group {
			if out == nil {
				out = map[schema.GroupVersion]error{}
			}
			out[gv] = err
		}
	}
	return out
}

// newLoadedGroup indexes g, fetched with failed, keeping what prev had for
// the versions that failed.
func newLoadedGroup(prev *loadedGroup, g *APIGroupResources, failed map[schema.GroupVersion]error) *loadedGroup {
	if prev != nil {
		g = keepFailed(prev.res, g, failed)
	}
	return &loadedGroup{res: g, ix: newIndex([]*APIGroupResources{g}), failed: failed}
}

// gaps returns what discovery could not answer of what a question
// needing n depends on: the failed versions of its group (of every group
// for n.all), and the error the answer listing it came with.
func (v *lazyView) gaps(n need) gaps {
	if v == nil {
		return gaps{}
	}
	var g gaps
	switch {
	case n.all:
		g.other = errors.Join(v.coreErr, v.apisErr)
		if v.coreErr == v.apisErr {
			// One answer covered both documents.
			g.other = v.coreErr
		}
	case n.group == "":
		g.other = v.coreErr
	default:
		g.other = v.apisErr
	}
	if !n.all {
		if s, ok := v.slots[n.group]; ok {
			if l := s.loaded.Load(); l != nil && len(l.failed) > 0 {
				g.versions = l.failed
			}
			return g
		}
		// A group whose every version is stale is not listed.
		g.versions = groupFailures(v.snapshotFor(n.group), n.group)
		return g
	}
	for _, name := range v.order {
		if l := v.slots[name].loaded.Load(); l != nil && len(l.failed) > 0 {
			if g.versions == nil {
				g.versions = map[schema.GroupVersion]error{}
			}
			maps.Copy(g.versions, l.failed)
		}
	}
	return g
}

// legacyGroup builds a group of a legacy answer from its versions'
// resources as fetched. A version the server answers 404 for has stopped
// being served and is dropped; other failures are returned.
func legacyGroup(group *metav1.APIGroup, lists map[schema.GroupVersion]*metav1.APIResourceList, fetchFailed map[schema.GroupVersion]error) (*APIGroupResources, map[schema.GroupVersion]error) {
	g := &APIGroupResources{Group: *group, VersionedResources: map[string][]metav1.APIResource{}}
	g.Group.Versions = nil
	var failed map[schema.GroupVersion]error
	for _, ver := range group.Versions {
		gv := schema.GroupVersion{Group: group.Name, Version: ver.Version}
		if err, ok := fetchFailed[gv]; ok {
			if apierrors.IsNotFound(err) {
				continue
			}
			if failed == nil {
				failed = map[schema.GroupVersion]error{}
			}
			failed[gv] = err
		}
		g.Group.Versions = append(g.Group.Versions, ver)
		if l, ok := lists[gv]; ok {
			g.VersionedResources[ver.Version] = l.APIResources
		}
	}
	return g, failed
}

// keepFailed returns cur, the group as just fetched, with the resources old
// had for versions that cur still lists but failed to fetch.
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
