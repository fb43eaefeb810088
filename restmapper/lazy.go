package restmapper

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
)

// DefaultNegativeTTL is how long a LazyRESTMapper remembers a question that
// found no match even after a reload, when LazyOptions.NegativeTTL is zero,
// and how long a DeferredDiscoveryRESTMapper trusts a miss in a group whose
// discovery failed, when DeferredOptions.NegativeTTL is zero. Five seconds
// keeps a loop asking for a misspelt kind (or a kind of an API that is
// down) at one discovery round per five seconds, while a kind installed,
// or an API back, after the miss still becomes visible within seconds.
const DefaultNegativeTTL = 5 * time.Second

// maxRememberedMisses bounds the negative cache: past it, expired entries
// are dropped, and if none has expired, all of them.
const maxRememberedMisses = 4096

// LazyOptions tune a LazyRESTMapper. The zero value is ready to use.
type LazyOptions struct {
	// NegativeTTL is how long a question that found no match after a
	// reload is answered "no match" without asking the server again. Zero
	// means DefaultNegativeTTL; a negative value turns the negative cache
	// off, so that every miss reloads.
	NegativeTTL time.Duration
	// Push selects whether the mapper watches CustomResourceDefinitions
	// and APIServices to learn of API changes at once (see
	// LazyRESTMapper.Freshness). The zero value, PushAuto, watches when
	// the server and the client's permissions allow it.
	Push PushMode
	// Now returns the current time; nil means time.Now. Tests set it.
	Now func() time.Time
}

// LazyRESTMapper maps kinds and resources while indexing only the API
// groups it is asked about, like controller-runtime's DynamicRESTMapper,
// but downloading discovery once for all of them:
//
//   - RESTMapping and RESTMappings need the group of their GroupKind; the
//     other questions need the group of their partial resource, or every
//     group when it names none (any group may then match). The first
//     question fetches /api and /apis (two requests). With aggregated
//     discovery those answers hold every group's resources: the mapper
//     keeps them and indexes a group the first time a question needs it,
//     without another request. From a legacy server the group list is kept
//     and a group's versions are fetched when it is first needed.
//   - A question that finds no match revalidates the answer listing its
//     group (/api for the core group, /apis for the others): one request,
//     conditional on the answer's entity tag when the client implements
//     discovery.RootRevalidator and the server sent one, which the server
//     answers 304 Not Modified when nothing changed. When the answer
//     changed, it replaces the old one and the groups are indexed again as
//     questions need them, so a CRD created a second ago maps on the next
//     call and versions the server stopped serving disappear. A legacy
//     server's group list and the group's versions are fetched again.
//   - Questions that miss while a revalidation of the same need is running
//     wait for it instead of starting another, and a question that still
//     misses after it is answered "no match" without a request for
//     LazyOptions.NegativeTTL, so a typo in a loop does not hammer the
//     server. A kind that appears within that window after such a miss is
//     seen once it expires, or after Reset, or at once with push:
//   - Push (LazyOptions.Push, on unless PushOff): after its first miss the
//     mapper watches CustomResourceDefinitions and APIServices (one list
//     and one watch each, of their metadata only, kept open until Close;
//     it keeps each object's name, uid and resourceVersion, never a
//     CRD's schema), when discovery serves
//     both with list and watch and the client may list them. When one is
//     created, changed or deleted, the mapper forgets the misses of its
//     group at once, and for pushGrace (two seconds) questions about the
//     group revalidate (at most forty times a second) before trusting what
//     is kept, since discovery follows the objects with a delay: a new CRD
//     maps as soon as discovery serves it, a deleted one stops mapping,
//     and a typo elsewhere still costs no request within its window.
//     Without permission, or when a watch fails, the mapper stays timed;
//     Freshness says which mode it is in and why.
//   - Readers never wait for the network: a hit reads immutable indexes and
//     allocates nothing; loading a group indexes that group alone, so
//     loading groups one by one costs time linear in their number.
//     Questions about a partial resource whose group is a prefix of other
//     groups' names, or that name no group, read an index over every loaded
//     group, built on the first such question after a load.
//
// A partial resource with a group also matches groups whose name starts
// with it, as in client-go, but only among the groups already loaded.
// Mappings returned are shared: do not modify them. When discovery of some
// version of a needed group failed, a no-match error also wraps a
// *discovery.ErrGroupDiscoveryFailed naming it, so the caller can tell "not
// served" from "not known right now"; meta.IsNoMatchError still holds. A
// client that returns a group list (or a group-version's resources)
// together with an error, as wrappers and caches do, has what it returned
// mapped; the error of a group list is then wrapped by every no-match
// error about the groups that list covers, since the list may lack the
// group asked about, and that of a group-version is reported as its
// failure. Only a client that returns no group list fails the question.
//
// Give it a discovery client that asks the server: the mapper is the cache.
// When the client is a discovery.CachedDiscoveryInterface, every
// revalidation invalidates it first. It is safe for concurrent use. Call
// Close to stop its watches when done with it. The zero value has no
// client: every question fails with an error.
type LazyRESTMapper struct {
	client      discovery.DiscoveryInterface
	negativeTTL time.Duration
	now         func() time.Time

	// view is what the mapper knows; nil before the first load and after
	// Reset.
	view atomic.Pointer[lazyView]
	// commitMu serializes publishing views and loaded groups, so that two
	// loads ending together each build on the other's result.
	commitMu sync.Mutex
	loads    flightGroup[need]
	// coreChecks and apisChecks count the completed revalidations of /api
	// and /apis, so that a question can tell one happened since it looked.
	coreChecks, apisChecks atomic.Uint64

	// missMu guards misses, which maps a question (spelt by missKey) to
	// the time until which it is answered "no match" without a reload.
	missMu sync.Mutex
	misses map[string]time.Time

	push pushState
}

var (
	_ meta.ResettableRESTMapper            = (*LazyRESTMapper)(nil)
	_ meta.ResettableRESTMapperWithContext = (*LazyRESTMapper)(nil)
	_ fmt.Stringer                         = (*LazyRESTMapper)(nil)
)

// NewLazyRESTMapper returns a mapper that loads groups from client as
// questions need them. It sends no request itself. With a nil client every
// question fails with an error.
func NewLazyRESTMapper(client discovery.DiscoveryInterface, opts LazyOptions) *LazyRESTMapper {
	m := &LazyRESTMapper{client: client, negativeTTL: opts.NegativeTTL, now: opts.Now}
	m.push.mode = opts.Push
	return m
}

// current returns the published view, nil when there is none.
func (m *LazyRESTMapper) current() *lazyView { return m.view.Load() }

// checks returns how many revalidations of what n needs completed.
func (m *LazyRESTMapper) checks(n need) uint64 {
	switch {
	case n.all:
		return min(m.coreChecks.Load(), m.apisChecks.Load())
	case n.group == "":
		return m.coreChecks.Load()
	}
	return m.apisChecks.Load()
}

func (m *LazyRESTMapper) ttl() time.Duration {
	if m.negativeTTL == 0 {
		return DefaultNegativeTTL
	}
	return m.negativeTTL
}

func (m *LazyRESTMapper) clock() time.Time {
	if m.now == nil {
		return time.Now()
	}
	return m.now()
}

// Reset forgets every loaded group and every remembered miss, and
// invalidates the discovery client when it is a cache.
func (m *LazyRESTMapper) Reset() { m.ResetWithContext(context.Background()) }

// ResetWithContext is Reset; it sends no request, so ctx is unused.
func (m *LazyRESTMapper) ResetWithContext(context.Context) {
	m.commitMu.Lock()
	m.view.Store(nil)
	m.commitMu.Unlock()
	m.missMu.Lock()
	clear(m.misses)
	m.missMu.Unlock()
	if c, ok := m.client.(discovery.CachedDiscoveryInterface); ok {
		c.Invalidate()
	}
}

// question identifies a question for the negative cache.
type question struct {
	op       string
	gvr      schema.GroupVersionResource
	gk       schema.GroupKind
	versions []string
}

// key spells q for the negative cache. It copies what it reads (no fmt,
// whose interface arguments would make a caller's variadic versions escape
// to the heap on every call, hits included).
func (q question) key() string {
	var b strings.Builder
	for _, s := range [...]string{q.op, q.gvr.Group, q.gvr.Version, q.gvr.Resource, q.gk.Group, q.gk.Kind} {
		b.WriteString(s)
		b.WriteByte(0)
	}
	for _, v := range q.versions {
		b.WriteString(v)
		b.WriteByte(',')
	}
	return b.String()
}

// lazyQuery answers q from what is loaded when it covers n and q finds a
// match; otherwise it indexes what n needs from the answers kept, and if
// that is not enough revalidates them (unless this question missed
// recently), and asks again. byName is set for questions about a partial
// resource.
func lazyQuery[T any](ctx context.Context, m *LazyRESTMapper, n need, byName bool, qq question, q func(*index) (T, error)) (T, error) {
	seen := m.checks(n)
	v := m.current()
	if m.mustRecheck(n) {
		// Its group changed a moment ago: what is kept may be out of date.
		v = nil
	}
	if v != nil && v.aggregated && v.missing(n) {
		m.commitMu.Lock()
		// Reset or a revalidation may have replaced v meanwhile.
		if v = m.current(); v != nil && v.aggregated {
			v.takeAggregated(n)
		}
		m.commitMu.Unlock()
	}
	if ix, ok := v.indexFor(n, byName); ok {
		val, err := q(ix)
		if err == nil || !meta.IsNoMatchError(err) || m.missedRecently(n, qq) {
			return val, m.withFailures(err, v, n)
		}
	}
	if err := m.ensure(ctx, n, seen); err != nil {
		var zero T
		return zero, fmt.Errorf("restmapper: loading %v: %w", n, err)
	}
	v = m.current()
	ix, ok := v.indexFor(n, byName)
	if !ok {
		ix = emptyIndex
	}
	val, err := q(ix)
	if meta.IsNoMatchError(err) {
		m.rememberMiss(n, qq)
		// Freshness matters to a caller that misses: a mapper that only
		// ever hits never watches.
		m.startPush(v)
	}
	return val, m.withFailures(err, v, n)
}

// ensure revalidates what n needs unless a revalidation of it completed
// after seen.
func (m *LazyRESTMapper) ensure(ctx context.Context, n need, seen uint64) error {
	skip := func() bool { return m.checks(n) > seen }
	return m.loads.do(ctx, n, skip, func(ctx context.Context) error { return m.refresh(ctx, n) })
}

// withFailures adds to a no-match error the discovery failures of what n
// needs, if any.
func (m *LazyRESTMapper) withFailures(err error, v *lazyView, n need) error {
	if err == nil || !meta.IsNoMatchError(err) {
		return err
	}
	return withFailures(err, v.gaps(n).explain(n))
}

// missKey spells q, asked about n, for the negative cache: n's group first
// (empty for every group), so that a change to a group forgets its misses.
func missKey(n need, q question) string {
	g := n.group
	if n.all {
		g = ""
	}
	return g + "\x00" + q.key()
}

// forgetMisses drops the remembered misses of questions that may match in
// group: those about it, about a prefix of its name, or about every group.
func (m *LazyRESTMapper) forgetMisses(group string) {
	m.missMu.Lock()
	defer m.missMu.Unlock()
	for k := range m.misses {
		g, _, _ := strings.Cut(k, "\x00")
		if strings.HasPrefix(group, g) {
			delete(m.misses, k)
		}
	}
}

func (m *LazyRESTMapper) missedRecently(n need, q question) bool {
	if m.ttl() < 0 {
		return false
	}
	key := missKey(n, q)
	m.missMu.Lock()
	defer m.missMu.Unlock()
	until, ok := m.misses[key]
	return ok && m.clock().Before(until)
}

func (m *LazyRESTMapper) rememberMiss(n need, q question) {
	if m.ttl() < 0 {
		return
	}
	key := missKey(n, q)
	m.missMu.Lock()
	defer m.missMu.Unlock()
	if m.misses == nil {
		m.misses = map[string]time.Time{}
	}
	now := m.clock()
	if len(m.misses) >= maxRememberedMisses {
		for k, until := range m.misses {
			if !now.Before(until) {
				delete(m.misses, k)
			}
		}
		if len(m.misses) >= maxRememberedMisses {
			clear(m.misses)
		}
	}
	m.misses[key] = now.Add(m.ttl())
}

// KindFor is DiscoveryRESTMapper.KindFor over the groups loaded, loading the
// group of resource (or every group) first as described on LazyRESTMapper.
// It also fails with the discovery error when a load fails.
func (m *LazyRESTMapper) KindFor(resource schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	return m.KindForWithContext(context.Background(), resource)
}

// KindForWithContext is KindFor loading under ctx.
func (m *LazyRESTMapper) KindForWithContext(ctx context.Context, resource schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	return lazyQuery(ctx, m, partialNeed(resource), true, question{op: "KindFor", gvr: resource},
		func(ix *index) (schema.GroupVersionKind, error) { return ix.kindFor(resource) })
}

// KindsFor is DiscoveryRESTMapper.KindsFor over the groups loaded, loading as
// KindFor does.
func (m *LazyRESTMapper) KindsFor(resource schema.GroupVersionResource) ([]schema.GroupVersionKind, error) {
	return m.KindsForWithContext(context.Background(), resource)
}

// KindsForWithContext is KindsFor loading under ctx.
func (m *LazyRESTMapper) KindsForWithContext(ctx context.Context, resource schema.GroupVersionResource) ([]schema.GroupVersionKind, error) {
	return lazyQuery(ctx, m, partialNeed(resource), true, question{op: "KindsFor", gvr: resource},
		func(ix *index) ([]schema.GroupVersionKind, error) { return ix.kindsFor(resource) })
}

// ResourceFor is DiscoveryRESTMapper.ResourceFor over the groups loaded,
// loading as KindFor does.
func (m *LazyRESTMapper) ResourceFor(input schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	return m.ResourceForWithContext(context.Background(), input)
}

// ResourceForWithContext is ResourceFor loading under ctx.
func (m *LazyRESTMapper) ResourceForWithContext(ctx context.Context, input schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	return lazyQuery(ctx, m, partialNeed(input), true, question{op: "ResourceFor", gvr: input},
		func(ix *index) (schema.GroupVersionResource, error) { return ix.resourceFor(input) })
}

// ResourcesFor is DiscoveryRESTMapper.ResourcesFor over the groups loaded,
// loading as KindFor does.
func (m *LazyRESTMapper) ResourcesFor(input schema.GroupVersionResource) ([]schema.GroupVersionResource, error) {
	return m.ResourcesForWithContext(context.Background(), input)
}

// ResourcesForWithContext is ResourcesFor loading under ctx.
func (m *LazyRESTMapper) ResourcesForWithContext(ctx context.Context, input schema.GroupVersionResource) ([]schema.GroupVersionResource, error) {
	return lazyQuery(ctx, m, partialNeed(input), true, question{op: "ResourcesFor", gvr: input},
		func(ix *index) ([]schema.GroupVersionResource, error) { return ix.resourcesFor(input) })
}

// RESTMapping is DiscoveryRESTMapper.RESTMapping, loading gk's group first
// when it is not loaded, and reloading it on a miss. The mapping is shared:
// do not modify it. It also fails with the discovery error when a load
// fails.
func (m *LazyRESTMapper) RESTMapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	return m.RESTMappingWithContext(context.Background(), gk, versions...)
}

// RESTMappingWithContext is RESTMapping loading under ctx.
func (m *LazyRESTMapper) RESTMappingWithContext(ctx context.Context, gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	return lazyQuery(ctx, m, groupNeed(gk.Group), false, question{op: "RESTMapping", gk: gk, versions: versions},
		func(ix *index) (*meta.RESTMapping, error) { return ix.restMapping(gk, versions) })
}

// RESTMappings is DiscoveryRESTMapper.RESTMappings, loading as RESTMapping
// does. The mappings are shared: do not modify them.
func (m *LazyRESTMapper) RESTMappings(gk schema.GroupKind, versions ...string) ([]*meta.RESTMapping, error) {
	return m.RESTMappingsWithContext(context.Background(), gk, versions...)
}

// RESTMappingsWithContext is RESTMappings loading under ctx.
func (m *LazyRESTMapper) RESTMappingsWithContext(ctx context.Context, gk schema.GroupKind, versions ...string) ([]*meta.RESTMapping, error) {
	return lazyQuery(ctx, m, groupNeed(gk.Group), false, question{op: "RESTMappings", gk: gk, versions: versions},
		func(ix *index) ([]*meta.RESTMapping, error) { return ix.restMappings(gk, versions) })
}

// ResourceSingularizer is DiscoveryRESTMapper.ResourceSingularizer; it needs
// every group. On failure it returns resource and the error.
func (m *LazyRESTMapper) ResourceSingularizer(resource string) (string, error) {
	return m.ResourceSingularizerWithContext(context.Background(), resource)
}

// ResourceSingularizerWithContext is ResourceSingularizer loading under ctx.
func (m *LazyRESTMapper) ResourceSingularizerWithContext(ctx context.Context, resource string) (string, error) {
	s, err := lazyQuery(ctx, m, need{all: true}, true, question{op: "ResourceSingularizer", gvr: schema.GroupVersionResource{Resource: resource}},
		func(ix *index) (string, error) { return ix.resourceSingularizer(resource) })
	if err != nil {
		return resource, err
	}
	return s, nil
}

// String lists the loaded group-versions.
func (m *LazyRESTMapper) String() string {
	v := m.current()
	if v == nil {
		return "LazyRESTMapper{[]}"
	}
	return fmt.Sprintf("LazyRESTMapper{%v}", v.combinedIndex().gvs)
}
