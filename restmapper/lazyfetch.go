package restmapper

import (
	"context"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
)

// This file asks the server for what a LazyRESTMapper needs: the answers to
// /api and /apis, revalidated with their entity tags where the client and
// the server allow it, and, from a legacy server, each version of the
// groups needed.

// refresh brings what n needs up to date after a miss (or before anything
// is known): it revalidates the answer that lists n's group (both, for a
// question needing every group, or when nothing is known yet), publishes a
// new view when it changed, and loads n into the current view.
func (m *LazyRESTMapper) refresh(ctx context.Context, n need) error {
	if m.client == nil {
		return errNoClient
	}
	old := m.current()
	if old != nil && !old.aggregated && old.missing(n) {
		// A legacy server's group list is known: a group not loaded yet
		// needs only its versions.
		return m.loadLegacy(ctx, old, n)
	}
	if c, ok := m.client.(discovery.CachedDiscoveryInterface); ok && old != nil {
		c.Invalidate()
	}
	core, apis, err := m.fetchRoots(ctx, n, old)
	if err != nil {
		return err
	}

	m.commitMu.Lock()
	v := m.current()
	if v == nil && (core == nil || apis == nil) {
		// Reset ran while the answers were revalidated: what was
		// revalidated is gone, so fetch both again.
		m.commitMu.Unlock()
		if core, apis, err = m.fetchRoots(ctx, n, nil); err != nil {
			return err
		}
		m.commitMu.Lock()
		v = m.current()
	}
	if v == nil || core != nil || apis != nil {
		if v != nil {
			// Another refresh may have published meanwhile: keep its
			// answer for the document this one did not fetch.
			if core == nil {
				core = v.core
			}
			if apis == nil {
				apis = v.apis
			}
		}
		v = newView(core, apis, v)
		m.view.Store(v)
	}
	if v.aggregated {
		v.takeAggregated(n)
	}
	m.commitMu.Unlock()

	if !v.aggregated {
		if err := m.loadLegacy(ctx, v, n); err != nil {
			return err
		}
	}
	m.rechecked(n)
	if n.inCore() {
		m.coreChecks.Add(1)
	}
	if n.inAPIs() {
		m.apisChecks.Add(1)
	}
	return nil
}

// fetchRoots fetches the answers n depends on (both when old is nil),
// conditionally on old's entity tags. A nil result means unchanged (or not
// fetched).
func (m *LazyRESTMapper) fetchRoots(ctx context.Context, n need, old *lazyView) (core, apis *discovery.Snapshot, err error) {
	d := m.client.WithContext(ctx)
	if rr, ok := d.(discovery.RootRevalidator); ok {
		wantCore, wantAPIs := old == nil || n.inCore(), old == nil || n.inAPIs()
		var coreErr, apisErr error
		var wg sync.WaitGroup
		if wantCore {
			wg.Go(func() { core, coreErr = fetchRoot(rr, true, old) })
		}
		if wantAPIs {
			apis, apisErr = fetchRoot(rr, false, old)
		}
		wg.Wait()
		if coreErr != nil {
			return nil, nil, coreErr
		}
		return core, apis, apisErr
	}

	var list *metav1.APIGroupList
	var resources map[schema.GroupVersion]*metav1.APIResourceList
	failed := map[schema.GroupVersion]error{}
	if ad, ok := d.(discovery.AggregatedDiscoveryInterface); ok {
		list, resources, failed, err = ad.GroupsAndMaybeResources()
	} else {
		list, err = d.ServerGroups()
	}
	if err != nil {
		return nil, nil, err
	}
	core, apis = splitRoots(list, resources, failed)
	return core, apis, nil
}

// fetchRoot fetches one answer, conditionally when old has its tag; nil
// means unchanged.
func fetchRoot(rr discovery.RootRevalidator, core bool, old *lazyView) (*discovery.Snapshot, error) {
	var prev string
	if old != nil {
		if core {
			prev = old.core.ETags.API
		} else {
			prev = old.apis.ETags.APIs
		}
	}
	snap, notModified, err := rr.FetchRoot(core, prev)
	if err != nil || notModified {
		return nil, err
	}
	return snap, nil
}

// splitRoots splits an answer covering /api and /apis into one per
// document, the core group in the first. resources is nil for a legacy
// answer, and stays nil in both.
func splitRoots(list *metav1.APIGroupList, resources map[schema.GroupVersion]*metav1.APIResourceList, failed map[schema.GroupVersion]error) (core, apis *discovery.Snapshot) {
	half := func() *discovery.Snapshot {
		s := &discovery.Snapshot{Groups: &metav1.APIGroupList{}, Failed: map[schema.GroupVersion]error{}}
		if resources != nil {
			s.Resources = map[schema.GroupVersion]*metav1.APIResourceList{}
		}
		return s
	}
	core, apis = half(), half()
	pick := func(group string) *discovery.Snapshot {
		if group == "" {
			return core
		}
		return apis
	}
	for _, g := range list.Groups {
		s := pick(g.Name)
		s.Groups.Groups = append(s.Groups.Groups, g)
	}
	for gv, l := range resources {
		pick(gv.Group).Resources[gv] = l
	}
	for gv, err := range failed {
		pick(gv.Group).Failed[gv] = err
	}
	return core, apis
}

// loadLegacy fetches each version of the groups n needs from a legacy
// server, in parallel, and publishes them in v.
func (m *LazyRESTMapper) loadLegacy(ctx context.Context, v *lazyView, n need) error {
	var slots []*groupSlot
	if n.all {
		for _, name := range v.order {
			slots = append(slots, v.slots[name])
		}
	} else if s, ok := v.slots[n.group]; ok {
		slots = append(slots, s)
	}
	var gvs []schema.GroupVersion
	for _, s := range slots {
		for _, ver := range s.group.Versions {
			gvs = append(gvs, schema.GroupVersion{Group: s.group.Name, Version: ver.Version})
		}
	}
	lists, fetchFailed := discovery.FetchResources(ctx, m.client, gvs)
	if err := ctx.Err(); err != nil {
		return err
	}
	loaded := make([]*loadedGroup, len(slots))
	for i, s := range slots {
		g, failed := legacyGroup(s.group, lists, fetchFailed)
		loaded[i] = newLoadedGroup(s.loaded.Load(), g, failed)
	}
	m.commitMu.Lock()
	defer m.commitMu.Unlock()
	for i, s := range slots {
		v.store(s, loaded[i])
	}
	if n.all {
		v.allLoaded.Store(true)
	}
	return nil
}
