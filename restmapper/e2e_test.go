package restmapper_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
	"github.com/anykube/anykube/restmapper"
)

func TestMain(m *testing.M) { testcluster.Main(m) }

// e2eCRDs are the CRDs of the discovery end-to-end tests: five groups,
// some CRDs served in two versions, short names and a category.
const e2eCRDs = 50

func e2eCluster(t *testing.T) *testcluster.Cluster {
	t.Helper()
	return e2e.SharedWithCRDs(t, e2e.GenerateCRDs(e2eCRDs))
}

func e2eClient(t *testing.T, c *testcluster.Cluster, legacy bool) (*discovery.DiscoveryClient, *e2e.Counter) {
	t.Helper()
	cnt := &e2e.Counter{LegacyOnly: legacy}
	client, err := discovery.NewDiscoveryClientForConfig(e2e.Config(c, cnt))
	require.NoError(t, err)
	return client, cnt
}

// served is one resource as the server's aggregated discovery lists it.
type served struct {
	gv         schema.GroupVersion
	plural     string
	singular   string
	kind       string
	namespaced bool
}

// serverView reads /api and /apis with plain HTTP and decodes them without
// the code under test: the resources (not subresources) each group-version
// serves, groups and versions in the server's order, preferred first.
func serverView(t *testing.T, c *testcluster.Cluster) []served {
	t.Helper()
	var out []served
	for _, path := range []string{"/api", "/apis"} {
		body := e2e.AggregatedDocument(t, c, path)
		var doc struct {
			Items []struct {
				Metadata struct{ Name string }
				Versions []struct {
					Version   string
					Resources []struct {
						Resource         string
						ResponseKind     *struct{ Kind string }
						Scope            string
						SingularResource string
					}
				}
			}
		}
		require.NoError(t, json.Unmarshal(body, &doc))
		for _, g := range doc.Items {
			for _, v := range g.Versions {
				for _, r := range v.Resources {
					if r.ResponseKind == nil || r.ResponseKind.Kind == "" {
						continue
					}
					out = append(out, served{
						gv:     schema.GroupVersion{Group: g.Metadata.Name, Version: v.Version},
						plural: r.Resource, singular: r.SingularResource, kind: r.ResponseKind.Kind,
						namespaced: r.Scope == "Namespaced",
					})
				}
			}
		}
	}
	return out
}

// TestE2EMappersAgreeWithTheServer asks every mapper about every resource
// the server serves and compares with what the server says: kind, scope,
// singular and plural, the preferred version (the first version of the
// group serving the resource), and every version.
func TestE2EMappersAgreeWithTheServer(t *testing.T) {
	c := e2eCluster(t)
	view := serverView(t, c)
	require.Greater(t, len(view), e2eCRDs+50, "built-ins and CRDs")

	// What to expect, derived from the server's order.
	preferred := map[schema.GroupResource]string{}
	versions := map[schema.GroupKind][]string{}
	kindsInGV := map[schema.GroupVersionKind]int{}
	pluralGroups := map[string]map[string]bool{}
	for _, s := range view {
		gr := schema.GroupResource{Group: s.gv.Group, Resource: s.plural}
		if _, ok := preferred[gr]; !ok {
			preferred[gr] = s.gv.Version
		}
		gk := schema.GroupKind{Group: s.gv.Group, Kind: s.kind}
		versions[gk] = append(versions[gk], s.gv.Version)
		kindsInGV[s.gv.WithKind(s.kind)]++
		if pluralGroups[s.plural] == nil {
			pluralGroups[s.plural] = map[string]bool{}
		}
		pluralGroups[s.plural][s.gv.Group] = true
	}

	client, _ := e2eClient(t, c, false)
	groups, err := restmapper.GetAPIGroupResources(client)
	require.NoError(t, err)
	t.Run("same answers as client-go's composition", func(t *testing.T) {
		compareMappers(t, groups, rand.New(rand.NewPCG(11, 13)), differentialSample())
	})
	legacyClient, _ := e2eClient(t, c, true)
	mappers := map[string]meta.RESTMapper{
		"discovery":     restmapper.NewDiscoveryRESTMapper(groups),
		"deferred":      restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(client)),
		"lazy":          restmapper.NewLazyRESTMapper(client, restmapper.LazyOptions{}),
		"lazy (legacy)": restmapper.NewLazyRESTMapper(legacyClient, restmapper.LazyOptions{}),
	}
	for name, m := range mappers {
		t.Run(name, func(t *testing.T) {
			for _, s := range view {
				gvk := s.gv.WithKind(s.kind)
				gvr := s.gv.WithResource(s.plural)
				for _, n := range []string{s.plural, s.singular, strings.ToUpper(s.plural)} {
					got, err := m.KindFor(s.gv.WithResource(n))
					if assert.NoError(t, err, "KindFor %v %s", s.gv, n) {
						assert.Equal(t, gvk, got, "KindFor %v %s", s.gv, n)
					}
				}
				got, err := m.ResourceFor(schema.GroupVersionResource{Group: s.gv.Group, Resource: s.singular})
				if s.gv.Group != "" && assert.NoError(t, err, "ResourceFor %s.%s", s.singular, s.gv.Group) {
					assert.Equal(t, s.gv.Group, got.Group)
					assert.Equal(t, preferred[gvr.GroupResource()], got.Version, "preferred version of %v", gvr.GroupResource())
					assert.Equal(t, s.plural, got.Resource)
				}
				if len(pluralGroups[s.plural]) == 1 {
					singular, err := m.ResourceSingularizer(s.plural)
					if assert.NoError(t, err) {
						assert.Equal(t, s.singular, singular, s.plural)
					}
				}
				if kindsInGV[gvk] > 1 {
					continue // a kind served by two resources maps to the last one, as in client-go
				}
				mapping, err := m.RESTMapping(gvk.GroupKind(), s.gv.Version)
				if assert.NoError(t, err, "RESTMapping %v", gvk) {
					assert.Equal(t, gvr, mapping.Resource)
					assert.Equal(t, gvk, mapping.GroupVersionKind)
					want := meta.RESTScopeNameRoot
					if s.namespaced {
						want = meta.RESTScopeNameNamespace
					}
					assert.Equal(t, want, mapping.Scope.Name(), "scope of %v", gvr)
				}
				mapping, err = m.RESTMapping(gvk.GroupKind())
				if assert.NoError(t, err) {
					assert.Equal(t, versions[gvk.GroupKind()][0], mapping.Resource.Version, "preferred version of %v", gvk.GroupKind())
				}
				all, err := m.RESTMappings(gvk.GroupKind())
				if assert.NoError(t, err) {
					var got []string
					for _, a := range all {
						got = append(got, a.Resource.Version)
					}
					assert.Equal(t, versions[gvk.GroupKind()], got, "versions of %v", gvk.GroupKind())
				}
			}
		})
	}
}

// TestE2ELazyMapperFollowsCRDs installs and deletes CRDs while a lazy
// mapper is in use: a new one maps on the next call without Reset, a
// deleted one stops mapping once its group reloads.
func TestE2ELazyMapperFollowsCRDs(t *testing.T) {
	c := e2eCluster(t)
	hc, err := c.HTTPClient()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprintf("legacy=%v", legacy), func(t *testing.T) {
			group := fmt.Sprintf("lazy%v.anykube.test", legacy)
			first := e2e.CRD{Group: group, Kind: "First", Versions: []string{"v1"}, Namespaced: true}
			second := e2e.CRD{Group: group, Kind: "Second", Versions: []string{"v1", "v1beta1"}}
			require.NoError(t, e2e.InstallCRDs(ctx, hc, c.Host, []e2e.CRD{first}))
			t.Cleanup(func() { _ = e2e.DeleteCRDs(context.Background(), hc, c.Host, []e2e.CRD{first, second}) })

			client, cnt := e2eClient(t, c, legacy)
			// The timed behaviour; push has its own test.
			m := restmapper.NewLazyRESTMapper(client, restmapper.LazyOptions{Push: restmapper.PushOff})
			mapping, err := m.RESTMapping(schema.GroupKind{Group: group, Kind: "First"})
			require.NoError(t, err)
			assert.Equal(t, meta.RESTScopeNameNamespace, mapping.Scope.Name())
			if legacy {
				assert.Equal(t, 3, int(cnt.Take()), "/api, /apis and the group's one version")
			} else {
				assert.Equal(t, 2, int(cnt.Take()), "/api and /apis")
			}

			// Installed a moment ago, in a group already loaded.
			require.NoError(t, e2e.InstallCRDs(ctx, hc, c.Host, []e2e.CRD{second}))
			mapping, err = m.RESTMapping(schema.GroupKind{Group: group, Kind: "Second"})
			require.NoError(t, err)
			assert.Equal(t, schema.GroupVersionResource{Group: group, Version: "v1", Resource: "seconds"}, mapping.Resource)
			assert.Equal(t, meta.RESTScopeNameRoot, mapping.Scope.Name())
			gvk, err := m.KindFor(schema.GroupVersionResource{Group: group, Version: "v1beta1", Resource: "second"})
			require.NoError(t, err)
			assert.Equal(t, "Second", gvk.Kind)
			cnt.Take()

			// Hits ask nothing, in a loop or from many goroutines.
			var wg sync.WaitGroup
			for range 20 {
				wg.Go(func() {
					for range 100 {
						_, err := m.RESTMapping(schema.GroupKind{Group: group, Kind: "Second"})
						assert.NoError(t, err)
					}
				})
			}
			wg.Wait()
			assert.Zero(t, int(cnt.Take()))

			// A typo in a loop costs one round.
			for range 1000 {
				_, err := m.RESTMapping(schema.GroupKind{Group: group, Kind: "Secnod"})
				require.True(t, meta.IsNoMatchError(err))
			}
			n := int(cnt.Take())
			assert.Positive(t, n)
			assert.LessOrEqual(t, n, 4)

			// Deleted: still mapped until the group reloads, which a miss
			// in it does; then gone.
			require.NoError(t, e2e.DeleteCRDs(ctx, hc, c.Host, []e2e.CRD{second}))
			waitUndiscovered(ctx, t, c, group, "seconds")
			_, err = m.RESTMapping(schema.GroupKind{Group: group, Kind: "Second"})
			require.NoError(t, err, "a hit does not ask the server")
			_, err = m.RESTMapping(schema.GroupKind{Group: group, Kind: "Third"})
			require.True(t, meta.IsNoMatchError(err))
			_, err = m.RESTMapping(schema.GroupKind{Group: group, Kind: "Second"})
			assert.True(t, meta.IsNoMatchError(err), "deleted CRD still maps: %v", err)
			_, err = m.RESTMapping(schema.GroupKind{Group: group, Kind: "First"})
			assert.NoError(t, err)
		})
	}
}

// waitUndiscovered polls /apis until group no longer lists resource.
func waitUndiscovered(ctx context.Context, t *testing.T, c *testcluster.Cluster, group, resource string) {
	t.Helper()
	hc, err := c.HTTPClient()
	require.NoError(t, err)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Host+"/apis", nil)
		require.NoError(t, err)
		req.Header.Set("Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
		resp, err := hc.Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		var doc struct {
			Items []struct {
				Metadata struct{ Name string }
				Versions []struct {
					Resources []struct{ Resource string }
				}
			}
		}
		require.NoError(t, json.Unmarshal(body, &doc))
		found := false
		for _, g := range doc.Items {
			if g.Metadata.Name != group {
				continue
			}
			for _, v := range g.Versions {
				for _, r := range v.Resources {
					found = found || r.Resource == resource
				}
			}
		}
		if !found {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s.%s still discovered: %v", resource, group, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestE2EShortNamesCategoriesAndArguments resolves the CRDs' short names,
// category and kubectl-style arguments through real discovery.
func TestE2EShortNamesCategoriesAndArguments(t *testing.T) {
	c := e2eCluster(t)
	client, _ := e2eClient(t, c, false)
	cache := memory.NewMemCacheClient(client)
	var warnings []string
	var mu sync.Mutex
	mapper := restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(cache), cache, func(w string) {
		mu.Lock()
		warnings = append(warnings, w)
		mu.Unlock()
	})

	gvk, err := mapper.KindFor(schema.GroupVersionResource{Resource: "th03"})
	require.NoError(t, err)
	assert.Equal(t, schema.GroupVersionKind{Group: "e2e3.anykube.test", Version: "v1", Kind: "Thing03"}, gvk)
	gvk, err = mapper.KindFor(schema.GroupVersionResource{Resource: "deploy"})
	require.NoError(t, err)
	assert.Equal(t, schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, gvk)
	_, err = mapper.KindFor(schema.GroupVersionResource{Resource: "ev"})
	require.NoError(t, err)
	assert.Contains(t, warnings, `short name "ev" could also match lower priority resource events.events.k8s.io`)

	cats := restmapper.NewDiscoveryCategoryExpander(cache)
	rs, ok := cats.Expand("anykube-e2e")
	require.True(t, ok)
	assert.Len(t, rs, e2eCRDs)
	all, ok := cats.Expand("all")
	require.True(t, ok)
	assert.Contains(t, all, schema.GroupResource{Group: "apps", Resource: "deployments"})
	assert.Contains(t, all, schema.GroupResource{Resource: "pods"})

	r := restmapper.NewResolver(mapper)
	for arg, want := range map[string]schema.GroupVersionResource{
		"th00":                              {Group: "e2e0.anykube.test", Version: "v1", Resource: "thing00s"},
		"Thing00.v1beta1.e2e0.anykube.test": {Group: "e2e0.anykube.test", Version: "v1beta1", Resource: "thing00s"},
		"thing07.e2e2.anykube.test":         {Group: "e2e2.anykube.test", Version: "v1", Resource: "thing07s"},
		"deploy":                            {Group: "apps", Version: "v1", Resource: "deployments"},
		"events":                            {Version: "v1", Resource: "events"},
		"hpa.v1.autoscaling":                {Group: "autoscaling", Version: "v1", Resource: "horizontalpodautoscalers"},
	} {
		m, err := r.Resolve(context.Background(), arg)
		if assert.NoError(t, err, arg) {
			assert.Equal(t, want, m.Resource, arg)
		}
	}
	m, err := r.Resolve(context.Background(), "th01")
	require.NoError(t, err)
	assert.Equal(t, meta.RESTScopeNameRoot, m.Scope.Name(), "odd-numbered e2e CRDs are cluster-scoped")
}

// TestE2ELazyMapperOneDownload pins the lazy mapper's cost on kube-apiserver:
// one aggregated answer serves every group, and a typo revalidates it with
// one conditional request, then nothing while the miss is remembered. With
// push on, the first miss also starts the watches: two lists and two
// watches, once per mapper, counted apart.
func TestE2ELazyMapperOneDownload(t *testing.T) {
	c := e2eCluster(t)
	for _, push := range []restmapper.PushMode{restmapper.PushOff, restmapper.PushAuto} {
		t.Run(fmt.Sprintf("push=%v", push == restmapper.PushAuto), func(t *testing.T) {
			disc := &pathCounter{prefix: "/api"}
			cfg := e2e.Config(c, nil)
			cfg.WrapTransport = disc.wrap
			client, err := discovery.NewDiscoveryClientForConfig(cfg)
			require.NoError(t, err)
			m := restmapper.NewLazyRESTMapper(client, restmapper.LazyOptions{Push: push})
			t.Cleanup(func() { _ = m.Close() })

			kinds := []schema.GroupKind{
				{Kind: "ConfigMap"},
				{Group: "apps", Kind: "Deployment"},
				{Group: "batch", Kind: "Job"},
				{Group: "rbac.authorization.k8s.io", Kind: "Role"},
				{Group: "networking.k8s.io", Kind: "Ingress"},
				{Group: "policy", Kind: "PodDisruptionBudget"},
			}
			for _, gk := range kinds {
				mapping, err := m.RESTMapping(gk)
				require.NoError(t, err, gk)
				assert.Equal(t, gk.Group, mapping.Resource.Group)
			}
			assert.Equal(t, 2, disc.take().all, "/api and /apis for six groups")

			start := time.Now()
			for range 1000 {
				_, err := m.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deploymnet"})
				require.True(t, meta.IsNoMatchError(err), "%v", err)
			}
			require.Less(t, time.Since(start), time.Second)
			if push == restmapper.PushAuto {
				waitFreshness(t, m, restmapper.FreshnessPush)
			}
			got := disc.take()
			assert.LessOrEqual(t, got.matching, 1, "one conditional /apis for a thousand typos")
			if push == restmapper.PushAuto {
				assert.LessOrEqual(t, got.all-got.matching, 4, "the watches: two lists, two watches")
			} else {
				assert.Equal(t, got.matching, got.all)
			}
		})
	}
}

// pathCounter counts requests, and apart those whose path is prefix or
// prefix + "s" exactly (the discovery documents).
type pathCounter struct {
	prefix string
	next   http.RoundTripper
	mu     sync.Mutex
	counts struct{ all, matching int }
}

func (p *pathCounter) wrap(next http.RoundTripper) http.RoundTripper {
	p.next = next
	return p
}

func (p *pathCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	p.mu.Lock()
	p.counts.all++
	if r.URL.Path == p.prefix || r.URL.Path == p.prefix+"s" {
		p.counts.matching++
	}
	p.mu.Unlock()
	return p.next.RoundTrip(r)
}

func (p *pathCounter) take() struct{ all, matching int } {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.counts
	p.counts.all, p.counts.matching = 0, 0
	return out
}

func waitFreshness(t *testing.T, m *restmapper.LazyRESTMapper, want restmapper.Freshness) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, reason := m.Freshness()
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("freshness %v (%v), want %v", got, reason, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestE2ELazyMapperPush: a CRD created 10 ms after a miss for its kind maps
// within a second of Established with push on, and within the negative
// window with push off; deleting a CRD unmaps its kind within a second with
// push on.
func TestE2ELazyMapperPush(t *testing.T) {
	c := e2eCluster(t)
	hc, err := c.HTTPClient()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	for _, push := range []restmapper.PushMode{restmapper.PushAuto, restmapper.PushOff} {
		t.Run(fmt.Sprintf("push=%v", push == restmapper.PushAuto), func(t *testing.T) {
			group := fmt.Sprintf("push%v.anykube.test", push == restmapper.PushAuto)
			crd := e2e.CRD{Group: group, Kind: "Pushed", Versions: []string{"v1"}, Namespaced: true}
			gk := schema.GroupKind{Group: group, Kind: "Pushed"}
			t.Cleanup(func() { _ = e2e.DeleteCRDs(context.Background(), hc, c.Host, []e2e.CRD{crd}) })

			client, _ := e2eClient(t, c, false)
			m := restmapper.NewLazyRESTMapper(client, restmapper.LazyOptions{Push: push})
			t.Cleanup(func() { _ = m.Close() })
			if push == restmapper.PushAuto {
				// A first miss starts the watches.
				_, err := m.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Nope"})
				require.True(t, meta.IsNoMatchError(err))
				waitFreshness(t, m, restmapper.FreshnessPush)
			} else {
				f, reason := m.Freshness()
				assert.Equal(t, restmapper.FreshnessTimed, f)
				assert.NoError(t, reason)
			}

			_, err := m.RESTMapping(gk)
			require.True(t, meta.IsNoMatchError(err))
			missed := time.Now()
			time.Sleep(10 * time.Millisecond)
			installed := make(chan error, 1)
			go func() { installed <- e2e.InstallCRDs(ctx, hc, c.Host, []e2e.CRD{crd}) }()
			established := make(chan time.Time, 1)
			go func() { established <- waitEstablished(ctx, hc, c.Host, crd.Name()) }()

			mapped := pollUntil(ctx, func() bool { _, err := m.RESTMapping(gk); return err == nil })
			require.NoError(t, <-installed)
			est := <-established
			t.Logf("established %v after the miss, mapped %v after Established", est.Sub(missed), mapped.Sub(est))
			if push == restmapper.PushAuto {
				assert.Less(t, mapped.Sub(est), time.Second)
			} else {
				assert.Less(t, mapped.Sub(missed), restmapper.DefaultNegativeTTL+time.Second)
				return
			}

			deleting := time.Now()
			require.NoError(t, e2e.DeleteCRDs(ctx, hc, c.Host, []e2e.CRD{crd}))
			gone := pollUntil(ctx, func() bool { _, err := m.RESTMapping(gk); return meta.IsNoMatchError(err) })
			t.Logf("unmapped %v after the delete", gone.Sub(deleting))
			assert.Less(t, gone.Sub(deleting), time.Second)
		})
	}
}

// pollUntil calls cond every 10 ms until it holds, and returns when it did.
func pollUntil(ctx context.Context, cond func() bool) time.Time {
	for ctx.Err() == nil {
		if cond() {
			return time.Now()
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Now()
}

// waitEstablished polls the CRD every 5 ms and returns when it was first
// seen Established.
func waitEstablished(ctx context.Context, hc *http.Client, host, name string) time.Time {
	url := strings.TrimSuffix(host, "/") + "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + name
	return pollUntil(ctx, func() bool {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return false
		}
		res, err := hc.Do(req)
		if err != nil {
			return false
		}
		defer res.Body.Close()
		var crd struct {
			Status struct {
				Conditions []struct{ Type, Status string } `json:"conditions"`
			} `json:"status"`
		}
		if json.NewDecoder(res.Body).Decode(&crd) != nil {
			return false
		}
		for _, c := range crd.Status.Conditions {
			if c.Type == "Established" && c.Status == "True" {
				return true
			}
		}
		return false
	})
}
