package restmapper

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

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
// Unlike client-go's, it holds no lock across discovery: a hit reads the
// current index without waiting and allocates nothing, concurrent first
// uses share one load, and only no-match errors trigger a reload (an
// ambiguous name or an empty resource would not change with one). It is
// safe for concurrent use.
type DeferredDiscoveryRESTMapper struct {
	client discovery.CachedDiscoveryInterface

	// ix is the current index, nil before the first load and after Reset.
	ix    atomic.Pointer[index]
	loads flightGroup[struct{}]

	// mu guards gen, and orders Reset against the end of a load: a load
	// that started before a Reset must not publish what it read.
	mu  sync.Mutex
	gen uint64
}

var (
	_ meta.ResettableRESTMapper            = (*DeferredDiscoveryRESTMapper)(nil)
	_ meta.ResettableRESTMapperWithContext = (*DeferredDiscoveryRESTMapper)(nil)
	_ fmt.Stringer                         = (*DeferredDiscoveryRESTMapper)(nil)
)

// NewDeferredDiscoveryRESTMapper returns a mapper that loads from client on
// first use. It sends no request itself. With a nil client every question
// fails with an error.
func NewDeferredDiscoveryRESTMapper(client discovery.CachedDiscoveryInterface) *DeferredDiscoveryRESTMapper {
	return &DeferredDiscoveryRESTMapper{client: client}
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
	d.ix.Store(nil)
	d.mu.Unlock()
	if d.client != nil {
		d.client.Invalidate()
	}
}

// current returns the index, loading it when there is none. It fails with
// the discovery error when the load fails.
func (d *DeferredDiscoveryRESTMapper) current(ctx context.Context) (*index, error) {
	for {
		if ix := d.ix.Load(); ix != nil {
			return ix, nil
		}
		err := d.loads.do(ctx, struct{}{}, func() bool { return d.ix.Load() != nil }, d.load)
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
	groups, err := GetAPIGroupResources(d.client.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("restmapper: loading discovery: %w", err)
	}
	ix := newIndex(groups)
	d.mu.Lock()
	if d.gen == gen {
		d.ix.Store(ix)
	}
	d.mu.Unlock()
	return nil
}

// deferredQuery asks q of the current index and, on a no-match answer from
// a cache that is not fresh, resets and asks once more.
func deferredQuery[T any](ctx context.Context, d *DeferredDiscoveryRESTMapper, q func(*index) (T, error)) (T, error) {
	ix, err := d.current(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := q(ix)
	if err == nil || !meta.IsNoMatchError(err) || d.client == nil || d.client.Fresh() {
		return v, err
	}
	d.ResetWithContext(ctx)
	if ix, err = d.current(ctx); err != nil {
		var zero T
		return zero, err
	}
	return q(ix)
}

// KindFor is DiscoveryRESTMapper.KindFor over the loaded index; it also
// fails with the discovery error when loading fails.
func (d *DeferredDiscoveryRESTMapper) KindFor(resource schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	return d.KindForWithContext(context.Background(), resource)
}

// KindForWithContext is KindFor loading under ctx.
func (d *DeferredDiscoveryRESTMapper) KindForWithContext(ctx context.Context, resource schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	return deferredQuery(ctx, d, func(ix *index) (schema.GroupVersionKind, error) { return ix.kindFor(resource) })
}

// KindsFor is DiscoveryRESTMapper.KindsFor over the loaded index; it also
// fails with the discovery error when loading fails.
func (d *DeferredDiscoveryRESTMapper) KindsFor(resource schema.GroupVersionResource) ([]schema.GroupVersionKind, error) {
	return d.KindsForWithContext(context.Background(), resource)
}

// KindsForWithContext is KindsFor loading under ctx.
func (d *DeferredDiscoveryRESTMapper) KindsForWithContext(ctx context.Context, resource schema.GroupVersionResource) ([]schema.GroupVersionKind, error) {
	return deferredQuery(ctx, d, func(ix *index) ([]schema.GroupVersionKind, error) { return ix.kindsFor(resource) })
}

// ResourceFor is DiscoveryRESTMapper.ResourceFor over the loaded index; it
// also fails with the discovery error when loading fails.
func (d *DeferredDiscoveryRESTMapper) ResourceFor(input schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	return d.ResourceForWithContext(context.Background(), input)
}

// ResourceForWithContext is ResourceFor loading under ctx.
func (d *DeferredDiscoveryRESTMapper) ResourceForWithContext(ctx context.Context, input schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	return deferredQuery(ctx, d, func(ix *index) (schema.GroupVersionResource, error) { return ix.resourceFor(input) })
}

// ResourcesFor is DiscoveryRESTMapper.ResourcesFor over the loaded index; it
// also fails with the discovery error when loading fails.
func (d *DeferredDiscoveryRESTMapper) ResourcesFor(input schema.GroupVersionResource) ([]schema.GroupVersionResource, error) {
	return d.ResourcesForWithContext(context.Background(), input)
}

// ResourcesForWithContext is ResourcesFor loading under ctx.
func (d *DeferredDiscoveryRESTMapper) ResourcesForWithContext(ctx context.Context, input schema.GroupVersionResource) ([]schema.GroupVersionResource, error) {
	return deferredQuery(ctx, d, func(ix *index) ([]schema.GroupVersionResource, error) { return ix.resourcesFor(input) })
}

// RESTMapping is DiscoveryRESTMapper.RESTMapping over the loaded index; the
// mapping is shared, do not modify it. It also fails with the discovery
// error when loading fails.
func (d *DeferredDiscoveryRESTMapper) RESTMapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	return d.RESTMappingWithContext(context.Background(), gk, versions...)
}

// RESTMappingWithContext is RESTMapping loading under ctx.
func (d *DeferredDiscoveryRESTMapper) RESTMappingWithContext(ctx context.Context, gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	return deferredQuery(ctx, d, func(ix *index) (*meta.RESTMapping, error) { return ix.restMapping(gk, versions) })
}

// RESTMappings is DiscoveryRESTMapper.RESTMappings over the loaded index;
// the mappings are shared, do not modify them. It also fails with the
// discovery error when loading fails.
func (d *DeferredDiscoveryRESTMapper) RESTMappings(gk schema.GroupKind, versions ...string) ([]*meta.RESTMapping, error) {
	return d.RESTMappingsWithContext(context.Background(), gk, versions...)
}

// RESTMappingsWithContext is RESTMappings loading under ctx.
func (d *DeferredDiscoveryRESTMapper) RESTMappingsWithContext(ctx context.Context, gk schema.GroupKind, versions ...string) ([]*meta.RESTMapping, error) {
	return deferredQuery(ctx, d, func(ix *index) ([]*meta.RESTMapping, error) { return ix.restMappings(gk, versions) })
}

// ResourceSingularizer is DiscoveryRESTMapper.ResourceSingularizer over the
// loaded index; when loading fails it returns resource and the error.
func (d *DeferredDiscoveryRESTMapper) ResourceSingularizer(resource string) (string, error) {
	return d.ResourceSingularizerWithContext(context.Background(), resource)
}

// ResourceSingularizerWithContext is ResourceSingularizer loading under ctx.
func (d *DeferredDiscoveryRESTMapper) ResourceSingularizerWithContext(ctx context.Context, resource string) (string, error) {
	s, err := deferredQuery(ctx, d, func(ix *index) (string, error) { return ix.resourceSingularizer(resource) })
	if err != nil {
		return resource, err
	}
	return s, nil
}

// String describes the loaded group-versions, or says that nothing is
// loaded; it never loads.
func (d *DeferredDiscoveryRESTMapper) String() string {
	ix := d.ix.Load()
	if ix == nil {
		return "DeferredDiscoveryRESTMapper{not loaded}"
	}
	return fmt.Sprintf("DeferredDiscoveryRESTMapper{%v}", ix.gvs)
}
