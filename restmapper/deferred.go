package restmapper

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
)

// DeferredDiscoveryRESTMapper loads everything a cached discovery client
// knows on first use and maps from it as DiscoveryRESTMapper does. When a
// question finds no match and the cache is not fresh (its answers may
// predate the kind asked for), it invalidates the cache, loads again and
// asks once more, as client-go's does.
//
// Unlike client-go's, it also recovers from a group whose discovery failed
// (an aggregated API answering 503, a version the server marked Stale):
// a no-match error for a question about such a group wraps a
// *discovery.ErrGroupDiscoveryFailed naming the failed group-versions
// (meta.IsNoMatchError still holds; errors.As finds the cause), and once
// the load is DeferredOptions.NegativeTTL old, such a question invalidates
// the cache and loads again, so the kind maps as soon as its API is back.
// client-go's keeps answering "no match" until Reset, because the cache it
// reads calls itself fresh. Results the client returns together with an
// error that names no group-version (a group list that may lack groups, a
// wrapper's own error) are mapped too; that error is then wrapped by every
// no-match error, and starts the same reloads, since what it left out is
// unknown. A load fails only when the client returns no group.
//
// It holds no lock across discovery: a hit reads the current index without
// waiting and allocates nothing, concurrent first uses share one load, and
// only no-match errors trigger a reload (an ambiguous name or an empty
// resource would not change with one). It is safe for concurrent use.
type DeferredDiscoveryRESTMapper struct {
	client      discovery.CachedDiscoveryInterface
	negativeTTL time.Duration
	now         func() time.Time

	// snap is the current load, nil before the first and after a Reset.
	snap  atomic.Pointer[deferredSnapshot]
	loads flightGroup[struct{}]

	// mu guards gen, and orders Reset against the end of a load: a load
	// that started before a Reset must not publish what it read.
	mu  sync.Mutex
	gen uint64
}

// deferredSnapshot is one load: the index and what discovery could not
// answer. It is never modified once published.
type deferredSnapshot struct {
	ix *index
	// gaps is what discovery could not answer: the group-versions that
	// failed, and an error naming none that came with the results.
	gaps gaps
	// loadedAt is when the load ended, by the mapper's clock.
	loadedAt time.Time
}

// DeferredOptions tune a DeferredDiscoveryRESTMapper. The zero value is
// ready to use.
type DeferredOptions struct {
	// NegativeTTL is how long a no-match answer stands when discovery of
	// the group asked about failed in the current load: after it, the next
	// such question invalidates the cache and loads again. Zero means
	// DefaultNegativeTTL; a negative value reloads on every such miss.
	// Misses about groups that were discovered whole are not affected:
	// they reload only when the cache is not fresh.
	NegativeTTL time.Duration
	// Now returns the current time; nil means time.Now. Tests set it.
	Now func() time.Time
}

var (
	_ meta.ResettableRESTMapper            = (*DeferredDiscoveryRESTMapper)(nil)
	_ meta.ResettableRESTMapperWithContext = (*DeferredDiscoveryRESTMapper)(nil)
	_ fmt.Stringer                         = (*DeferredDiscoveryRESTMapper)(nil)
)

// NewDeferredDiscoveryRESTMapper returns a mapper that loads from client on
// first use, with the default DeferredOptions. It sends no request itself.
// With a nil client every question fails with an error.
func NewDeferredDiscoveryRESTMapper(client discovery.CachedDiscoveryInterface) *DeferredDiscoveryRESTMapper {
	return NewDeferredDiscoveryRESTMapperWithOptions(client, DeferredOptions{})
}

// NewDeferredDiscoveryRESTMapperWithOptions is NewDeferredDiscoveryRESTMapper
// with opts.
func NewDeferredDiscoveryRESTMapperWithOptions(client discovery.CachedDiscoveryInterface, opts DeferredOptions) *DeferredDiscoveryRESTMapper {
	return &DeferredDiscoveryRESTMapper{client: client, negativeTTL: opts.NegativeTTL, now: opts.Now}
}

func (d *DeferredDiscoveryRESTMapper) clock() time.Time {
	if d.now == nil {
		return time.Now()
	}
	return d.now()
}

// Reset invalidates the discovery cache and drops the index: the next
// question loads again.
func (d *DeferredDiscoveryRESTMapper) Reset() {
	d.ResetWithContext(context.Background())
}

// ResetWithContext is Reset; invalidating sends no request, so ctx is
// unused.
func (d *DeferredDiscoveryRESTMapper) ResetWithContext(context.Context) {
	d.mu.Lock()
	d.gen++
	d.snap.Store(nil)
	d.mu.Unlock()
	if d.client != nil {
		d.client.Invalidate()
	}
}

// current returns the current load, loading when there is none. It fails
// with the discovery error when the load fails.
func (d *DeferredDiscoveryRESTMapper) current(ctx context.Context) (*deferredSnapshot, error) {
	for {
		if s := d.snap.Load(); s != nil {
			return s, nil
		}
		err := d.loads.do(ctx, struct{}{}, func() bool { return d.snap.Load() != nil }, d.load)
		if err != nil {
			return nil, err
		}
		// The load may have been overtaken by a Reset; go round again.
	}
}

func (d *DeferredDiscoveryRESTMapper) load(ctx context.Context) error {
	if d.client == nil {
		return errNoClient
	}
	d.mu.Lock()
	gen := d.gen
	d.mu.Unlock()
	sources, g, err := getDiscoveredOrder(d.client.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("restmapper: loading discovery: %w", err)
	}
	s := &deferredSnapshot{ix: indexSources(sources), gaps: g, loadedAt: d.clock()}
	d.mu.Lock()
	if d.gen == gen {
		d.snap.Store(s)
	}
	d.mu.Unlock()
	return nil
}

// reload drops seen, invalidates the cache and loads again, unless another
// caller already replaced seen: concurrent misses share one reload.
func (d *DeferredDiscoveryRESTMapper) reload(ctx context.Context, seen *deferredSnapshot) (*deferredSnapshot, error) {
	d.mu.Lock()
	if d.snap.Load() == seen {
		d.gen++
		d.snap.Store(nil)
		// Under mu, so that no load starts between the drop and the
		// invalidation and publishes what the cache held before it.
		// Invalidating sends no request.
		d.client.Invalidate()
	}
	d.mu.Unlock()
	return d.current(ctx)
}

// staleMiss reports whether a no-match answer from s about what n needs
// should be asked again after a reload: discovery of that part failed (or
// the client returned an error naming no group-version), and s is at least
// the negative TTL old.
func (d *DeferredDiscoveryRESTMapper) staleMiss(s *deferredSnapshot, n need) bool {
	if s.gaps.other == nil && s.gaps.versionsFor(n) == nil {
		return false
	}
	ttl := d.negativeTTL
	if ttl == 0 {
		ttl = DefaultNegativeTTL
	}
	return ttl < 0 || !d.clock().Before(s.loadedAt.Add(ttl))
}

// deferredQuery asks q of the current index. On a no-match answer it
// reloads and asks once more when the cache is not fresh, or when
// discovery of what n needs failed at least the negative TTL ago; a
// no-match error that discovery failures may explain wraps them.
func deferredQuery[T any](ctx context.Context, d *DeferredDiscoveryRESTMapper, n need, q func(*index) (T, error)) (T, error) {
	s, err := d.current(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := q(s.ix)
	if err == nil || !meta.IsNoMatchError(err) || d.client == nil {
		return v, err
	}
	if d.client.Fresh() && !d.staleMiss(s, n) {
		return v, withFailures(err, s.gaps.explain(n))
	}
	if s, err = d.reload(ctx, s); err != nil {
		var zero T
		return zero, err
	}
	v, err = q(s.ix)
	return v, withFailures(err, s.gaps.explain(n))
}

// KindFor is DiscoveryRESTMapper.KindFor over the loaded index; it also
// fails with the discovery error when loading fails.
func (d *DeferredDiscoveryRESTMapper) KindFor(resource schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	return d.KindForWithContext(context.Background(), resource)
}

// KindForWithContext is KindFor loading under ctx.
func (d *DeferredDiscoveryRESTMapper) KindForWithContext(ctx context.Context, resource schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	return deferredQuery(ctx, d, partialNeed(resource), func(ix *index) (schema.GroupVersionKind, error) { return ix.kindFor(resource) })
}

// KindsFor is DiscoveryRESTMapper.KindsFor over the loaded index; it also
// fails with the discovery error when loading fails.
func (d *DeferredDiscoveryRESTMapper) KindsFor(resource schema.GroupVersionResource) ([]schema.GroupVersionKind, error) {
	return d.KindsForWithContext(context.Background(), resource)
}

// KindsForWithContext is KindsFor loading under ctx.
func (d *DeferredDiscoveryRESTMapper) KindsForWithContext(ctx context.Context, resource schema.GroupVersionResource) ([]schema.GroupVersionKind, error) {
	return deferredQuery(ctx, d, partialNeed(resource), func(ix *index) ([]schema.GroupVersionKind, error) { return ix.kindsFor(resource) })
}

// ResourceFor is DiscoveryRESTMapper.ResourceFor over the loaded index; it
// also fails with the discovery error when loading fails.
func (d *DeferredDiscoveryRESTMapper) ResourceFor(input schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	return d.ResourceForWithContext(context.Background(), input)
}

// ResourceForWithContext is ResourceFor loading under ctx.
func (d *DeferredDiscoveryRESTMapper) ResourceForWithContext(ctx context.Context, input schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	return deferredQuery(ctx, d, partialNeed(input), func(ix *index) (schema.GroupVersionResource, error) { return ix.resourceFor(input) })
}

// ResourcesFor is DiscoveryRESTMapper.ResourcesFor over the loaded index; it
// also fails with the discovery error when loading fails.
func (d *DeferredDiscoveryRESTMapper) ResourcesFor(input schema.GroupVersionResource) ([]schema.GroupVersionResource, error) {
	return d.ResourcesForWithContext(context.Background(), input)
}

// ResourcesForWithContext is ResourcesFor loading under ctx.
func (d *DeferredDiscoveryRESTMapper) ResourcesForWithContext(ctx context.Context, input schema.GroupVersionResource) ([]schema.GroupVersionResource, error) {
	return deferredQuery(ctx, d, partialNeed(input), func(ix *index) ([]schema.GroupVersionResource, error) { return ix.resourcesFor(input) })
}

// RESTMapping is DiscoveryRESTMapper.RESTMapping over the loaded index; the
// mapping is shared, do not modify it. It also fails with the discovery
// error when loading fails.
func (d *DeferredDiscoveryRESTMapper) RESTMapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	return d.RESTMappingWithContext(context.Background(), gk, versions...)
}

// RESTMappingWithContext is RESTMapping loading under ctx.
func (d *DeferredDiscoveryRESTMapper) RESTMappingWithContext(ctx context.Context, gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	return deferredQuery(ctx, d, groupNeed(gk.Group), func(ix *index) (*meta.RESTMapping, error) { return ix.restMapping(gk, versions) })
}

// RESTMappings is DiscoveryRESTMapper.RESTMappings over the loaded index;
// the mappings are shared, do not modify them. It also fails with the
// discovery error when loading fails.
func (d *DeferredDiscoveryRESTMapper) RESTMappings(gk schema.GroupKind, versions ...string) ([]*meta.RESTMapping, error) {
	return d.RESTMappingsWithContext(context.Background(), gk, versions...)
}

// RESTMappingsWithContext is RESTMappings loading under ctx.
func (d *DeferredDiscoveryRESTMapper) RESTMappingsWithContext(ctx context.Context, gk schema.GroupKind, versions ...string) ([]*meta.RESTMapping, error) {
	return deferredQuery(ctx, d, groupNeed(gk.Group), func(ix *index) ([]*meta.RESTMapping, error) { return ix.restMappings(gk, versions) })
}

// ResourceSingularizer is DiscoveryRESTMapper.ResourceSingularizer over the
// loaded index; when loading fails it returns resource and the error.
func (d *DeferredDiscoveryRESTMapper) ResourceSingularizer(resource string) (string, error) {
	return d.ResourceSingularizerWithContext(context.Background(), resource)
}

// ResourceSingularizerWithContext is ResourceSingularizer loading under ctx.
func (d *DeferredDiscoveryRESTMapper) ResourceSingularizerWithContext(ctx context.Context, resource string) (string, error) {
	s, err := deferredQuery(ctx, d, need{all: true}, func(ix *index) (string, error) { return ix.resourceSingularizer(resource) })
	if err != nil {
		return resource, err
	}
	return s, nil
}

// String describes the loaded group-versions, or says that nothing is
// loaded; it never loads.
func (d *DeferredDiscoveryRESTMapper) String() string {
	s := d.snap.Load()
	if s == nil {
		return "DeferredDiscoveryRESTMapper{not loaded}"
	}
	return fmt.Sprintf("DeferredDiscoveryRESTMapper{%v}", s.ix.gvs)
}
