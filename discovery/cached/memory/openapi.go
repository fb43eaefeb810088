package memory

import (
	"context"
	"fmt"
	"sync"

	"k8s.io/kube-openapi/pkg/spec3"

	"github.com/anykube/anykube/discovery"
)

// This file caches the OpenAPI v3 client: the index (/openapi/v3) and the
// bytes of each group-version's document, per content type, until
// Invalidate, as client-go's memory cache does. Tools that explain fields
// ask for the same documents on every call, and a document can weigh
// megabytes.
//
// Unlike client-go's, failures are not kept (the next call asks again),
// and no lock is held while fetching: concurrent callers missing the same
// entry share one fetch, and a caller whose context ends stops waiting
// while the fetch goes on for the others.

// openAPIV3Cache is what all views of one cache share of OpenAPI v3. It is
// dropped whole by Invalidate, so a fetch that ends after an Invalidate
// fills a cache nobody reads.
type openAPIV3Cache struct {
	paths cell[map[string]*cachedGroupVersion]
}

// cachedGroupVersion is one group-version's document in the cache.
type cachedGroupVersion struct {
	delegate discovery.OpenAPIGroupVersion

	// mu guards docs.
	mu sync.Mutex
	// docs holds the document's bytes by content type.
	docs map[string]*cell[[]byte]
}

func (g *cachedGroupVersion) doc(contentType string) *cell[[]byte] {
	g.mu.Lock()
	defer g.mu.Unlock()
	c, ok := g.docs[contentType]
	if !ok {
		if g.docs == nil {
			g.docs = make(map[string]*cell[[]byte])
		}
		c = &cell[[]byte]{}
		g.docs[contentType] = c
	}
	return c
}

// openAPIV3View is the cache seen from one context: calls wait for
// fetches under ctx.
type openAPIV3View struct {
	cache    *openAPIV3Cache
	delegate discovery.DiscoveryInterface
	ctx      context.Context
}

// Paths returns the cached index, fetching it from the delegate when the
// cache has none. It returns the delegate's error, which is not kept, or
// ctx's error when ctx ends first.
func (v openAPIV3View) Paths() (map[string]discovery.OpenAPIGroupVersion, error) {
	paths, err := v.cache.paths.get(v.ctx, func(ctx context.Context) (map[string]*cachedGroupVersion, error) {
		// The delegate's documents are bound to the context the index
		// is fetched under: it must outlive this caller, since the
		// documents are fetched later, by any caller.
		got, err := v.delegate.WithContext(ctx).OpenAPIV3().Paths()
		if err != nil {
			return nil, err
		}
		out := make(map[string]*cachedGroupVersion, len(got))
		for path, gv := range got {
			out[path] = &cachedGroupVersion{delegate: gv}
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]discovery.OpenAPIGroupVersion, len(paths))
	for path, gv := range paths {
		out[path] = openAPIGroupVersionView{gv: gv, path: path, ctx: v.ctx}
	}
	return out, nil
}

// openAPIGroupVersionView is one cached document seen from one context.
type openAPIGroupVersionView struct {
	gv   *cachedGroupVersion
	path string
	ctx  context.Context
}

// Schema returns the document's bytes in contentType, from the cache or
// fetched by the delegate. The bytes are shared: do not modify them. It
// returns the delegate's error, which is not kept, or ctx's error when ctx
// ends first.
func (g openAPIGroupVersionView) Schema(contentType string) ([]byte, error) {
	return g.gv.doc(contentType).get(g.ctx, func(context.Context) ([]byte, error) {
		return g.gv.delegate.Schema(contentType)
	})
}

// ServerRelativeURL is the delegate's.
func (g openAPIGroupVersionView) ServerRelativeURL() string {
	return g.gv.delegate.ServerRelativeURL()
}

// Document parses the cached JSON document; it returns Schema's error or
// the parse error.
func (g openAPIGroupVersionView) Document() (*spec3.OpenAPI, error) {
	data, err := g.Schema("application/json")
	if err != nil {
		return nil, err
	}
	doc := &spec3.OpenAPI{}
	if err := doc.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("discovery cache: parsing OpenAPI v3 document %s: %w", g.path, err)
	}
	return doc, nil
}

// cell holds one value fetched on demand. Concurrent callers share one
// fetch; a fetch that fails is not kept. The fetch runs on its own
// goroutine under a context that keeps the first caller's values but not
// its cancellation, so that a caller whose context ends can stop waiting
// without failing the others; the delegate's own request timeout bounds it.
type cell[T any] struct {
	// mu guards val, ok and flight.
	mu     sync.Mutex
	val    T
	ok     bool
	flight *cellFlight[T]
}

// cellFlight is a fetch in progress; done is closed once val and err are
// set.
type cellFlight[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// get returns the value, fetching it when the cell is empty and no fetch is
// running. It returns the fetch's error, or ctx's when ctx ends first.
func (c *cell[T]) get(ctx context.Context, fetch func(ctx context.Context) (T, error)) (T, error) {
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, err
	}
	c.mu.Lock()
	if c.ok {
		v := c.val
		c.mu.Unlock()
		return v, nil
	}
	f := c.flight
	if f == nil {
		f = &cellFlight[T]{done: make(chan struct{})}
		c.flight = f
		detached := context.WithoutCancel(ctx)
		go func() {
			v, err := fetch(detached)
			c.mu.Lock()
			if err == nil {
				c.val, c.ok = v, true
			}
			c.flight = nil
			c.mu.Unlock()
			f.val, f.err = v, err
			close(f.done)
		}()
	}
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
