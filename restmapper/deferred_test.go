package restmapper_test

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/discovery/discoverytest"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/restmapper/restmappertest"
)

// staleCache is a memory cache that can claim not to be fresh, as a disk
// cache read from an earlier run does.
type staleCache struct {
	*memory.MemCacheClient
	stale       atomic.Bool
	invalidated atomic.Int32
}

func (c *staleCache) Fresh() bool { return !c.stale.Load() && c.MemCacheClient.Fresh() }
func (c *staleCache) Invalidate() {
	c.invalidated.Add(1)
	c.stale.Store(false)
	c.MemCacheClient.Invalidate()
}

func newDeferredEnv(t *testing.T) (*discoverytest.Server, *staleCache, *restmapper.DeferredDiscoveryRESTMapper) {
	t.Helper()
	srv := discoverytest.NewServer(restmappertest.API(restmappertest.Builtin()), discoverytest.ServerOptions{})
	t.Cleanup(srv.Close)
	client, err := discovery.NewDiscoveryClientForConfig(&anykube.Config{Host: srv.URL})
	require.NoError(t, err)
	cache := &staleCache{MemCacheClient: memory.NewMemCacheClient(client)}
	return srv, cache, restmapper.NewDeferredDiscoveryRESTMapper(cache)
}

func TestDeferredLoadsOnceOnFirstUse(t *testing.T) {
	srv, _, m := newDeferredEnv(t)
	assert.Equal(t, "DeferredDiscoveryRESTMapper{not loaded}", m.String())
	assert.Zero(t, srv.Requests(), "construction sends nothing")

	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			_, err := m.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deployment"})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Equal(t, 2, srv.Requests(), "one aggregated round for twenty first callers")
	gvk, err := m.KindFor(schema.GroupVersionResource{Resource: "pods"})
	require.NoError(t, err)
	assert.Equal(t, "Pod", gvk.Kind)
	assert.Equal(t, 2, srv.Requests())
}

func TestDeferredReloadsOnMissOnlyWhenNotFresh(t *testing.T) {
	srv, cache, m := newDeferredEnv(t)
	widget := schema.GroupKind{Group: "x.example.com", Kind: "Widget"}
	_, err := m.RESTMapping(widget)
	require.True(t, meta.IsNoMatchError(err))
	srv.SetAPI(restmappertest.API(append(restmappertest.Builtin(), crdGroup("x.example.com", []string{"Widget"}, "v1"))))
	srv.ResetCounts()

	// A fresh cache is trusted: the miss stands and nothing is asked.
	_, err = m.RESTMapping(widget)
	require.True(t, meta.IsNoMatchError(err))
	assert.Zero(t, srv.Requests())
	assert.Zero(t, cache.invalidated.Load())

	// A cache that is not fresh is invalidated and reloaded once.
	cache.stale.Store(true)
	mapping, err := m.RESTMapping(widget)
	require.NoError(t, err)
	assert.Equal(t, "widgets", mapping.Resource.Resource)
	assert.Equal(t, int32(1), cache.invalidated.Load())
	assert.Positive(t, srv.Requests(), "the cache revalidates; how is its business")

	// Ambiguity and usage errors do not reload.
	cache.stale.Store(true)
	srv.ResetCounts()
	_, err = m.KindFor(schema.GroupVersionResource{Group: "apps"})
	require.Error(t, err)
	assert.Zero(t, srv.Requests())
}

func TestDeferredReset(t *testing.T) {
	srv, cache, m := newDeferredEnv(t)
	_, err := m.ResourceFor(schema.GroupVersionResource{Resource: "deployments"})
	require.NoError(t, err)
	m.Reset()
	assert.Equal(t, int32(1), cache.invalidated.Load())
	assert.Equal(t, "DeferredDiscoveryRESTMapper{not loaded}", m.String())
	srv.ResetCounts()
	rs, err := m.ResourcesFor(schema.GroupVersionResource{Resource: "events"})
	require.NoError(t, err)
	assert.Len(t, rs, 2)
	assert.Positive(t, srv.Requests())
	s, err := m.ResourceSingularizer("events")
	require.NoError(t, err)
	assert.Equal(t, "event", s)
}

func TestDeferredLoadError(t *testing.T) {
	srv, _, m := newDeferredEnv(t)
	srv.SetFault("/apis", http.StatusInternalServerError)
	_, err := m.KindsFor(schema.GroupVersionResource{Resource: "pods"})
	require.Error(t, err)
	assert.False(t, meta.IsNoMatchError(err))
	s, err := m.ResourceSingularizer("pods")
	require.Error(t, err)
	assert.Equal(t, "pods", s)
	srv.SetFault("/apis", 0)
	ms, err := m.RESTMappings(schema.GroupKind{Kind: "Pod"})
	require.NoError(t, err)
	assert.Len(t, ms, 1)
}

func TestDeferredHitsDoNotAllocate(t *testing.T) {
	_, _, m := newDeferredEnv(t)
	var iface meta.RESTMapper = m
	deploy := schema.GroupKind{Group: "apps", Kind: "Deployment"}
	_, err := iface.RESTMapping(deploy)
	require.NoError(t, err)
	assert.Zero(t, testing.AllocsPerRun(200, func() { _, _ = iface.RESTMapping(deploy) }))
	assert.Zero(t, testing.AllocsPerRun(200, func() {
		_, _ = iface.KindFor(schema.GroupVersionResource{Resource: "deployments"})
	}))
	assert.Zero(t, testing.AllocsPerRun(200, func() { _, _ = m.RESTMapping(deploy, "v1") }))
}

// A group whose discovery failed (Stale in aggregated discovery, 503 on
// the legacy path) makes its kinds miss; the miss says why, and once the
// negative TTL has passed the mapper reloads and maps them, although the
// memory cache below calls itself fresh throughout.
func TestDeferredRecoversFromAGroupThatWasDown(t *testing.T) {
	down := schema.GroupVersion{Group: "g001.example.com", Version: "v1"}
	kind := schema.GroupKind{Group: down.Group, Kind: "R000"}
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			healthy := discoverytest.Generate(discoverytest.Spec{Groups: 2})
			served := healthy
			if !legacy {
				served = discoverytest.Generate(discoverytest.Spec{Groups: 2, Stale: []schema.GroupVersion{down}})
			}
			srv := discoverytest.NewServer(served, discoverytest.ServerOptions{DisableAggregated: legacy})
			defer srv.Close()
			if legacy {
				srv.SetFault("/apis/g001.example.com/v1", http.StatusServiceUnavailable)
			}
			client, err := discovery.NewDiscoveryClientForConfig(&anykube.Config{Host: srv.URL})
			require.NoError(t, err)
			now := time.Unix(1000, 0)
			m := restmapper.NewDeferredDiscoveryRESTMapperWithOptions(memory.NewMemCacheClient(client),
				restmapper.DeferredOptions{Now: func() time.Time { return now }})

			_, err = m.RESTMapping(kind)
			require.True(t, meta.IsNoMatchError(err), "%v", err)
			var failed *discovery.ErrGroupDiscoveryFailed
			require.True(t, errors.As(err, &failed), "the miss carries the discovery failure: %v", err)
			assert.Contains(t, failed.Groups, down)
			if legacy {
				assert.True(t, apierrors.IsServiceUnavailable(failed.Groups[down]), "%v", failed.Groups[down])
			} else {
				var stale discovery.StaleGroupVersionError
				assert.True(t, errors.As(err, &stale))
			}
			_, err = m.RESTMapping(schema.GroupKind{Group: "g000.example.com", Kind: "R000"})
			require.NoError(t, err, "the other groups map meanwhile")

			// The API comes back; within the negative TTL the miss stands
			// and nothing is asked.
			srv.SetAPI(healthy)
			srv.SetFault("/apis/g001.example.com/v1", 0)
			srv.ResetCounts()
			now = now.Add(restmapper.DefaultNegativeTTL - time.Second)
			_, err = m.RESTMapping(kind)
			require.True(t, meta.IsNoMatchError(err))
			assert.Zero(t, srv.Requests())

			now = now.Add(time.Second)
			mapping, err := m.RESTMapping(kind)
			require.NoError(t, err)
			assert.Equal(t, "r000s", mapping.Resource.Resource)
			assert.Positive(t, srv.Requests())

			// Recovered: a miss in a group discovered whole is trusted.
			srv.ResetCounts()
			now = now.Add(time.Hour)
			_, err = m.RESTMapping(schema.GroupKind{Group: down.Group, Kind: "Nope"})
			require.True(t, meta.IsNoMatchError(err))
			assert.False(t, errors.As(err, &failed))
			assert.Zero(t, srv.Requests())
		})
	}
}

// Concurrent misses after the negative TTL share one reload.
func TestDeferredConcurrentStaleMissesShareAReload(t *testing.T) {
	down := schema.GroupVersion{Group: "g001.example.com", Version: "v1"}
	srv := discoverytest.NewServer(discoverytest.Generate(discoverytest.Spec{Groups: 2, Stale: []schema.GroupVersion{down}}), discoverytest.ServerOptions{})
	defer srv.Close()
	client, err := discovery.NewDiscoveryClientForConfig(&anykube.Config{Host: srv.URL})
	require.NoError(t, err)
	m := restmapper.NewDeferredDiscoveryRESTMapperWithOptions(memory.NewMemCacheClient(client), restmapper.DeferredOptions{NegativeTTL: -1})
	kind := schema.GroupKind{Group: down.Group, Kind: "R000"}
	_, err = m.RESTMapping(kind)
	require.True(t, meta.IsNoMatchError(err))

	srv.SetAPI(discoverytest.Generate(discoverytest.Spec{Groups: 2}))
	srv.ResetCounts()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			_, err := m.RESTMapping(kind)
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, srv.Requests(), 4, "one reload (two requests), or two when a caller raced the first")
}
