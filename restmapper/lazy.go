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
	// Now returns the current time; nil means time.Now. Tests set it.
	Now func() time.Time
}

// LazyRESTMapper maps kinds and resources while loading only the API groups
// it is asked about, like controller-runtime's DynamicRESTMapper:
//
//   - RESTMapping and RESTMappings need the group of their GroupKind; the
//     other questions need the group of their partial resource, or every
//     group when it names none (any group may then match). The first
//     question needing a group loads it: with aggregated discovery one round
//     (GET /api and /apis) of which only that group is kept; otherwise the
//     group list and one request per version of the group. A question
//     needing every group loads them all, as the deferred mapper does.
//   - A question that finds no match in a loaded group reloads the group and
//     asks again, so a CRD created a second ago maps on the next call, and
//     versions the server stopped serving disappear. A group the server
//     does not serve is remembered as such until a question about it
//     misses again.
//   - Questions that miss while a load of the same group is running wait for
//     that load instead of starting another, and a question that still
//     misses after its reload is answered "no match" without a request for
//     LazyOptions.NegativeTTL, so a typo in a loop does not hammer the
//     server. A kind that appears within that window after such a miss is
//     seen once it expires, or after Reset.
//   - Readers never wait for the network: a hit reads an immutable snapshot
//     and allocates nothing; a load builds the next snapshot aside and
//     publishes it whole.
//
// A partial resource with a group also matches groups whose name starts
// with it, as in client-go, but only among the groups already loaded.
// Mappings returned are shared: do not modify them. When discovery of some
// version of a needed group failed, a no-match error also wraps a
// *discovery.ErrGroupDiscoveryFailed naming it, so the caller can tell "not
// served" from "not known right now"; meta.IsNoMatchError still holds.
//
// Give it a discovery client that asks the server: the mapper is the cache.
// When the client is a discovery.CachedDiscoveryInterface, every reload
// invalidates it first. It is safe for concurrent use. The zero value has
// no client: every question fails with an error.
type LazyRESTMapper struct {
	client      discovery.DiscoveryInterface
	negativeTTL time.Duration
	now         func() time.Time

	snap atomic.Pointer[lazySnapshot]
	// commitMu serializes publishing snapshots, so that two loads ending
	// together each build on the other's result.
	commitMu sync.Mutex
	loads    flightGroup[need]

	// missMu guards misses, which maps a question to the time until which
	// it is answered "no match" without a reload.
	missMu sync.Mutex
	misses map[string]time.Time
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
	return &LazyRESTMapper{client: client, negativeTTL: opts.NegativeTTL, now: opts.Now}
}

// current returns the published snapshot; the zero mapper has none yet.
func (m *LazyRESTMapper) current() *lazySnapshot {
	if s := m.snap.Load(); s != nil {
		return s
	}
	return emptySnapshot
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
	m.snap.Store(emptySnapshot)
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

// lazyQuery answers q from the current snapshot when it covers n and q
// finds a match; otherwise it loads what n needs (unless this question
// missed recently) and asks again.
func lazyQuery[T any](ctx context.Context, m *LazyRESTMapper, n need, qq question, q func(*index) (T, error)) (T, error) {
	s := m.current()
	if s.covers(n) {
		v, err := q(s.ix)
		if err == nil || !meta.IsNoMatchError(err) || m.missedRecently(qq) {
			return v, m.withFailures(err, s, n)
		}
	}
	if err := m.ensure(ctx, n, s); err != nil {
		var zero T
		return zero, fmt.Errorf("restmapper: loading %v: %w", n, err)
	}
	s = m.current()
	v, err := q(s.ix)
	if meta.IsNoMatchError(err) {
		m.rememberMiss(qq)
	}
	return v, m.withFailures(err, s, n)
}

// ensure loads what n needs unless a load of it was published after seen.
func (m *LazyRESTMapper) ensure(ctx context.Context, n need, seen *lazySnapshot) error {
	since := seen.loadSeq(n)
	skip := func() bool {
		cur := m.current()
		return cur != seen && cur.covers(n) && cur.loadSeq(n) > since
	}
	return m.loads.do(ctx, n, skip, func(ctx context.Context) error {
		if c, ok := m.client.(discovery.CachedDiscoveryInterface); ok && seen.covers(n) {
			c.Invalidate()
		}
		f, err := m.fetch(ctx, n)
		if err != nil {
			return err
		}
		m.commitMu.Lock()
		m.snap.Store(m.current().next(n, f))
		m.commitMu.Unlock()
		return nil
	})
}

// withFailures adds to a no-match error the discovery failures of what n
// needs, if any.
func (m *LazyRESTMapper) withFailures(err error, s *lazySnapshot, n need) error {
	if err == nil || !meta.IsNoMatchError(err) {
		return err
	}
	return withFailures(err, s.failures(n))
}

func (m *LazyRESTMapper) missedRecently(q question) bool {
	if m.ttl() < 0 {
		return false
	}
	key := q.key()
	m.missMu.Lock()
	defer m.missMu.Unlock()
	until, ok := m.misses[key]
	return ok && m.clock().Before(until)
}

func (m *LazyRESTMapper) rememberMiss(q question) {
	if m.ttl() < 0 {
		return
	}
	key := q.key()
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
	return lazyQuery(ctx, m, partialNeed(resource), question{op: "KindFor", gvr: resource},
		func(ix *index) (schema.GroupVersionKind, error) { return ix.kindFor(resource) })
}

// KindsFor is DiscoveryRESTMapper.KindsFor over the groups loaded, loading as
// KindFor does.
func (m *LazyRESTMapper) KindsFor(resource schema.GroupVersionResource) ([]schema.GroupVersionKind, error) {
	return m.KindsForWithContext(context.Background(), resource)
}

// KindsForWithContext is KindsFor loading under ctx.
func (m *LazyRESTMapper) KindsForWithContext(ctx context.Context, resource schema.GroupVersionResource) ([]schema.GroupVersionKind, error) {
	return lazyQuery(ctx, m, partialNeed(resource), question{op: "KindsFor", gvr: resource},
		func(ix *index) ([]schema.GroupVersionKind, error) { return ix.kindsFor(resource) })
}

// ResourceFor is DiscoveryRESTMapper.ResourceFor over the groups loaded,
// loading as KindFor does.
func (m *LazyRESTMapper) ResourceFor(input schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	return m.ResourceForWithContext(context.Background(), input)
}

// ResourceForWithContext is ResourceFor loading under ctx.
func (m *LazyRESTMapper) ResourceForWithContext(ctx context.Context, input schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	return lazyQuery(ctx, m, partialNeed(input), question{op: "ResourceFor", gvr: input},
		func(ix *index) (schema.GroupVersionResource, error) { return ix.resourceFor(input) })
}

// ResourcesFor is DiscoveryRESTMapper.ResourcesFor over the groups loaded,
// loading as KindFor does.
func (m *LazyRESTMapper) ResourcesFor(input schema.GroupVersionResource) ([]schema.GroupVersionResource, error) {
	return m.ResourcesForWithContext(context.Background(), input)
}

// ResourcesForWithContext is ResourcesFor loading under ctx.
func (m *LazyRESTMapper) ResourcesForWithContext(ctx context.Context, input schema.GroupVersionResource) ([]schema.GroupVersionResource, error) {
	return lazyQuery(ctx, m, partialNeed(input), question{op: "ResourcesFor", gvr: input},
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
	return lazyQuery(ctx, m, groupNeed(gk.Group), question{op: "RESTMapping", gk: gk, versions: versions},
		func(ix *index) (*meta.RESTMapping, error) { return ix.restMapping(gk, versions) })
}

// RESTMappings is DiscoveryRESTMapper.RESTMappings, loading as RESTMapping
// does. The mappings are shared: do not modify them.
func (m *LazyRESTMapper) RESTMappings(gk schema.GroupKind, versions ...string) ([]*meta.RESTMapping, error) {
	return m.RESTMappingsWithContext(context.Background(), gk, versions...)
}

// RESTMappingsWithContext is RESTMappings loading under ctx.
func (m *LazyRESTMapper) RESTMappingsWithContext(ctx context.Context, gk schema.GroupKind, versions ...string) ([]*meta.RESTMapping, error) {
	return lazyQuery(ctx, m, groupNeed(gk.Group), question{op: "RESTMappings", gk: gk, versions: versions},
		func(ix *index) ([]*meta.RESTMapping, error) { return ix.restMappings(gk, versions) })
}

// ResourceSingularizer is DiscoveryRESTMapper.ResourceSingularizer; it needs
// every group. On failure it returns resource and the error.
func (m *LazyRESTMapper) ResourceSingularizer(resource string) (string, error) {
	return m.ResourceSingularizerWithContext(context.Background(), resource)
}

// ResourceSingularizerWithContext is ResourceSingularizer loading under ctx.
func (m *LazyRESTMapper) ResourceSingularizerWithContext(ctx context.Context, resource string) (string, error) {
	s, err := lazyQuery(ctx, m, need{all: true}, question{op: "ResourceSingularizer", gvr: schema.GroupVersionResource{Resource: resource}},
		func(ix *index) (string, error) { return ix.resourceSingularizer(resource) })
	if err != nil {
		return resource, err
	}
	return s, nil
}

// String lists the loaded group-versions.
func (m *LazyRESTMapper) String() string {
	return fmt.Sprintf("LazyRESTMapper{%v}", m.current().ix.gvs)
}
