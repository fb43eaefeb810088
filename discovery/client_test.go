package discovery_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/discovery/discoverytest"
	"github.com/anykube/anykube/discovery/fake"
)

func newClient(t testing.TB, url string) *discovery.DiscoveryClient {
	t.Helper()
	d, err := discovery.NewDiscoveryClientForConfig(&anykube.Config{Host: url})
	require.NoError(t, err)
	return d
}

// legacyView is what the synthetic server's legacy documents say, completed
// to the shape ServerGroupsAndResources returns.
func legacyView(api *discoverytest.API) map[string][]metav1.APIResource {
	out := make(map[string][]metav1.APIResource)
	for _, list := range api.Resources {
		out[list.GroupVersion] = discovery.CompleteResourceList(list).APIResources
	}
	return out
}

func viewOf(lists []*metav1.APIResourceList) map[string][]metav1.APIResource {
	out := make(map[string][]metav1.APIResource)
	for _, list := range lists {
		out[list.GroupVersion] = list.APIResources
	}
	return out
}

func TestAggregatedDiscoveryTakesTwoRequests(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 4, Versions: 2, Resources: 3})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{})
	defer srv.Close()
	d := newClient(t, srv.URL)

	groups, lists, err := d.ServerGroupsAndResources()
	require.NoError(t, err)
	assert.Equal(t, 2, srv.Requests())
	assert.Equal(t, 1, srv.RequestsFor("/api"))
	assert.Equal(t, 1, srv.RequestsFor("/apis"))

	require.Len(t, groups, 5)
	assert.Equal(t, "", groups[0].Name, "core group first")
	assert.Equal(t, "g000.example.com", groups[1].Name)
	assert.Equal(t, "v1", groups[1].PreferredVersion.Version)
	assert.Equal(t, legacyView(api), viewOf(lists), "aggregated conversion must equal the legacy documents")
}

func TestLegacyDiscoveryGivesTheSameView(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 4, Versions: 2, Resources: 3})
	for _, tc := range []struct {
		name   string
		opts   discoverytest.ServerOptions
		legacy bool
	}{
		{name: "server without aggregated discovery", opts: discoverytest.ServerOptions{DisableAggregated: true}},
		{name: "client asking for legacy", legacy: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := discoverytest.NewServer(api, tc.opts)
			defer srv.Close()
			var d discovery.DiscoveryInterface = newClient(t, srv.URL)
			if tc.legacy {
				d = d.WithLegacy()
			}
			groups, lists, err := d.ServerGroupsAndResources()
			require.NoError(t, err)
			assert.Len(t, groups, 5)
			assert.Equal(t, legacyView(api), viewOf(lists))
			assert.Equal(t, 2+api.GroupVersions(), srv.Requests())
		})
	}
}

func TestPartialFailureNamesEachGroupVersion(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 3, Versions: 1, Resources: 2})
	broken := schema.GroupVersion{Group: "g001.example.com", Version: "v1"}
	path := "/apis/" + broken.String()
	for _, tc := range []struct {
		name  string
		opts  discoverytest.ServerOptions
		check func(t *testing.T, cause error)
	}{
		{
			name: "500",
			opts: discoverytest.ServerOptions{Fail: map[string]int{path: 500}},
			check: func(t *testing.T, cause error) {
				assert.True(t, apierrors.IsInternalError(cause), "cause: %v", cause)
			},
		},
		{
			name: "503",
			opts: discoverytest.ServerOptions{Fail: map[string]int{path: 503}},
			check: func(t *testing.T, cause error) {
				assert.True(t, apierrors.IsServiceUnavailable(cause), "cause: %v", cause)
			},
		},
		{
			name: "timeout",
			opts: discoverytest.ServerOptions{Hang: map[string]bool{path: true}},
			check: func(t *testing.T, cause error) {
				assert.ErrorIs(t, cause, context.DeadlineExceeded)
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.DisableAggregated = true
			srv := discoverytest.NewServer(api, tc.opts)
			defer srv.Close()
			d := newClient(t, srv.URL)
			d.GroupVersionTimeout = 300 * time.Millisecond

			start := time.Now()
			groups, lists, err := d.ServerGroupsAndResources()
			elapsed := time.Since(start)
			require.Error(t, err)
			assert.Less(t, elapsed, 5*time.Second, "one broken group-version must cost one bounded timeout")

			var failed *discovery.ErrGroupDiscoveryFailed
			require.ErrorAs(t, err, &failed)
			require.Len(t, failed.Groups, 1)
			require.Contains(t, failed.Groups, broken)
			assert.Contains(t, err.Error(), broken.String())
			tc.check(t, failed.Groups[broken])
			assert.True(t, discovery.IsGroupDiscoveryFailedError(err))

			assert.Len(t, groups, 4, "the group list is whole")
			want := legacyView(api)
			delete(want, broken.String())
			assert.Equal(t, want, viewOf(lists), "every other group-version is returned")

			preferred, err := d.ServerPreferredResources()
			require.ErrorAs(t, err, &failed)
			assert.Len(t, preferred, 3)
		})
	}
}

func TestStaleVersionsAreLeftOutAndReported(t *testing.T) {
	stale := schema.GroupVersion{Group: "g001.example.com", Version: "v2"}
	api := discoverytest.Generate(discoverytest.Spec{Groups: 2, Versions: 2, Resources: 1, Stale: []schema.GroupVersion{stale}})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{})
	defer srv.Close()
	d := newClient(t, srv.URL)

	groups, resources, failed, err := d.GroupsAndMaybeResources()
	require.NoError(t, err)
	require.Contains(t, failed, stale)
	assert.NotContains(t, resources, stale)
	for _, g := range groups.Groups {
		for _, v := range g.Versions {
			assert.NotEqual(t, stale.String(), v.GroupVersion)
		}
	}

	srv.ResetCounts()
	_, lists, err := d.ServerGroupsAndResources()
	var gdf *discovery.ErrGroupDiscoveryFailed
	require.ErrorAs(t, err, &gdf)
	assert.Equal(t, []schema.GroupVersion{stale}, gdf.Stale())
	var se discovery.StaleGroupVersionError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, stale, se.GroupVersion)
	assert.Len(t, lists, api.GroupVersions()-1)
	assert.Equal(t, 2, srv.Requests(), "a stale version does not trigger retries")
}

func TestRevalidationWithETags(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 2, Versions: 1, Resources: 1})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{})
	defer srv.Close()
	d := newClient(t, srv.URL)

	snap, notModified, err := d.FetchSnapshot(discovery.ETags{})
	require.NoError(t, err)
	require.False(t, notModified)
	require.NotEmpty(t, snap.ETags.API)
	require.NotEmpty(t, snap.ETags.APIs)

	srv.ResetCounts()
	again, notModified, err := d.FetchSnapshot(snap.ETags)
	require.NoError(t, err)
	assert.True(t, notModified)
	assert.Nil(t, again)
	assert.Equal(t, 2, srv.Requests())

	// Only /apis changes: /api is fetched again in full to rebuild the view.
	srv.SetAPI(discoverytest.Generate(discoverytest.Spec{Groups: 3, Versions: 1, Resources: 1}))
	srv.ResetCounts()
	changed, notModified, err := d.FetchSnapshot(snap.ETags)
	require.NoError(t, err)
	assert.False(t, notModified)
	assert.Len(t, changed.Groups.Groups, 4)
	assert.Equal(t, 2, srv.RequestsFor("/api"))
	assert.NotEqual(t, snap.ETags.APIs, changed.ETags.APIs)
	assert.Equal(t, snap.ETags.API, changed.ETags.API)
}

func TestFetchRootRevalidatesOneDocument(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 2, Versions: 1, Resources: 1})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{})
	defer srv.Close()
	d := newClient(t, srv.URL)

	apis, notModified, err := d.FetchRoot(false, "")
	require.NoError(t, err)
	require.False(t, notModified)
	assert.Len(t, apis.Groups.Groups, 2)
	assert.NotEmpty(t, apis.Resources)
	assert.Empty(t, apis.ETags.API)
	require.NotEmpty(t, apis.ETags.APIs)
	core, _, err := d.FetchRoot(true, "")
	require.NoError(t, err)
	require.Len(t, core.Groups.Groups, 1)
	assert.Empty(t, core.Groups.Groups[0].Name)
	require.NotEmpty(t, core.ETags.API)

	srv.ResetCounts()
	again, notModified, err := d.FetchRoot(false, apis.ETags.APIs)
	require.NoError(t, err)
	assert.True(t, notModified)
	assert.Nil(t, again)
	assert.Equal(t, 1, srv.Requests(), "one conditional request, /api untouched")

	srv.SetAPI(discoverytest.Generate(discoverytest.Spec{Groups: 3, Versions: 1, Resources: 1}))
	changed, notModified, err := d.FetchRoot(false, apis.ETags.APIs)
	require.NoError(t, err)
	assert.False(t, notModified)
	assert.Len(t, changed.Groups.Groups, 3)
	assert.NotEqual(t, apis.ETags.APIs, changed.ETags.APIs)
}

func TestFetchRootFromALegacyServer(t *testing.T) {
	srv := discoverytest.NewServer(discoverytest.Generate(discoverytest.Spec{Groups: 1}), discoverytest.ServerOptions{DisableAggregated: true})
	defer srv.Close()
	snap, notModified, err := newClient(t, srv.URL).FetchRoot(false, "")
	require.NoError(t, err)
	assert.False(t, notModified)
	assert.Len(t, snap.Groups.Groups, 1)
	assert.Nil(t, snap.Resources)
	assert.True(t, snap.ETags.IsZero())
}

func TestLegacyAnswersCarryNoETags(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 1})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{DisableAggregated: true})
	defer srv.Close()
	snap, _, err := newClient(t, srv.URL).FetchSnapshot(discovery.ETags{})
	require.NoError(t, err)
	assert.Nil(t, snap.Resources)
	assert.True(t, snap.ETags.IsZero())
}

func TestRootFailureIsAnError(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 1})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{Fail: map[string]int{"/apis": 403}})
	defer srv.Close()
	_, _, err := newClient(t, srv.URL).ServerGroupsAndResources()
	require.Error(t, err)
	assert.True(t, apierrors.IsForbidden(err), "err: %v", err)
	assert.Contains(t, err.Error(), "/apis")
	assert.False(t, discovery.IsGroupDiscoveryFailedError(err))
}

func TestMissingCoreGroupIsTolerated(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 1})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{Fail: map[string]int{"/api": 404}})
	defer srv.Close()
	groups, lists, err := newClient(t, srv.URL).ServerGroupsAndResources()
	require.NoError(t, err)
	require.Len(t, groups, 1)
	assert.Equal(t, "g000.example.com", groups[0].Name)
	assert.Len(t, lists, 1)
}

func TestContextEndsDiscovery(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 1})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{Hang: map[string]bool{"/apis": true}})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := newClient(t, srv.URL).WithContext(ctx).ServerGroups()
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestServerResourcesForGroupVersion(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 1, Resources: 2})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{})
	defer srv.Close()
	d := newClient(t, srv.URL)

	list, err := d.ServerResourcesForGroupVersion("g000.example.com/v1")
	require.NoError(t, err)
	assert.Equal(t, discovery.CompleteResourceList(api.Resources["/apis/g000.example.com/v1"]).APIResources, list.APIResources)

	_, err = d.ServerResourcesForGroupVersion("nope.example.com/v1")
	assert.True(t, apierrors.IsNotFound(err), "err: %v", err)
	assert.Contains(t, err.Error(), "nope.example.com/v1")

	_, err = d.ServerResourcesForGroupVersion("")
	assert.Error(t, err)
}

func TestServerPreferredNamespacedResources(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 1, Versions: 2, Resources: 3})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{})
	defer srv.Close()
	lists, err := newClient(t, srv.URL).ServerPreferredNamespacedResources()
	require.NoError(t, err)
	var names []string
	for _, l := range lists {
		for _, r := range l.APIResources {
			assert.True(t, r.Namespaced)
			names = append(names, l.GroupVersion+" "+r.Name)
		}
	}
	assert.Equal(t, []string{"v1 r000s", "v1 r002s", "g000.example.com/v1 r000s", "g000.example.com/v1 r002s"}, names)
}

func TestServerVersionAndOpenAPI(t *testing.T) {
	doc := &openapi_v2.Document{Swagger: "2.0", Info: &openapi_v2.Info{Title: "Kubernetes", Version: "v1.37.2"}}
	pb, err := proto.Marshal(doc)
	require.NoError(t, err)
	var sawAccept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/version":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"major":"1","minor":"37","gitVersion":"v1.37.2"}`))
		case "/openapi/v2":
			sawAccept = r.Header.Get("Accept")
			w.Header().Set("Content-Type", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
			_, _ = w.Write(pb)
		case "/openapi/v3":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"paths":{"apis/apps/v1":{"serverRelativeURL":"/openapi/v3/apis/apps/v1?hash=ABC"}}}`))
		case "/openapi/v3/apis/apps/v1":
			if r.URL.Query().Get("hash") != "ABC" {
				http.Error(w, "missing hash", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"openapi":"3.0.0","info":{"title":"Kubernetes","version":"v1.37.2"},"paths":{"/apis/apps/v1/deployments":{}}}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	d := newClient(t, srv.URL)

	info, err := d.ServerVersion()
	require.NoError(t, err)
	assert.Equal(t, "v1.37.2", info.GitVersion)

	got, err := d.OpenAPISchema()
	require.NoError(t, err)
	assert.Equal(t, "Kubernetes", got.GetInfo().GetTitle())
	assert.Contains(t, sawAccept, "protobuf")

	paths, err := d.OpenAPIV3().Paths()
	require.NoError(t, err)
	require.Contains(t, paths, "apis/apps/v1")
	gv := paths["apis/apps/v1"]
	assert.Equal(t, "/openapi/v3/apis/apps/v1?hash=ABC", gv.ServerRelativeURL())
	spec, err := gv.Document()
	require.NoError(t, err)
	assert.Equal(t, "3.0.0", spec.Version)
	assert.Contains(t, spec.Paths.Paths, "/apis/apps/v1/deployments")
}

func TestGarbledRootIsADecodeError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
		_, _ = w.Write([]byte(`{"items":[{"metadata":`))
	}))
	defer srv.Close()
	_, err := newClient(t, srv.URL).ServerGroups()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "decoding")
	assert.False(t, errors.Is(err, context.Canceled))
}

func TestLegacyFanOutIgnoresTheClientSideRateLimiter(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 60})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{DisableAggregated: true})
	defer srv.Close()
	// One request per second would take a minute for 61 group-versions.
	d, err := discovery.NewDiscoveryClientForConfig(&anykube.Config{Host: srv.URL, QPS: 1, Burst: 1})
	require.NoError(t, err)
	start := time.Now()
	_, lists, err := d.ServerGroupsAndResources()
	require.NoError(t, err)
	assert.Len(t, lists, 61)
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestLegacyFanOutHonoursTheContext(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 40})
	hang := make(map[string]bool)
	for path := range api.Resources {
		hang[path] = true
	}
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{DisableAggregated: true, Hang: hang})
	defer srv.Close()
	d := newClient(t, srv.URL)
	d.Parallelism = 4
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := d.WithContext(ctx).ServerGroupsAndResources()
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.False(t, discovery.IsGroupDiscoveryFailedError(err), "an ended context fails the whole call")
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.LessOrEqual(t, srv.Requests(), 2+4, "no request starts after the context ended")
}

func TestZeroClientFailsWithoutPanicking(t *testing.T) {
	var d discovery.DiscoveryClient
	_, err := d.ServerGroups()
	assert.Error(t, err)
	_, err = d.ServerResourcesForGroupVersion("v1")
	assert.Error(t, err)
	_, _, err = d.ServerGroupsAndResources()
	assert.Error(t, err)
	_, err = d.ServerVersion()
	assert.Error(t, err)
	_, err = d.OpenAPIV3().Paths()
	assert.Error(t, err)
	_, err = discovery.NewDiscoveryClientForConfig(nil)
	assert.Error(t, err)
}

func TestRESTClientReachesTheSameServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" || r.Header.Get("Authorization") != "Bearer t0ken" {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	d, err := discovery.NewDiscoveryClientForConfig(&anykube.Config{Host: srv.URL, BearerToken: "t0ken"})
	require.NoError(t, err)
	for _, di := range []discovery.DiscoveryInterface{d, memory.NewMemCacheClient(d), d.WithContext(context.Background())} {
		body, err := di.RESTClient().Get().AbsPath("/healthz").DoRaw(context.Background())
		require.NoError(t, err)
		assert.Equal(t, "ok", string(body))
	}
	assert.Nil(t, (&fake.FakeDiscovery{}).RESTClient())
}

// TestOne500Or502IsRetriedOnce: a flaky aggregated API that answers one
// request with 500 or 502 must not drop its group; one that keeps failing is
// asked twice, not more.
func TestOne500Or502IsRetriedOnce(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 3, Versions: 1, Resources: 2})
	gvPath := "/apis/g001.example.com/v1"
	for _, tc := range []struct {
		name   string
		opts   discoverytest.ServerOptions
		path   string
		legacy bool
	}{
		{name: "legacy fan-out 500", opts: discoverytest.ServerOptions{FailFirst: map[string]int{gvPath: 500}}, path: gvPath, legacy: true},
		{name: "legacy fan-out 502", opts: discoverytest.ServerOptions{FailFirst: map[string]int{gvPath: 502}}, path: gvPath, legacy: true},
		{name: "aggregated /apis 500", opts: discoverytest.ServerOptions{FailFirst: map[string]int{"/apis": 500}}, path: "/apis"},
		{name: "aggregated /api 502", opts: discoverytest.ServerOptions{FailFirst: map[string]int{"/api": 502}}, path: "/api"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.DisableAggregated = tc.legacy
			srv := discoverytest.NewServer(api, tc.opts)
			defer srv.Close()
			_, lists, err := newClient(t, srv.URL).ServerGroupsAndResources()
			require.NoError(t, err)
			assert.Equal(t, legacyView(api), viewOf(lists))
			assert.Equal(t, 2, srv.RequestsFor(tc.path), "the failed request is sent once more")
		})
	}

	t.Run("persistent 502", func(t *testing.T) {
		srv := discoverytest.NewServer(api, discoverytest.ServerOptions{DisableAggregated: true, Fail: map[string]int{gvPath: 502}})
		defer srv.Close()
		_, lists, err := newClient(t, srv.URL).ServerGroupsAndResources()
		groups, ok := discovery.GroupDiscoveryFailedErrorGroups(err)
		require.True(t, ok, "err: %v", err)
		cause := groups[schema.GroupVersion{Group: "g001.example.com", Version: "v1"}]
		var se *apierrors.StatusError
		require.ErrorAs(t, cause, &se)
		assert.Equal(t, int32(http.StatusBadGateway), se.Status().Code)
		assert.Len(t, lists, api.GroupVersions()-1)
		assert.Equal(t, 2, srv.RequestsFor(gvPath), "retried once, not more")
	})

	t.Run("404 is not retried", func(t *testing.T) {
		srv := discoverytest.NewServer(api, discoverytest.ServerOptions{})
		defer srv.Close()
		_, err := newClient(t, srv.URL).ServerResourcesForGroupVersion("nope.example.com/v1")
		require.True(t, apierrors.IsNotFound(err))
		assert.Equal(t, 1, srv.Requests())
	})
}

// TestRetryAfter500SharesTheTimeBound: the request sent again after a 500
// gets what is left of the group-version's time bound, not a bound of its
// own.
func TestRetryAfter500SharesTheTimeBound(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 1})
	docs := discoverytest.NewServer(api, discoverytest.ServerOptions{DisableAggregated: true})
	defer docs.Close()
	const slow = "/apis/g000.example.com/v1"
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != slow {
			docs.Config.Handler.ServeHTTP(w, r)
			return
		}
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if !first {
			<-r.Context().Done() // the retry hangs until the bound ends
			return
		}
		time.Sleep(600 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","code":500}`))
	}))
	defer srv.Close()

	d := newClient(t, srv.URL)
	d.GroupVersionTimeout = time.Second
	start := time.Now()
	_, err := d.ServerResourcesForGroupVersion("g000.example.com/v1")
	elapsed := time.Since(start)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	mu.Lock()
	assert.Equal(t, 2, calls)
	mu.Unlock()
	assert.Less(t, elapsed, 1500*time.Millisecond, "one bound of 1s for both requests, not 1s each")
}
