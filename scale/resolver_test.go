package scale

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery/cached/memory"
	discoveryfake "github.com/anykube/anykube/discovery/fake"
)

var (
	deploymentsGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	configMapsGVR  = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	widgetsGVR     = schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "widgets"}
	autoscalingV1  = schema.GroupVersionKind{Group: "autoscaling", Version: "v1", Kind: "Scale"}
)

// coreList and appsList are what a current server lists, scale entries
// included.
func coreList() *metav1.APIResourceList {
	return &metav1.APIResourceList{GroupVersion: "v1", APIResources: []metav1.APIResource{
		{Name: "configmaps", Namespaced: true, Kind: "ConfigMap"},
		{Name: "replicationcontrollers", Namespaced: true, Kind: "ReplicationController"},
		{Name: "replicationcontrollers/scale", Namespaced: true, Group: "autoscaling", Version: "v1", Kind: "Scale"},
	}}
}

func appsList() *metav1.APIResourceList {
	return &metav1.APIResourceList{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{
		{Name: "deployments", Namespaced: true, Kind: "Deployment"},
		{Name: "deployments/status", Namespaced: true, Kind: "Deployment"},
		{Name: "deployments/scale", Namespaced: true, Group: "autoscaling", Version: "v1", Kind: "Scale"},
		{Name: "statefulsets", Namespaced: true, Kind: "StatefulSet"},
		{Name: "statefulsets/scale", Namespaced: true, Group: "autoscaling", Version: "v1", Kind: "Scale"},
	}}
}

func widgetsList() *metav1.APIResourceList {
	return &metav1.APIResourceList{GroupVersion: "example.com/v1", APIResources: []metav1.APIResource{
		{Name: "widgets", Namespaced: true, Kind: "Widget"},
		{Name: "widgets/scale", Namespaced: true, Group: "autoscaling", Version: "v1", Kind: "Scale"},
	}}
}

// stubDiscovery serves ServerResourcesForGroupVersion from a map that tests
// may change, counting calls.
type stubDiscovery struct {
	mu    sync.Mutex // guards lists and errs
	lists map[string]*metav1.APIResourceList
	errs  map[string]error

	calls atomic.Int64
	// gate, when set, holds every call until it is closed.
	gate chan struct{}
}

func newStub(lists ...*metav1.APIResourceList) *stubDiscovery {
	s := &stubDiscovery{lists: map[string]*metav1.APIResourceList{}, errs: map[string]error{}}
	for _, l := range lists {
		s.lists[l.GroupVersion] = l
	}
	return s
}

func (s *stubDiscovery) set(l *metav1.APIResourceList) {
	s.mu.Lock()
	s.lists[l.GroupVersion] = l
	s.mu.Unlock()
}

func (s *stubDiscovery) fail(gv string, err error) {
	s.mu.Lock()
	if err == nil {
		delete(s.errs, gv)
	} else {
		s.errs[gv] = err
	}
	s.mu.Unlock()
}

func (s *stubDiscovery) ServerResourcesForGroupVersion(gv string) (*metav1.APIResourceList, error) {
	s.calls.Add(1)
	if s.gate != nil {
		<-s.gate
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.errs[gv]; err != nil {
		return nil, err
	}
	if l, ok := s.lists[gv]; ok {
		return l, nil
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{}, gv)
}

func (s *stubDiscovery) ServerGroupsAndResources() ([]*metav1.APIGroup, []*metav1.APIResourceList, error) {
	return nil, nil, errors.New("not used")
}

func (s *stubDiscovery) ServerPreferredResources() ([]*metav1.APIResourceList, error) {
	return nil, errors.New("not used")
}

func (s *stubDiscovery) ServerPreferredNamespacedResources() ([]*metav1.APIResourceList, error) {
	return nil, errors.New("not used")
}

// fakeClock is a settable clock for the miss memory.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func withClock(r ScaleKindResolver) (*discoveryResolver, *fakeClock) {
	dr := r.(*discoveryResolver)
	c := &fakeClock{t: time.Unix(1000, 0)}
	dr.now = c.now
	return dr, c
}

func TestResolverFindsScaleKind(t *testing.T) {
	d := newStub(coreList(), appsList(), &metav1.APIResourceList{GroupVersion: "example.com/v1", APIResources: []metav1.APIResource{
		{Name: "widgets", Namespaced: true, Kind: "Widget"},
		// Group and version left out: the containing list's.
		{Name: "widgets/scale", Namespaced: true, Kind: "Scale"},
	}})
	r := NewDiscoveryScaleKindResolver(d)

	cases := map[schema.GroupVersionResource]schema.GroupVersionKind{
		deploymentsGVR: autoscalingV1,
		{Group: "apps", Version: "v1", Resource: "statefulsets"}: autoscalingV1,
		{Version: "v1", Resource: "replicationcontrollers"}:      autoscalingV1,
		widgetsGVR: {Group: "example.com", Version: "v1", Kind: "Scale"},
	}
	for gvr, want := range cases {
		got, err := r.ScaleForResource(gvr)
		require.NoError(t, err, gvr)
		assert.Equal(t, want, got, gvr)
	}
}

func TestResolverOldFlavourFromDiscovery(t *testing.T) {
	d := newStub(&metav1.APIResourceList{GroupVersion: "extensions/v1beta1", APIResources: []metav1.APIResource{
		{Name: "deployments", Namespaced: true, Kind: "Deployment"},
		{Name: "deployments/scale", Namespaced: true, Group: "extensions", Version: "v1beta1", Kind: "Scale"},
	}})
	got, err := NewDiscoveryScaleKindResolver(d).ScaleForResource(schema.GroupVersionResource{Group: "extensions", Version: "v1beta1", Resource: "deployments"})
	require.NoError(t, err)
	assert.Equal(t, schema.GroupVersionKind{Group: "extensions", Version: "v1beta1", Kind: "Scale"}, got)
}

func TestResolverCachesAnswers(t *testing.T) {
	d := newStub(appsList())
	r := NewDiscoveryScaleKindResolver(d)
	for range 5 {
		_, err := r.ScaleForResource(deploymentsGVR)
		require.NoError(t, err)
	}
	assert.Equal(t, int64(1), d.calls.Load())
}

func TestResolverNoScaleSubresource(t *testing.T) {
	d := newStub(coreList())
	_, err := NewDiscoveryScaleKindResolver(d).ScaleForResource(configMapsGVR)
	var nse *NoScaleSubresourceError
	require.ErrorAs(t, err, &nse)
	assert.Equal(t, configMapsGVR, nse.Resource)
	assert.Equal(t, "configmaps.v1 has no scale subresource: discovery of v1 lists no configmaps/scale", err.Error())
}

func TestResolverGroupVersionNotServed(t *testing.T) {
	d := newStub(coreList())
	_, err := NewDiscoveryScaleKindResolver(d).ScaleForResource(widgetsGVR)
	var nse *NoScaleSubresourceError
	require.ErrorAs(t, err, &nse)
	assert.Equal(t, widgetsGVR, nse.Resource)
	assert.True(t, apierrors.IsNotFound(err), "the discovery 404 stays visible")
	assert.Contains(t, err.Error(), "widgets.v1.example.com has no scale subresource")
}

func TestResolverRemembersMissBriefly(t *testing.T) {
	d := newStub(coreList())
	r, clock := withClock(NewDiscoveryScaleKindResolver(d))

	_, err := r.ScaleForResource(widgetsGVR)
	require.Error(t, err)
	require.Equal(t, int64(1), d.calls.Load())

	// The CRD appears, but within the miss memory nothing is asked.
	d.set(widgetsList())
	clock.advance(missTTL / 2)
	_, err = r.ScaleForResource(widgetsGVR)
	require.Error(t, err)
	assert.Equal(t, int64(1), d.calls.Load())

	clock.advance(missTTL)
	gvk, err := r.ScaleForResource(widgetsGVR)
	require.NoError(t, err)
	assert.Equal(t, autoscalingV1, gvk)
	assert.Equal(t, int64(2), d.calls.Load())
}

func TestResolverDoesNotRememberTransientErrors(t *testing.T) {
	d := newStub(appsList())
	d.fail("apps/v1", apierrors.NewServiceUnavailable("etcd is sad"))
	r := NewDiscoveryScaleKindResolver(d)

	_, err := r.ScaleForResource(deploymentsGVR)
	require.Error(t, err)
	var nse *NoScaleSubresourceError
	assert.False(t, errors.As(err, &nse), "a 503 says nothing about the subresource")
	assert.True(t, apierrors.IsServiceUnavailable(err))
	assert.Contains(t, err.Error(), "deployments.v1.apps")

	d.fail("apps/v1", nil)
	gvk, err := r.ScaleForResource(deploymentsGVR)
	require.NoError(t, err)
	assert.Equal(t, autoscalingV1, gvk)
}

func TestResolverIncompleteResource(t *testing.T) {
	d := newStub(appsList())
	r := NewDiscoveryScaleKindResolver(d)
	for _, gvr := range []schema.GroupVersionResource{
		{Group: "apps", Resource: "deployments"},
		{Group: "apps", Version: "v1"},
	} {
		_, err := r.ScaleForResource(gvr)
		require.ErrorIs(t, err, errIncompleteResource)
	}
	assert.Zero(t, d.calls.Load())
}

func TestResolverSharesConcurrentLookups(t *testing.T) {
	d := newStub(appsList())
	d.gate = make(chan struct{})
	r := NewDiscoveryScaleKindResolver(d)

	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			gvk, err := r.ScaleForResource(deploymentsGVR)
			if err == nil && gvk != autoscalingV1 {
				err = errors.New("wrong kind " + gvk.String())
			}
			errs <- err
		})
	}
	// Let the first lookup reach discovery, then let every caller queue.
	require.Eventually(t, func() bool { return d.calls.Load() >= 1 }, 5*time.Second, time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	close(d.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int64(1), d.calls.Load())
}

// TestResolverFindsCRDAddedAfterCacheFilled uses the memory cache the
// resolver is meant to sit on: the cache was filled before the CRD
// existed, and a miss must invalidate it.
func TestResolverFindsCRDAddedAfterCacheFilled(t *testing.T) {
	fd := &discoveryfake.FakeDiscovery{Resources: []*metav1.APIResourceList{coreList(), appsList()}}
	cache := memory.NewMemCacheClient(fd)
	r := NewDiscoveryScaleKindResolver(cache)

	_, err := r.ScaleForResource(deploymentsGVR)
	require.NoError(t, err)
	require.True(t, cache.Fresh())

	// The CRD is installed; the cache still has the old answer.
	fd.Resources = append(fd.Resources, widgetsList())
	_, err = cache.ServerResourcesForGroupVersion("example.com/v1")
	require.True(t, apierrors.IsNotFound(err), "the cache must not know the CRD yet, or this test proves nothing")

	gvk, err := r.ScaleForResource(widgetsGVR)
	require.NoError(t, err)
	assert.Equal(t, autoscalingV1, gvk)
}

// invalidatingStub counts Invalidate calls, to pin that a miss refreshes a
// cache once and a hit never does.
type invalidatingStub struct {
	*stubDiscovery
	invalidations atomic.Int64
}

func (s *invalidatingStub) Invalidate() { s.invalidations.Add(1) }

func TestResolverInvalidatesOnlyOnMiss(t *testing.T) {
	d := &invalidatingStub{stubDiscovery: newStub(coreList(), appsList())}
	r := NewDiscoveryScaleKindResolver(d)

	_, err := r.ScaleForResource(deploymentsGVR)
	require.NoError(t, err)
	assert.Zero(t, d.invalidations.Load())

	_, err = r.ScaleForResource(configMapsGVR)
	require.Error(t, err)
	assert.Equal(t, int64(1), d.invalidations.Load())
	assert.Equal(t, int64(3), d.calls.Load(), "one for deployments, two for configmaps (before and after invalidating)")

	// A remembered miss asks nothing and invalidates nothing.
	_, err = r.ScaleForResource(configMapsGVR)
	require.Error(t, err)
	assert.Equal(t, int64(1), d.invalidations.Load())
	assert.Equal(t, int64(3), d.calls.Load())
}

func TestResolverPlainClientAsksOncePerMiss(t *testing.T) {
	d := newStub(coreList())
	_, err := NewDiscoveryScaleKindResolver(d).ScaleForResource(configMapsGVR)
	require.Error(t, err)
	assert.Equal(t, int64(1), d.calls.Load(), "without a cache there is nothing to refresh")
}
