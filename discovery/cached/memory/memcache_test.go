package memory_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/discovery/discoverytest"
	"github.com/anykube/anykube/discovery/fake"
)

func newCache(t *testing.T, srv *discoverytest.Server) *memory.MemCacheClient {
	t.Helper()
	d, err := discovery.NewDiscoveryClientForConfig(&anykube.Config{Host: srv.URL})
	require.NoError(t, err)
	d.GroupVersionTimeout = time.Second
	return memory.NewMemCacheClient(d)
}

func TestFillsOnceThenAnswersFromMemory(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			api := discoverytest.Generate(discoverytest.Spec{Groups: 3, Versions: 2, Resources: 2})
			srv := discoverytest.NewServer(api, discoverytest.ServerOptions{DisableAggregated: legacy})
			defer srv.Close()
			c := newCache(t, srv)
			assert.False(t, c.Fresh(), "an empty cache is not fresh")

			_, lists, err := c.ServerGroupsAndResources()
			require.NoError(t, err)
			assert.Len(t, lists, api.GroupVersions())
			first := srv.Requests()
			if legacy {
				assert.Equal(t, 2+api.GroupVersions(), first)
			} else {
				assert.Equal(t, 2, first)
			}
			assert.True(t, c.Fresh())

			_, err = c.ServerGroups()
			require.NoError(t, err)
			list, err := c.ServerResourcesForGroupVersion("g001.example.com/v2")
			require.NoError(t, err)
			assert.Equal(t, discovery.CompleteResourceList(api.Resources["/apis/g001.example.com/v2"]).APIResources, list.APIResources)
			_, err = c.ServerPreferredResources()
			require.NoError(t, err)
			_, err = c.ServerPreferredNamespacedResources()
			require.NoError(t, err)
			assert.Equal(t, first, srv.Requests(), "answers come from memory")

			_, err = c.ServerResourcesForGroupVersion("nope.example.com/v1")
			assert.True(t, apierrors.IsNotFound(err))
			assert.Equal(t, first, srv.Requests())
		})
	}
}

func TestConcurrentCallersShareOneFill(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 2})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{Latency: 50 * time.Millisecond})
	defer srv.Close()
	c := newCache(t, srv)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			_, _, err := c.ServerGroupsAndResources()
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Equal(t, 2, srv.Requests())
}

func TestTransientFailuresAreRetriedOnTheNextCall(t *testing.T) {
	for _, code := range []int{500, 503, 429} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			api := discoverytest.Generate(discoverytest.Spec{Groups: 2})
			path := "/apis/g001.example.com/v1"
			srv := discoverytest.NewServer(api, discoverytest.ServerOptions{
				DisableAggregated: true, Fail: map[string]int{path: code},
			})
			defer srv.Close()
			c := newCache(t, srv)

			_, lists, err := c.ServerGroupsAndResources()
			require.True(t, discovery.IsGroupDiscoveryFailedError(err), "err: %v", err)
			assert.Len(t, lists, 2)

			srv.SetFault(path, 0)
			before := srv.RequestsFor(path)
			_, lists, err = c.ServerGroupsAndResources()
			require.NoError(t, err)
			assert.Len(t, lists, 3)
			assert.Equal(t, before+1, srv.RequestsFor(path), "only the failed group-version is asked again")

			_, _, err = c.ServerGroupsAndResources()
			require.NoError(t, err)
			assert.Equal(t, before+1, srv.RequestsFor(path), "a success is kept")
		})
	}
}

func TestTransientFailureOfOneGroupVersionIsRetriedWhenAskedFor(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 1})
	path := "/apis/g000.example.com/v1"
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{DisableAggregated: true, Fail: map[string]int{path: 503}})
	defer srv.Close()
	c := newCache(t, srv)
	_, err := c.ServerResourcesForGroupVersion("g000.example.com/v1")
	assert.True(t, apierrors.IsServiceUnavailable(err), "err: %v", err)
	srv.SetFault(path, 0)
	list, err := c.ServerResourcesForGroupVersion("g000.example.com/v1")
	require.NoError(t, err)
	assert.NotEmpty(t, list.APIResources)
}

func TestPermanentFailuresAreRemembered(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 2})
	path := "/apis/g001.example.com/v1"
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{DisableAggregated: true, Fail: map[string]int{path: 403}})
	defer srv.Close()
	c := newCache(t, srv)
	for range 3 {
		_, _, err := c.ServerGroupsAndResources()
		require.True(t, discovery.IsGroupDiscoveryFailedError(err))
		assert.True(t, apierrors.IsForbidden(err))
	}
	assert.Equal(t, 1, srv.RequestsFor(path))
}

func TestFailedFillIsNotKept(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 1})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{Fail: map[string]int{"/apis": 500}})
	defer srv.Close()
	c := newCache(t, srv)
	_, err := c.ServerGroups()
	require.Error(t, err)
	assert.False(t, c.Fresh())
	srv.SetFault("/apis", 0)
	groups, err := c.ServerGroups()
	require.NoError(t, err)
	assert.Len(t, groups.Groups, 2)
}

func TestStaleVersionsAreAskedAgain(t *testing.T) {
	stale := schema.GroupVersion{Group: "g000.example.com", Version: "v2"}
	spec := discoverytest.Spec{Groups: 1, Versions: 2, Stale: []schema.GroupVersion{stale}}
	srv := discoverytest.NewServer(discoverytest.Generate(spec), discoverytest.ServerOptions{})
	defer srv.Close()
	c := newCache(t, srv)

	_, lists, err := c.ServerGroupsAndResources()
	var failed *discovery.ErrGroupDiscoveryFailed
	require.ErrorAs(t, err, &failed)
	assert.Equal(t, []schema.GroupVersion{stale}, failed.Stale())
	assert.Len(t, lists, 2)

	// The server recovers: the next call revalidates and sees it.
	spec.Stale = nil
	srv.SetAPI(discoverytest.Generate(spec))
	_, lists, err = c.ServerGroupsAndResources()
	require.NoError(t, err)
	assert.Len(t, lists, 3)
	// 2 for the first fill; then /api answers 304 and /apis 200, so /api
	// is read again in full.
	assert.Equal(t, 5, srv.Requests())
}

func TestInvalidateRevalidatesWithETags(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 2})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{})
	defer srv.Close()
	c := newCache(t, srv)
	before, err := c.ServerGroups()
	require.NoError(t, err)

	c.Invalidate()
	assert.False(t, c.Fresh())
	srv.ResetCounts()
	after, err := c.ServerGroups()
	require.NoError(t, err)
	assert.Same(t, before, after, "an unchanged server leaves the parsed view in place")
	assert.Equal(t, 2, srv.Requests())
	assert.True(t, c.Fresh())

	srv.SetAPI(discoverytest.Generate(discoverytest.Spec{Groups: 3}))
	c.Invalidate()
	changed, err := c.ServerGroups()
	require.NoError(t, err)
	assert.Len(t, changed.Groups, 4)
}

func TestContextBoundViewSharesTheCache(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 1})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{Hang: map[string]bool{"/apis": true}})
	defer srv.Close()
	c := newCache(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.WithContext(ctx).ServerGroups()
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestIsTransient(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{apierrors.NewInternalError(errors.New("x")), true},
		{apierrors.NewServiceUnavailable("x"), true},
		{apierrors.NewTooManyRequests("x", 1), true},
		{fmt.Errorf("wrapped: %w", apierrors.NewTimeoutError("x", 1)), true},
		{apierrors.NewNotFound(schema.GroupResource{}, "x"), false},
		{apierrors.NewForbidden(schema.GroupResource{}, "x", errors.New("no")), false},
		{fmt.Errorf("GET: %w", context.DeadlineExceeded), true},
		{fmt.Errorf("GET: %w", syscall.ECONNRESET), true},
		{fmt.Errorf("GET: %w", io.ErrUnexpectedEOF), true},
		{discovery.StaleGroupVersionError{}, true},
		{errors.New("decoding: bad JSON"), false},
	} {
		assert.Equal(t, tc.want, memory.IsTransient(tc.err), "%v", tc.err)
	}
}

// A fill that finds no group at all is answered but not kept: the next
// call asks again, and the cache does not claim to be fresh meanwhile.
func TestEmptyAnswerIsNotKept(t *testing.T) {
	listKind := metav1.TypeMeta{Kind: "APIGroupDiscoveryList", APIVersion: "apidiscovery.k8s.io/v2"}
	empty := &discoverytest.API{Resources: map[string]*metav1.APIResourceList{}}
	empty.Core.TypeMeta, empty.Aggregated.TypeMeta = listKind, listKind
	srv := discoverytest.NewServer(empty, discoverytest.ServerOptions{})
	defer srv.Close()
	c := newCache(t, srv)

	groups, err := c.ServerGroups()
	require.NoError(t, err)
	assert.Empty(t, groups.Groups)
	assert.False(t, c.Fresh())

	healthy := discoverytest.Generate(discoverytest.Spec{Groups: 2})
	srv.SetAPI(healthy)
	_, lists, err := c.ServerGroupsAndResources()
	require.NoError(t, err)
	assert.Len(t, lists, healthy.GroupVersions())
	assert.True(t, c.Fresh())
	srv.ResetCounts()
	_, err = c.ServerGroups()
	require.NoError(t, err)
	assert.Zero(t, srv.Requests(), "a healthy answer is kept")
}

// staleLists is a delegate that returns, for apps/v1, its last known list
// together with an error, as another cache does.
type staleLists struct{ *fake.FakeDiscovery }

var errLastKnown = errors.New("last known list")

func (s staleLists) WithContext(context.Context) discovery.DiscoveryInterface { return s }

func (s staleLists) ServerResourcesForGroupVersion(gv string) (*metav1.APIResourceList, error) {
	list, err := s.FakeDiscovery.ServerResourcesForGroupVersion(gv)
	if gv == "apps/v1" {
		return list, errLastKnown
	}
	return list, err
}

func TestListReturnedWithAnErrorIsKeptWithIt(t *testing.T) {
	c := memory.NewMemCacheClient(staleLists{&fake.FakeDiscovery{Resources: []*metav1.APIResourceList{
		{GroupVersion: "v1", APIResources: []metav1.APIResource{{Name: "pods", Namespaced: true, Kind: "Pod"}}},
		{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{{Name: "deployments", Namespaced: true, Kind: "Deployment"}}},
	}}})
	for range 2 {
		_, lists, err := c.ServerGroupsAndResources()
		failed, ok := discovery.GroupDiscoveryFailedErrorGroups(err)
		require.True(t, ok, "the error is reported, not cached away: %v", err)
		assert.Equal(t, map[schema.GroupVersion]error{{Group: "apps", Version: "v1"}: errLastKnown}, failed)
		assert.Len(t, lists, 2, "and the list returned with it is kept")

		list, err := c.ServerResourcesForGroupVersion("apps/v1")
		assert.ErrorIs(t, err, errLastKnown)
		require.NotNil(t, list)
		assert.Equal(t, "deployments", list.APIResources[0].Name)
	}
}
