package restmapper

import (
	"context"
	"errors"
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
	r, err := m.fetchRoots(ctx, n, old)
	if err != nil {
		return err
	}

	m.commitMu.Lock()
	v := m.current()
	if v == nil && (r.core == nil || r.apis == nil) {
		// Reset ran while the answers were revalidated: what was
		// revalidated is gone, so fetch both again.
		m.commitMu.Unlock()
		if r, err = m.fetchRoots(ctx, n, nil); err != nil {
			return err
		}
		m.commitMu.Lock()
		v = m.current()
	}
	if v == nil || r.core != nil || r.apis != nil {
		if v != nil {
			// Another refresh may have published meanwhile: keep its
			// answer for the document this one did not fetch.
			if r.core == nil {
				r.core, r.coreErr = v.core, v.coreErr
			}
			if r.apis == nil {
				r.apis, r.apisErr = v.apis, v.apisErr
			}
		}
		v = newView(r, v)
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

// roots is what one revalidation got: the answers to /api and /apis (nil
// when unchanged or not fetched), and the errors the client returned them
// with (nil when an answer came whole). A client may return an answer with
// an error, as wrappers and caches do: the answer is used, and the error
// reported with the misses it may explain.
type roots struct {
	core, apis       *discovery.Snapshot
	coreErr, apisErr error
}

// fetchRoots fetches the answers n depends on (both when old is nil),
// conditionally on old's entity tags. It fails only when an answer it
// needs came back with nothing.
func (m *LazyRESTMapper) fetchRoots(ctx context.Context, n need, old *lazyView) (roots, error) {
	d := m.client.WithContext(ctx)
	var r roots
	if rr, ok := d.(discovery.RootRevalidator); ok {
		wantCore, wantAPIs := old == nil || n.inCore(), old == nil || n.inAPIs()
		var coreFail, apisFail error
		var wg sync.WaitGroup
		if wantCore {
			wg.Go(func() { r.core, r.coreErr, coreFail = fetchRoot(rr, true, old) })
		}
		if wantAPIs {
			r.apis, r.apisErr, apisFail = fetchRoot(rr, false, old)
		}
		wg.Wait()
		if coreFail != nil {
			return roots{}, coreFail
		}
		if apisFail != nil {
			return roots{}, apisFail
		}
		return r, nil
	}

	var list *metav1.APIGroupList
	var resources map[schema.GroupVersion]*metav1.APIResourceList
	failed := map[schema.GroupVersion]error{}
	var err error
	if ad, ok := d.(discovery.AggregatedDiscoveryInterface); ok {
		list, resources, failed, err = ad.GroupsAndMaybeResources()
	} else {
		list, err = d.ServerGroups()
	}
	if list == nil {
		if err == nil {
			err = errors.New("restmapper: the discovery client returned no group list")
		}
		return roots{}, err
	}
	r.core, r.apis = splitRoots(list, resources, failed)
	// One answer covers both documents: its error may concern either.
	r.coreErr, r.apisErr = err, err
	return r, nil
}

// fetchRoot fetches one answer, conditionally when old has its tag. snap
// is nil when unchanged; listErr is the error the client returned with an
// answer; err is set when no answer came back.
func fetchRoot(rr discovery.RootRevalidator, core bool, old *lazyView) (snap *discovery.Snapshot, listErr, err error) {
	var prev string
	if old != nil {
		if core {
			prev = old.core.ETags.API
		} else {
			prev = old.apis.ETags.APIs
		}
	}
	snap, notModified, err := rr.FetchRoot(core, prev)
	switch {
	case snap != nil && snap.Groups != nil:
		return snap, err, nil
	case err != nil:
		return nil, nil, err
	case notModified:
		return nil, nil, nil
	}
	return nil, nil, errors.New("restmapper: the discovery client returned no answer and no error")
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
