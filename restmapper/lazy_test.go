package restmapper_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/discovery/discoverytest"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/restmapper/restmappertest"
)

// clock is a settable time source for the negative cache.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// lazyEnv is a discovery server, a real discovery client for it, and a lazy
// mapper over that client with a settable clock, without push (the server
// serves discovery only; push is tested end to end).
type lazyEnv struct {
	srv    *discoverytest.Server
	client *discovery.DiscoveryClient
	mapper *restmapper.LazyRESTMapper
	clock  *clock
}

func newLazyEnv(t *testing.T, groups []*restmapper.APIGroupResources, opts discoverytest.ServerOptions) *lazyEnv {
	t.Helper()
	return newLazyEnvFor(t, restmappertest.API(groups), opts)
}

// newLazyEnvAPI is newLazyEnv for an aggregated server of api.
func newLazyEnvAPI(t *testing.T, api *discoverytest.API) *lazyEnv {
	t.Helper()
	return newLazyEnvFor(t, api, discoverytest.ServerOptions{})
}

func newLazyEnvFor(t *testing.T, api *discoverytest.API, opts discoverytest.ServerOptions) *lazyEnv {
	t.Helper()
	srv := discoverytest.NewServer(api, opts)
	t.Cleanup(srv.Close)
	client, err := discovery.NewDiscoveryClientForConfig(&anykube.Config{Host: srv.URL})
	require.NoError(t, err)
	c := newClock()
	return &lazyEnv{srv: srv, client: client, clock: c, mapper: restmapper.NewLazyRESTMapper(client, restmapper.LazyOptions{Now: c.Now, Push: restmapper.PushOff})}
}

// requests returns how many requests the server got since the last call.
func (e *lazyEnv) requests() int {
	n := e.srv.Requests()
	e.srv.ResetCounts()
	return n
}

// crdGroup is a CRD-like group serving the given kinds in each version,
// the first version preferred.
func crdGroup(name string, kinds []string, versions ...string) *restmapper.APIGroupResources {
	g := &restmapper.APIGroupResources{Group: metav1.APIGroup{Name: name}, VersionedResources: map[string][]metav1.APIResource{}}
	for _, v := range versions {
		gvd := metav1.GroupVersionForDiscovery{GroupVersion: name + "/" + v, Version: v}
		g.Group.Versions = append(g.Group.Versions, gvd)
		for _, k := range kinds {
			lower := toLower(k)
			g.VersionedResources[v] = append(g.VersionedResources[v],
				metav1.APIResource{Name: lower + "s", SingularName: lower, Kind: k, Namespaced: true, Verbs: metav1.Verbs{"get", "list"}},
				metav1.APIResource{Name: lower + "s/status", Kind: k, Namespaced: true, Verbs: metav1.Verbs{"get"}})
		}
	}
	g.Group.PreferredVersion = g.Group.Versions[0]
	return g
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// rounds are the requests of one discovery round for one group: /api and
// /apis, plus each of the group's versions on a legacy server.
func rounds(aggregated bool, versions int) int {
	if aggregated {
		return 2
	}
	return 2 + versions
}

// missCost is what a miss in a loaded group costs: the answer listing the
// group, conditional (and answered 304) when aggregated, plus each of the
// group's versions on a legacy server.
func missCost(aggregated bool, versions int) int {
	if aggregated {
		return 1
	}
	return 1 + versions
}

var serverKinds = []struct {
	name string
	opts discoverytest.ServerOptions
}{
	{"aggregated", discoverytest.ServerOptions{}},
	{"legacy", discoverytest.ServerOptions{DisableAggregated: true}},
}

func TestLazyLoadsOnlyWhatIsAsked(t *testing.T) {
	for _, sk := range serverKinds {
		t.Run(sk.name, func(t *testing.T) {
			aggregated := !sk.opts.DisableAggregated
			e := newLazyEnv(t, restmappertest.GroupResources(200), sk.opts)

			mapping, err := e.mapper.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deployment"})
			require.NoError(t, err)
			assert.Equal(t, schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, mapping.Resource)
			assert.Equal(t, rounds(aggregated, 1), e.requests())
			assert.Equal(t, "LazyRESTMapper{[apps/v1]}", e.mapper.String())

			// Hits ask nothing; another group loads that group alone.
			for range 100 {
				_, err = e.mapper.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deployment"})
				require.NoError(t, err)
			}
			assert.Zero(t, e.requests())
			gvk, err := e.mapper.KindFor(schema.GroupVersionResource{Group: "autoscaling", Resource: "hpa"})
			assert.True(t, meta.IsNoMatchError(err), "short names are the expander's business: %v %v", gvk, err)
			// The group comes from the answers kept; the miss then
			// revalidates /apis, except on a legacy server where the
			// group was just fetched.
			if aggregated {
				assert.Equal(t, 1, e.requests())
			} else {
				assert.Equal(t, 2, e.requests())
			}
			gvk, err = e.mapper.KindFor(schema.GroupVersionResource{Group: "autoscaling", Resource: "horizontalpodautoscalers"})
			require.NoError(t, err)
			assert.Equal(t, schema.GroupVersionKind{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"}, gvk)
			assert.Zero(t, e.requests(), "the group was loaded by the previous question")
			assert.Equal(t, "LazyRESTMapper{[apps/v1 autoscaling/v2 autoscaling/v1]}", e.mapper.String())

			// A question without a group may match anywhere: it loads all.
			gvk, err = e.mapper.KindFor(schema.GroupVersionResource{Resource: "pods"})
			require.NoError(t, err)
			assert.Equal(t, schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, gvk)
			if aggregated {
				assert.Zero(t, e.requests(), "every group comes from the answers kept")
			} else {
				assert.Equal(t, 200, e.requests(), "the group list is kept")
			}
			_, err = e.mapper.RESTMapping(schema.GroupKind{Group: restmappertest.CustomGroupName(3), Kind: "Thing3"})
			require.NoError(t, err)
			assert.Zero(t, e.requests())
		})
	}
}

func TestLazyMissLoopCostsOneRound(t *testing.T) {
	for _, sk := range serverKinds {
		t.Run(sk.name, func(t *testing.T) {
			aggregated := !sk.opts.DisableAggregated
			e := newLazyEnv(t, restmappertest.Builtin(), sk.opts)

			// A misspelt kind in a served group, and a misspelt group.
			for range 1000 {
				_, err := e.mapper.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deploymnet"})
				require.True(t, meta.IsNoMatchError(err), "%v", err)
			}
			assert.Equal(t, rounds(aggregated, 1), e.requests())
			for range 1000 {
				_, err := e.mapper.KindFor(schema.GroupVersionResource{Group: "aps", Resource: "deployments"})
				require.True(t, meta.IsNoMatchError(err), "%v", err)
			}
			assert.Equal(t, 1, e.requests(), "/apis alone, conditional when aggregated")

			// Past the window, the next miss asks again, once.
			e.clock.Advance(restmapper.DefaultNegativeTTL + time.Millisecond)
			for range 1000 {
				_, err := e.mapper.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deploymnet"})
				require.True(t, meta.IsNoMatchError(err), "%v", err)
			}
			assert.Equal(t, missCost(aggregated, 1), e.requests())
		})
	}
}

func TestLazyNegativeCacheOff(t *testing.T) {
	srv := discoverytest.NewServer(restmappertest.API(restmappertest.Builtin()), discoverytest.ServerOptions{})
	defer srv.Close()
	client, err := discovery.NewDiscoveryClientForConfig(&anykube.Config{Host: srv.URL})
	require.NoError(t, err)
	m := restmapper.NewLazyRESTMapper(client, restmapper.LazyOptions{NegativeTTL: -1, Push: restmapper.PushOff})
	for range 3 {
		_, err := m.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Nope"})
		require.True(t, meta.IsNoMatchError(err))
	}
	assert.Equal(t, 2+1+1, srv.Requests(), "the first load, then one conditional /apis per miss")
}

func TestLazyConcurrentMissesShareOneLoad(t *testing.T) {
	for _, sk := range serverKinds {
		t.Run(sk.name, func(t *testing.T) {
			aggregated := !sk.opts.DisableAggregated
			opts := sk.opts
			opts.Latency = 100 * time.Millisecond
			groups := append(restmappertest.Builtin(), crdGroup("new.example.com", []string{"Widget"}, "v1", "v1beta1"))
			e := newLazyEnv(t, groups, opts)

			var wg sync.WaitGroup
			errs := make(chan error, 50)
			start := make(chan struct{})
			for range 50 {
				wg.Go(func() {
					<-start
					m, err := e.mapper.RESTMapping(schema.GroupKind{Group: "new.example.com", Kind: "Widget"})
					if err == nil && m.Resource.Version != "v1" {
						err = fmt.Errorf("mapped to %v", m.Resource)
					}
					errs <- err
				})
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			assert.Equal(t, rounds(aggregated, 2), e.requests())
		})
	}
}

func TestLazySeesNewAndDeletedCRDs(t *testing.T) {
	for _, sk := range serverKinds {
		t.Run(sk.name, func(t *testing.T) {
			base := restmappertest.Builtin()
			e := newLazyEnv(t, append(base, crdGroup("x.example.com", []string{"Widget"}, "v1", "v1beta1")), sk.opts)
			widget := schema.GroupKind{Group: "x.example.com", Kind: "Widget"}
			gadget := schema.GroupKind{Group: "x.example.com", Kind: "Gadget"}
			_, err := e.mapper.RESTMapping(widget)
			require.NoError(t, err)

			// A kind added to a loaded group, and a new group, map on the
			// next call.
			e.srv.SetAPI(restmappertest.API(append(restmappertest.Builtin(),
				crdGroup("x.example.com", []string{"Widget", "Gadget"}, "v1", "v1beta1"),
				crdGroup("y.example.com", []string{"Gizmo"}, "v1"))))
			m, err := e.mapper.RESTMapping(gadget)
			require.NoError(t, err)
			assert.Equal(t, "gadgets", m.Resource.Resource)
			_, err = e.mapper.RESTMapping(schema.GroupKind{Group: "y.example.com", Kind: "Gizmo"})
			require.NoError(t, err)

			// The server stops serving v1beta1 and Widget: both are gone
			// once a miss in the group reloads it.
			e.srv.SetAPI(restmappertest.API(append(restmappertest.Builtin(),
				crdGroup("x.example.com", []string{"Gadget"}, "v1"))))
			ms, err := e.mapper.RESTMappings(gadget)
			require.NoError(t, err)
			assert.Len(t, ms, 2, "still the old snapshot: hits do not ask")
			_, err = e.mapper.RESTMapping(schema.GroupKind{Group: "x.example.com", Kind: "Unknown"})
			require.True(t, meta.IsNoMatchError(err))
			ms, err = e.mapper.RESTMappings(gadget)
			require.NoError(t, err)
			require.Len(t, ms, 1)
			assert.Equal(t, "v1", ms[0].Resource.Version)
			_, err = e.mapper.RESTMapping(widget)
			assert.True(t, meta.IsNoMatchError(err), "%v", err)

			// A group the server stops serving entirely.
			e.srv.SetAPI(restmappertest.API(restmappertest.Builtin()))
			e.mapper.Reset()
			_, err = e.mapper.RESTMapping(gadget)
			assert.True(t, meta.IsNoMatchError(err), "%v", err)
		})
	}
}

func TestLazyMissRememberedThenSeen(t *testing.T) {
	e := newLazyEnv(t, restmappertest.Builtin(), discoverytest.ServerOptions{})
	widget := schema.GroupKind{Group: "x.example.com", Kind: "Widget"}
	_, err := e.mapper.RESTMapping(widget)
	require.True(t, meta.IsNoMatchError(err))

	e.srv.SetAPI(restmappertest.API(append(restmappertest.Builtin(), crdGroup("x.example.com", []string{"Widget"}, "v1"))))
	e.requests()
	_, err = e.mapper.RESTMapping(widget)
	assert.True(t, meta.IsNoMatchError(err), "inside the window the miss is remembered")
	assert.Zero(t, e.requests())

	// Another question about the group is not remembered: it reloads, and
	// then the first one is a hit.
	_, err = e.mapper.RESTMapping(schema.GroupKind{Group: "x.example.com", Kind: "Other"})
	require.True(t, meta.IsNoMatchError(err))
	_, err = e.mapper.RESTMapping(widget)
	require.NoError(t, err)
}

func TestLazyStaleVersionIsReported(t *testing.T) {
	groups := append(restmappertest.Builtin(), crdGroup("x.example.com", []string{"Widget"}, "v1", "v2"))
	srv := discoverytest.NewServer(restmappertest.API(groups, schema.GroupVersion{Group: "x.example.com", Version: "v2"}), discoverytest.ServerOptions{})
	defer srv.Close()
	client, err := discovery.NewDiscoveryClientForConfig(&anykube.Config{Host: srv.URL})
	require.NoError(t, err)
	m := restmapper.NewLazyRESTMapper(client, restmapper.LazyOptions{})

	_, err = m.RESTMapping(schema.GroupKind{Group: "x.example.com", Kind: "Widget"})
	require.NoError(t, err)
	_, err = m.RESTMapping(schema.GroupKind{Group: "x.example.com", Kind: "Widget"}, "v2")
	require.Error(t, err)
	assert.True(t, meta.IsNoMatchError(err))
	var failed *discovery.ErrGroupDiscoveryFailed
	require.ErrorAs(t, err, &failed)
	assert.Contains(t, failed.Groups, schema.GroupVersion{Group: "x.example.com", Version: "v2"})
	var stale discovery.StaleGroupVersionError
	assert.ErrorAs(t, err, &stale)

	// Other groups' misses are not blamed on it.
	_, err = m.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Nope"})
	assert.False(t, errors.As(err, &failed))
}

func TestLazyTransientFailureKeepsWhatItHad(t *testing.T) {
	e := newLazyEnv(t, append(restmappertest.Builtin(), crdGroup("x.example.com", []string{"Widget"}, "v1")),
		discoverytest.ServerOptions{DisableAggregated: true})
	widget := schema.GroupKind{Group: "x.example.com", Kind: "Widget"}
	_, err := e.mapper.RESTMapping(widget)
	require.NoError(t, err)

	e.srv.SetFault("/apis/x.example.com/v1", http.StatusServiceUnavailable)
	_, err = e.mapper.RESTMapping(schema.GroupKind{Group: "x.example.com", Kind: "Gadget"})
	require.True(t, meta.IsNoMatchError(err))
	var failed *discovery.ErrGroupDiscoveryFailed
	require.ErrorAs(t, err, &failed, "a miss says discovery was incomplete")
	_, err = e.mapper.RESTMapping(widget)
	require.NoError(t, err, "a failed reload does not unmap what was known")
}

func TestLazyLoadErrorsAreNotRemembered(t *testing.T) {
	e := newLazyEnv(t, restmappertest.Builtin(), discoverytest.ServerOptions{})
	e.srv.SetFault("/apis", http.StatusInternalServerError)
	for range 2 {
		_, err := e.mapper.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deployment"})
		require.Error(t, err)
		assert.False(t, meta.IsNoMatchError(err), "a failed load is not a miss: %v", err)
		assert.Contains(t, err.Error(), `group "apps"`)
	}
	e.srv.SetFault("/apis", 0)
	_, err := e.mapper.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deployment"})
	require.NoError(t, err)
}

func TestLazyCallerContext(t *testing.T) {
	e := newLazyEnv(t, restmappertest.Builtin(), discoverytest.ServerOptions{Latency: 300 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := e.mapper.RESTMappingWithContext(ctx, schema.GroupKind{Group: "apps", Kind: "Deployment"})
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// The load went on without the caller who started it; the next caller
	// joins or reuses it.
	_, err = e.mapper.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deployment"})
	require.NoError(t, err)
	assert.Equal(t, 2, e.requests())
}

func TestLazyReloadInvalidatesACache(t *testing.T) {
	e := newLazyEnv(t, restmappertest.Builtin(), discoverytest.ServerOptions{})
	cache := memory.NewMemCacheClient(e.client)
	m := restmapper.NewLazyRESTMapper(cache, restmapper.LazyOptions{})
	_, err := m.RESTMapping(schema.GroupKind{Group: "x.example.com", Kind: "Widget"})
	require.True(t, meta.IsNoMatchError(err))
	e.srv.SetAPI(restmappertest.API(append(restmappertest.Builtin(), crdGroup("x.example.com", []string{"Widget"}, "v1"))))
	_, err = m.RESTMapping(schema.GroupKind{Group: "x.example.com", Kind: "Other"})
	require.True(t, meta.IsNoMatchError(err))
	_, err = m.RESTMapping(schema.GroupKind{Group: "x.example.com", Kind: "Widget"})
	require.NoError(t, err)
}

func TestLazyHitsDoNotAllocate(t *testing.T) {
	e := newLazyEnv(t, restmappertest.GroupResources(500), discoverytest.ServerOptions{})
	var m meta.RESTMapper = e.mapper
	deploy := schema.GroupKind{Group: "apps", Kind: "Deployment"}
	deployments := schema.GroupVersionResource{Group: "apps", Resource: "Deployments"}
	_, err := m.RESTMapping(deploy)
	require.NoError(t, err)
	_, err = m.KindFor(deployments)
	require.NoError(t, err)
	assert.Zero(t, testing.AllocsPerRun(200, func() { _, _ = m.RESTMapping(deploy) }))
	assert.Zero(t, testing.AllocsPerRun(200, func() { _, _ = m.KindFor(deployments) }))
	assert.Zero(t, testing.AllocsPerRun(200, func() { _, _ = e.mapper.RESTMapping(deploy, "v1") }))
}

func TestLazyConcurrentUse(t *testing.T) {
	e := newLazyEnv(t, restmappertest.GroupResources(100), discoverytest.ServerOptions{})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := range 8 {
		wg.Go(func() {
			for j := 0; ; j++ {
				select {
				case <-stop:
					return
				default:
				}
				g := restmappertest.CustomGroupName((i*7 + j) % 40)
				_, _ = e.mapper.RESTMapping(schema.GroupKind{Group: g, Kind: "Widget"})
				_, _ = e.mapper.KindFor(schema.GroupVersionResource{Group: g, Resource: "things"})
				if j%50 == 0 {
					_, _ = e.mapper.KindsFor(schema.GroupVersionResource{Resource: "widgets"})
				}
				if i == 0 && j%100 == 0 {
					e.mapper.Reset()
				}
			}
		})
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	_, err := e.mapper.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deployment"})
	require.NoError(t, err)
}
