package discovery_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
)

func TestMain(m *testing.M) { testcluster.Main(m) }

// crdCount is the number of CRDs the end-to-end tests install.
const crdCount = 50

// clusterWithCRDs returns the shared cluster with the test CRDs installed.
func clusterWithCRDs(t testing.TB) *testcluster.Cluster {
	t.Helper()
	return e2e.SharedWithCRDs(t, e2e.GenerateCRDs(crdCount))
}

// rawView reads /api and /apis as aggregated documents with a plain HTTP
// client and decodes them without the package under test, into one line per
// resource, in the shape the package promises on every path: the kind's
// group-version on every entry, and the parent's singular name on
// subresources.
func rawView(t *testing.T, c *testcluster.Cluster) []string {
	t.Helper()
	var out []string
	for _, path := range []string{"/api", "/apis"} {
		body := e2e.AggregatedDocument(t, c, path)

		type kind struct{ Group, Version, Kind string }
		var doc struct {
			Items []struct {
				Metadata struct{ Name string }
				Versions []struct {
					Version   string
					Freshness string
					Resources []struct {
						Resource         string
						ResponseKind     *kind
						Scope            string
						SingularResource string
						Verbs            []string
						ShortNames       []string
						Categories       []string
						Subresources     []struct {
							Subresource  string
							ResponseKind *kind
							Verbs        []string
						}
					}
				}
			}
		}
		require.NoError(t, json.Unmarshal(body, &doc))
		for _, g := range doc.Items {
			for _, v := range g.Versions {
				require.NotEqual(t, "Stale", v.Freshness)
				gv := v.Version
				if g.Metadata.Name != "" {
					gv = g.Metadata.Name + "/" + v.Version
				}
				for _, r := range v.Resources {
					if r.ResponseKind != nil && r.ResponseKind.Kind != "" {
						out = append(out, line(gv, r.Resource, r.SingularResource, r.Scope == "Namespaced",
							kindOf(gv, r.ResponseKind.Group, r.ResponseKind.Version), r.ResponseKind.Kind,
							r.Verbs, r.ShortNames, r.Categories))
					}
					for _, s := range r.Subresources {
						if s.ResponseKind == nil || s.ResponseKind.Kind == "" {
							continue
						}
						out = append(out, line(gv, r.Resource+"/"+s.Subresource, r.SingularResource, r.Scope == "Namespaced",
							kindOf(gv, s.ResponseKind.Group, s.ResponseKind.Version), s.ResponseKind.Kind,
							s.Verbs, nil, nil))
					}
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// kindOf is the group-version of a response kind: kube-apiserver leaves
// group and version empty when they are the list's (built-in resources),
// and fills them otherwise (custom resources, foreign kinds).
func kindOf(gv, group, version string) string {
	if version == "" {
		return gv
	}
	return kindGV(group, version)
}

func kindGV(group, version string) string {
	if group == "" {
		return version
	}
	return group + "/" + version
}

func line(gv, name, singular string, namespaced bool, kindGV, kind string, verbs, short, cats []string) string {
	v := append([]string(nil), verbs...)
	sort.Strings(v)
	return fmt.Sprintf("%s %s singular=%s namespaced=%v kind=%s %s verbs=%v short=%v categories=%v",
		gv, name, singular, namespaced, kindGV, kind, v, short, cats)
}

func clientView(lists []*metav1.APIResourceList) []string {
	var out []string
	for _, l := range lists {
		for _, r := range l.APIResources {
			out = append(out, line(l.GroupVersion, r.Name, r.SingularName, r.Namespaced, kindGV(r.Group, r.Version), r.Kind,
				r.Verbs, r.ShortNames, r.Categories))
		}
	}
	sort.Strings(out)
	return out
}

func TestE2EAggregatedDiscoveryMatchesTheServer(t *testing.T) {
	c := clusterWithCRDs(t)
	rt := &e2e.Counter{}
	d, err := discovery.NewDiscoveryClientForConfig(e2e.Config(c, rt))
	require.NoError(t, err)

	want := rawView(t, c)
	require.Greater(t, len(want), 2*crdCount, "the raw view holds the CRDs and their subresources")
	groups, lists, err := d.ServerGroupsAndResources()
	require.NoError(t, err)
	assert.EqualValues(t, 2, rt.Count(), "aggregated discovery takes exactly two requests")
	assert.Equal(t, want, clientView(lists))

	byName := make(map[string]*metav1.APIGroup)
	for _, g := range groups {
		byName[g.Name] = g
	}
	require.Equal(t, "", groups[0].Name, "core group first")
	for i := range 5 {
		g := byName[fmt.Sprintf("e2e%d.anykube.test", i)]
		require.NotNil(t, g)
		assert.Equal(t, "v1", g.PreferredVersion.Version)
	}
	assert.Len(t, byName["e2e0.anykube.test"].Versions, 2, "several versions")

	var scale, thing *metav1.APIResource
	for _, l := range lists {
		if l.GroupVersion != "e2e0.anykube.test/v1" {
			continue
		}
		for i := range l.APIResources {
			switch l.APIResources[i].Name {
			case "thing00s/scale":
				scale = &l.APIResources[i]
			case "thing00s":
				thing = &l.APIResources[i]
			}
		}
	}
	require.NotNil(t, scale, "the scale subresource is listed")
	assert.Equal(t, metav1.APIResource{Name: "thing00s/scale", SingularName: "thing00", Namespaced: true, Group: "autoscaling", Version: "v1",
		Kind: "Scale", Verbs: scale.Verbs}, *scale)
	require.NotNil(t, thing)
	assert.Equal(t, "e2e0.anykube.test", thing.Group)
	assert.Equal(t, "v1", thing.Version)
	assert.Equal(t, []string{"th00"}, thing.ShortNames)
	assert.Equal(t, []string{"anykube-e2e"}, thing.Categories)
	assert.Equal(t, "thing00", thing.SingularName)

	preferred, err := d.ServerPreferredResources()
	require.NoError(t, err)
	gvrs, err := discovery.GroupVersionResources(preferred)
	require.NoError(t, err)
	count := 0
	for gvr := range gvrs {
		if strings.HasSuffix(gvr.Group, ".anykube.test") {
			count++
			assert.Equal(t, "v1", gvr.Version)
		}
	}
	assert.Equal(t, crdCount, count, "each CRD once, in its preferred version")
}

func TestE2ELegacyDiscoveryGivesTheSameView(t *testing.T) {
	c := clusterWithCRDs(t)
	want := rawView(t, c)

	rt := &e2e.Counter{LegacyOnly: true}
	d, err := discovery.NewDiscoveryClientForConfig(e2e.Config(c, rt))
	require.NoError(t, err)
	groups, lists, err := d.ServerGroupsAndResources()
	require.NoError(t, err)
	gvs := 0
	for _, g := range groups {
		gvs += len(g.Versions)
	}
	assert.EqualValues(t, 2+gvs, rt.Count(), "two roots and one request per group-version")
	assert.Equal(t, want, clientView(lists))

	// Beyond the compared fields, the two paths agree entry for entry but
	// for the storage version hash, which only the legacy documents carry.
	aggregated, err := discovery.NewDiscoveryClientForConfig(e2e.Config(c, &e2e.Counter{}))
	require.NoError(t, err)
	_, aggLists, err := aggregated.ServerGroupsAndResources()
	require.NoError(t, err)
	assert.Equal(t, stripHashes(aggLists), stripHashes(lists))
}

func stripHashes(lists []*metav1.APIResourceList) map[string][]metav1.APIResource {
	out := make(map[string][]metav1.APIResource)
	for _, l := range lists {
		rs := append([]metav1.APIResource(nil), l.APIResources...)
		for i := range rs {
			rs[i].StorageVersionHash = ""
		}
		sort.Slice(rs, func(i, j int) bool { return rs[i].Name < rs[j].Name })
		out[l.GroupVersion] = rs
	}
	return out
}

func TestE2ERevalidationWithETags(t *testing.T) {
	c := clusterWithCRDs(t)
	rt := &e2e.Counter{}
	d, err := discovery.NewDiscoveryClientForConfig(e2e.Config(c, rt))
	require.NoError(t, err)
	snap, _, err := d.FetchSnapshot(discovery.ETags{})
	require.NoError(t, err)
	require.NotEmpty(t, snap.ETags.APIs, "the server tags its aggregated documents")
	rt.Take()
	_, notModified, err := d.FetchSnapshot(snap.ETags)
	require.NoError(t, err)
	assert.True(t, notModified)
	assert.EqualValues(t, 2, rt.Count())
}

func TestE2EVersionAndOpenAPI(t *testing.T) {
	c := clusterWithCRDs(t)
	d, err := discovery.NewDiscoveryClientForConfig(e2e.Config(c, &e2e.Counter{}))
	require.NoError(t, err)

	info, err := d.ServerVersion()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(info.GitVersion, "v1.37"), info.GitVersion)

	v2, err := d.OpenAPISchema()
	require.NoError(t, err)
	assert.Equal(t, "Kubernetes", v2.GetInfo().GetTitle())
	assert.NotEmpty(t, v2.GetPaths().GetPath())

	paths, err := d.OpenAPIV3().Paths()
	require.NoError(t, err)
	require.Contains(t, paths, "api/v1")
	gv, ok := paths["apis/e2e0.anykube.test/v1"]
	require.True(t, ok, "the CRD group-version has a document")
	doc, err := gv.Document()
	require.NoError(t, err)
	assert.Contains(t, doc.Paths.Paths, "/apis/e2e0.anykube.test/v1/namespaces/{namespace}/thing00s")
}

// TestE2EBrokenAggregatedAPI registers an aggregated API whose backend does
// not exist, as when metrics-server is down, on a cluster of its own so the
// other tests keep a healthy one.
func TestE2EBrokenAggregatedAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test against a real API server")
	}
	c := testcluster.Start(t)
	hc, err := c.HTTPClient()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	crds := e2e.GenerateCRDs(5)
	require.NoError(t, e2e.InstallCRDs(ctx, hc, c.Host, crds))

	apiService := `{"apiVersion":"apiregistration.k8s.io/v1","kind":"APIService",
		"metadata":{"name":"v1beta1.metrics.k8s.io"},
		"spec":{"group":"metrics.k8s.io","version":"v1beta1","insecureSkipTLSVerify":true,
		"groupPriorityMinimum":100,"versionPriority":100,
		"service":{"namespace":"kube-system","name":"metrics-server","port":443}}}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Host+"/apis/apiregistration.k8s.io/v1/apiservices", strings.NewReader(apiService))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)

	metrics := schema.GroupVersion{Group: "metrics.k8s.io", Version: "v1beta1"}
	d, err := discovery.NewDiscoveryClientForConfig(e2e.Config(c, &e2e.Counter{LegacyOnly: true}))
	require.NoError(t, err)
	d.GroupVersionTimeout = 5 * time.Second

	// The legacy path lists the group as soon as the APIService exists and
	// fails to fetch its resources.
	var lists []*metav1.APIResourceList
	require.Eventually(t, func() bool {
		_, lists, err = d.ServerGroupsAndResources()
		groups, ok := discovery.GroupDiscoveryFailedErrorGroups(err)
		return ok && groups[metrics] != nil
	}, time.Minute, 200*time.Millisecond, "last error: %v", err)
	groups, _ := discovery.GroupDiscoveryFailedErrorGroups(err)
	assert.Len(t, groups, 1, "only the broken API fails: %v", err)
	assert.True(t, apierrors.IsServiceUnavailable(groups[metrics]), "cause: %v", groups[metrics])
	found := 0
	for _, l := range lists {
		if strings.HasSuffix(l.GroupVersion, ".anykube.test/v1") {
			found++
		}
	}
	assert.Equal(t, 5, found, "the CRDs are all there")

	// Aggregated discovery never hides the rest either: the server marks
	// the broken version Stale, and it is reported, not returned.
	agg, err := discovery.NewDiscoveryClientForConfig(e2e.Config(c, &e2e.Counter{}))
	require.NoError(t, err)
	var aggLists []*metav1.APIResourceList
	require.Eventually(t, func() bool {
		_, aggLists, err = agg.ServerGroupsAndResources()
		var failed *discovery.ErrGroupDiscoveryFailed
		return errors.As(err, &failed) && slices.Contains(failed.Stale(), metrics)
	}, time.Minute, 200*time.Millisecond, "last error: %v", err)
	found = 0
	for _, l := range aggLists {
		assert.NotEqual(t, metrics.String(), l.GroupVersion)
		if strings.HasSuffix(l.GroupVersion, ".anykube.test/v1") {
			found++
		}
	}
	assert.Equal(t, 5, found)
	t.Logf("aggregated discovery with a broken APIService: err=%v", err)
}
