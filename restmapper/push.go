package restmapper

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/metadata"
	"github.com/anykube/anykube/internal/rest"
)

// This file makes a LazyRESTMapper fresh by push: it watches the objects
// that change what discovery serves (CustomResourceDefinitions and
// APIServices) and, when one changes, forgets what it knew of that group.

// PushMode selects whether a LazyRESTMapper watches the API for changes.
type PushMode int

const (
	// PushAuto, the zero value, watches CustomResourceDefinitions and
	// APIServices when discovery serves both with list and watch and the
	// client may list them; otherwise the mapper stays timed.
	PushAuto PushMode = iota
	// PushOff never watches: a miss is remembered for the negative window.
	PushOff
)

// Freshness says how a LazyRESTMapper learns that the API changed.
type Freshness int

const (
	// FreshnessTimed: a miss is remembered for LazyOptions.NegativeTTL; a
	// kind installed within that window maps once it expires.
	FreshnessTimed Freshness = iota
	// FreshnessStarting: the watches are being set up; until they are, the
	// mapper is timed.
	FreshnessStarting
	// FreshnessPush: the mapper watches CustomResourceDefinitions and
	// APIServices, and a change to one makes the next question about its
	// group revalidate discovery at once.
	FreshnessPush
)

func (f Freshness) String() string {
	switch f {
	case FreshnessStarting:
		return "starting"
	case FreshnessPush:
		return "push"
	}
	return "timed"
}

// Push timing.
const (
	// pushGrace is how long after a change to a group questions about it
	// revalidate discovery (at most every pushRecheck) instead of trusting
	// the answers kept or a remembered miss: discovery follows the objects
	// with a delay, so the first revalidation after an event may still see
	// the old answer.
	pushGrace = 2 * time.Second
	// pushRecheck bounds revalidations of a changed group to forty a
	// second, each a conditional request answered 304 until discovery
	// catches up: a caller polling for its new CRD sees it within 25 ms of
	// discovery serving it.
	pushRecheck = 25 * time.Millisecond
)

var (
	crdResource        = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	apiServiceResource = schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}
)

// pushState is what the push side of a mapper holds.
type pushState struct {
	mode PushMode
	// once starts the watches.
	once sync.Once
	// freshness and reason say what mode the mapper is in, and why it is
	// not push (nil when it is).
	freshness atomic.Int32
	reasonMu  sync.Mutex
	reason    error
	// marks holds the groups changed within pushGrace; nil when none ever
	// was, so that hits pay one atomic load.
	marks atomic.Pointer[map[string]*pushMark]
	// marksMu serializes replacing marks.
	marksMu sync.Mutex
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// pushMark is one changed group: until when its questions revalidate, and
// when they last did (Unix nanoseconds).
type pushMark struct {
	until     time.Time
	lastCheck atomic.Int64
}

// Freshness returns how the mapper learns of API changes and, when it is
// not by push, why (nil when push is off by LazyOptions or not started
// yet).
func (m *LazyRESTMapper) Freshness() (Freshness, error) {
	m.push.reasonMu.Lock()
	defer m.push.reasonMu.Unlock()
	return Freshness(m.push.freshness.Load()), m.push.reason
}

// Close stops the watches of a mapper in push mode and waits for them to
// end; the mapper stays usable, timed. It never fails.
func (m *LazyRESTMapper) Close() error {
	m.push.once.Do(func() {}) // a later miss starts nothing
	m.push.reasonMu.Lock()
	cancel := m.push.cancel
	m.push.reasonMu.Unlock()
	if cancel != nil {
		cancel()
	}
	m.push.wg.Wait()
	return nil
}

func (m *LazyRESTMapper) setFreshness(f Freshness, reason error) {
	m.push.reasonMu.Lock()
	m.push.freshness.Store(int32(f))
	m.push.reason = reason
	m.push.reasonMu.Unlock()
}

// startPush starts the watches once, in the background, when the mode and
// v allow it. It is called on the first revalidation after a miss: a
// mapper that only ever hits never watches.
func (m *LazyRESTMapper) startPush(v *lazyView) {
	if m.push.mode == PushOff || v == nil {
		return
	}
	m.push.once.Do(func() {
		if err := pushServed(v); err != nil {
			m.setFreshness(FreshnessTimed, err)
			return
		}
		arc := m.client.RESTClient()
		if arc == nil {
			m.setFreshness(FreshnessTimed, errors.New("restmapper: push: the discovery client has no REST client"))
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		m.push.reasonMu.Lock()
		m.push.cancel = cancel
		m.push.reasonMu.Unlock()
		m.setFreshness(FreshnessStarting, nil)
		// The metadata view, falling back to full objects (cut down
		// all the same) from a server without it: see pushsource.go.
		mc := metadata.New((*rest.Client)(arc)).WithOptions(metadata.Options{FallbackToFull: true})
		m.push.wg.Go(func() { m.runPush(ctx, mc) })
	})
}

// pushServed returns nil when v lists CustomResourceDefinitions and
// APIServices with list and watch, and otherwise says what is missing.
func pushServed(v *lazyView) error {
	for _, gvr := range []schema.GroupVersionResource{crdResource, apiServiceResource} {
		s, ok := v.slots[gvr.Group]
		if !ok {
			return fmt.Errorf("restmapper: push: %v is not served", gvr.GroupResource())
		}
		if !v.aggregated {
			// A legacy answer lists no verbs: the list will tell.
			continue
		}
		l := v.take(s)
		var found bool
		for _, r := range l.res.VersionedResources[gvr.Version] {
			if r.Name == gvr.Resource {
				found = hasVerb(r.Verbs, "list") && hasVerb(r.Verbs, "watch")
			}
		}
		if !found {
			return fmt.Errorf("restmapper: push: %v cannot be listed and watched", gvr)
		}
	}
	return nil
}

func hasVerb(verbs metav1.Verbs, verb string) bool {
	for _, v := range verbs {
		if v == verb {
			return true
		}
	}
	return false
}

// runPush watches both resources until ctx ends. Each watch starts with a
// list, which says whether the client may (and whose objects, already
// known to discovery, are skipped up to the bookmark ending them). A watch
// that ends with an error (403, say) turns the mapper back to timed.
func (m *LazyRESTMapper) runPush(ctx context.Context, mc *metadata.Client) {
	var watchers []*dynamic.RetryWatcher
	for _, gvr := range []schema.GroupVersionResource{crdResource, apiServiceResource} {
		src := metadataSource{md: mc.Resource(gvr)}
		w, err := dynamic.NewRetryWatcher(ctx, src, metav1.ListOptions{AllowWatchBookmarks: true}, nil)
		if err == nil {
			watchers = append(watchers, w)
			continue
		}
		for _, w := range watchers {
			w.Stop()
		}
		if apierrors.IsForbidden(err) {
			err = fmt.Errorf("restmapper: push: not allowed to list and watch %v: %w", gvr.GroupResource(), err)
		} else {
			err = fmt.Errorf("restmapper: push: listing %v: %w", gvr.GroupResource(), err)
		}
		m.setFreshness(FreshnessTimed, err)
		return
	}
	m.setFreshness(FreshnessPush, nil)

	var wg sync.WaitGroup
	for _, w := range watchers {
		wg.Go(func() {
			defer w.Stop()
			initial := true
			for {
				select {
				case <-ctx.Done():
					return
				case ev, ok := <-w.ResultChan():
					if !ok {
						return
					}
					if initial {
						initial = !dynamic.IsInitialEventsEnd(ev)
						continue
					}
					if err := m.pushEvent(ev); err != nil {
						m.setFreshness(FreshnessTimed, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		m.setFreshness(FreshnessTimed, errors.New("restmapper: push: closed"))
	}
}

// pushEvent handles one watch event, and returns an error when the watch
// ended with one.
func (m *LazyRESTMapper) pushEvent(ev watch.Event) error {
	switch ev.Type {
	case watch.Added, watch.Modified, watch.Deleted:
	case watch.Error:
		return fmt.Errorf("restmapper: push: watch ended: %w", apierrors.FromObject(ev.Object))
	default:
		return nil
	}
	obj, ok := ev.Object.(metav1.Object)
	if !ok {
		return nil
	}
	// A CRD is named <plural>.<group>, an APIService <version>.<group>
	// (<version>. for the core group): the name is enough, so that only
	// the metadata view is watched (see pushsource.go).
	_, group, ok := strings.Cut(obj.GetName(), ".")
	if !ok {
		return nil
	}
	m.groupChanged(group)
	return nil
}

// groupChanged forgets at once what the mapper remembers of group: its
// misses (and those of questions about every group), and, for pushGrace,
// the answers kept, which questions about it revalidate.
func (m *LazyRESTMapper) groupChanged(group string) {
	now := m.clock()
	m.push.marksMu.Lock()
	next := map[string]*pushMark{}
	if cur := m.push.marks.Load(); cur != nil {
		for g, mk := range *cur {
			if now.Before(mk.until) {
				next[g] = mk
			}
		}
	}
	next[group] = &pushMark{until: now.Add(pushGrace)}
	m.push.marks.Store(&next)
	m.push.marksMu.Unlock()
	m.forgetMisses(group)
}

// mustRecheck reports whether a question needing n must revalidate before
// it trusts what is kept: its group changed within pushGrace and was not
// revalidated in the last pushRecheck.
func (m *LazyRESTMapper) mustRecheck(n need) bool {
	p := m.push.marks.Load()
	if p == nil {
		return false
	}
	now := m.clock()
	due := func(mk *pushMark) bool {
		return now.Before(mk.until) && now.Sub(time.Unix(0, mk.lastCheck.Load())) >= pushRecheck
	}
	if !n.all {
		mk, ok := (*p)[n.group]
		return ok && due(mk)
	}
	for _, mk := range *p {
		if due(mk) {
			return true
		}
	}
	return false
}

// rechecked records that what n needs was just revalidated.
func (m *LazyRESTMapper) rechecked(n need) {
	p := m.push.marks.Load()
	if p == nil {
		return
	}
	now := m.clock().UnixNano()
	if !n.all {
		if mk, ok := (*p)[n.group]; ok {
			mk.lastCheck.Store(now)
		}
		return
	}
	for mk := range maps.Values(*p) {
		mk.lastCheck.Store(now)
	}
}
