package restmapper_test

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
