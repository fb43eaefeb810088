package disk_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/disk"
	"github.com/anykube/anykube/discovery/discoverytest"
)

func newCache(t *testing.T, srv *discoverytest.Server, dir string, ttl time.Duration) *disk.CachedDiscoveryClient {
	t.Helper()
	c, err := disk.NewCachedDiscoveryClientForConfig(&anykube.Config{Host: srv.URL}, dir, "", ttl)
	require.NoError(t, err)
	return c
}

func everything(t *testing.T, d discovery.DiscoveryInterface) map[string][]metav1.APIResource {
	t.Helper()
	_, lists, err := d.ServerGroupsAndResources()
	require.NoError(t, err)
	out := make(map[string][]metav1.APIResource)
	for _, l := range lists {
		out[l.GroupVersion] = l.APIResources
	}
	return out
}

func age(t *testing.T, path string, by time.Duration) {
	t.Helper()
	old := time.Now().Add(-by)
	require.NoError(t, os.Chtimes(path, old, old))
}

func TestWarmStartNeedsNoRequest(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		api := discoverytest.Generate(discoverytest.Spec{Groups: 3, Versions: 2, Resources: 2})
		srv := discoverytest.NewServer(api, discoverytest.ServerOptions{DisableAggregated: legacy})
		dir := t.TempDir()

		first := everything(t, newCache(t, srv, dir, 0))
		filled := srv.Requests()
		require.Positive(t, filled)

		second := newCache(t, srv, dir, 0)
		assert.Equal(t, first, everything(t, second), "legacy=%v", legacy)
		assert.Equal(t, filled, srv.Requests(), "a second process starts from the files (legacy=%v)", legacy)
		assert.False(t, second.Fresh(), "answers from an older cache are not fresh")
		srv.Close()
	}
}

func TestExpiredCacheIsRevalidatedWithETags(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 3, Versions: 2, Resources: 2})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{})
	defer srv.Close()
	dir := t.TempDir()
	want := everything(t, newCache(t, srv, dir, time.Hour))

	snapshot := filepath.Join(dir, "anykube-discovery.json")
	age(t, snapshot, 2*time.Hour)
	srv.ResetCounts()
	c := newCache(t, srv, dir, time.Hour)
	assert.Equal(t, want, everything(t, c))
	assert.Equal(t, 1, srv.RequestsFor("/api"))
	assert.Equal(t, 1, srv.RequestsFor("/apis"))
	assert.Equal(t, 2, srv.Requests(), "an unchanged server costs two conditional requests")
	assert.True(t, c.Fresh(), "the server vouched for the cache")
	info, err := os.Stat(snapshot)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), info.ModTime(), time.Minute, "revalidation restarts the TTL")

	// A changed server is fetched again and written.
	changed := discoverytest.Generate(discoverytest.Spec{Groups: 4, Versions: 2, Resources: 2})
	srv.SetAPI(changed)
	age(t, snapshot, 2*time.Hour)
	got := everything(t, newCache(t, srv, dir, time.Hour))
	assert.Len(t, got, changed.GroupVersions())
	srv.ResetCounts()
	assert.Equal(t, got, everything(t, newCache(t, srv, dir, time.Hour)))
	assert.Zero(t, srv.Requests())
}

func TestInvalidateRevalidatesWithoutReparsing(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 3})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{})
	defer srv.Close()
	c := newCache(t, srv, t.TempDir(), 0)
	before, err := c.ServerGroups()
	require.NoError(t, err)

	c.Invalidate()
	srv.ResetCounts()
	after, err := c.ServerGroups()
	require.NoError(t, err)
	assert.Equal(t, 2, srv.Requests())
	assert.Same(t, before, after, "a 304 keeps the parsed view: nothing is decoded again")
	assert.True(t, c.Fresh())
}

func TestCorruptFilesAreIgnoredAndRewritten(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 2})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{})
	defer srv.Close()
	dir := t.TempDir()
	want := everything(t, newCache(t, srv, dir, 0))

	for _, name := range []string{"anykube-discovery.json", "servergroups.json", "g000.example.com/v1/serverresources.json"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(`{"kind":"APIGroupList","groups":[{"na`), 0o600))
	}
	srv.ResetCounts()
	assert.Equal(t, want, everything(t, newCache(t, srv, dir, 0)))
	assert.Equal(t, 2, srv.Requests())

	for _, name := range []string{"anykube-discovery.json", "servergroups.json", "g000.example.com/v1/serverresources.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.True(t, json.Valid(data), "%s was rewritten", name)
	}
}

func TestFilesFollowKubectlLayoutAndArePrivate(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 2, Versions: 2})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{})
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "discovery", "host_6443")
	everything(t, newCache(t, srv, dir, 0))

	var groups metav1.APIGroupList
	readJSON(t, filepath.Join(dir, "servergroups.json"), &groups)
	assert.Equal(t, "APIGroupList", groups.Kind)
	assert.Equal(t, "v1", groups.APIVersion)
	assert.Len(t, groups.Groups, 3)

	var core metav1.APIResourceList
	readJSON(t, filepath.Join(dir, "v1", "serverresources.json"), &core)
	assert.Equal(t, "APIResourceList", core.Kind)
	assert.Equal(t, "v1", core.GroupVersion)
	var list metav1.APIResourceList
	readJSON(t, filepath.Join(dir, "g001.example.com", "v2", "serverresources.json"), &list)
	assert.Equal(t, "g001.example.com/v2", list.GroupVersion)
	assert.Equal(t, discovery.CompleteResourceList(api.Resources["/apis/g001.example.com/v2"]).APIResources, list.APIResources)

	require.NoError(t, filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		require.NoError(t, err)
		if info.IsDir() {
			assert.Equal(t, os.FileMode(0o700), info.Mode().Perm(), path)
		} else {
			assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), path)
			assert.NotContains(t, info.Name(), ".tmp-", "no temporary file is left behind")
		}
		return nil
	}))
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v))
}

func TestStartsWarmFromKubectlsFiles(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 2})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{})
	defer srv.Close()
	dir := t.TempDir()

	// What kubectl leaves: the group list and one file per group-version.
	write := func(path string, v any) {
		data, err := json.Marshal(v)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o750))
		require.NoError(t, os.WriteFile(path, data, 0o660))
	}
	groups := metav1.APIGroupList{TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"}}
	groups.Groups = append(groups.Groups, metav1.APIGroup{
		Versions:         []metav1.GroupVersionForDiscovery{{GroupVersion: "v1", Version: "v1"}},
		PreferredVersion: metav1.GroupVersionForDiscovery{GroupVersion: "v1", Version: "v1"},
	})
	groups.Groups = append(groups.Groups, api.Groups.Groups...)
	write(filepath.Join(dir, "servergroups.json"), groups)
	for _, list := range api.Resources {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		require.NoError(t, err)
		p := filepath.Join(dir, gv.Group, gv.Version, "serverresources.json")
		if gv.Group == "" {
			p = filepath.Join(dir, gv.Version, "serverresources.json")
		}
		write(p, list)
	}
	c := newCache(t, srv, dir, 0)
	got := everything(t, c)
	assert.Len(t, got, api.GroupVersions())
	assert.Zero(t, srv.Requests())
	assert.Equal(t, completed(api), got, "kubectl's files hold the legacy shape; answers have the one of every path")
	one, err := c.ServerResourcesForGroupVersion("g000.example.com/v1")
	require.NoError(t, err)
	assert.Equal(t, completed(api)["g000.example.com/v1"], one.APIResources)
}

// completed is what the synthetic server's legacy documents say, in the
// shape discovery answers with on every path.
func completed(api *discoverytest.API) map[string][]metav1.APIResource {
	out := make(map[string][]metav1.APIResource)
	for _, list := range api.Resources {
		out[list.GroupVersion] = discovery.CompleteResourceList(list).APIResources
	}
	return out
}

// TestSnapshotOfAnOlderVersionIsCompleted reads a snapshot file written
// before every path filled Group, Version and subresources' SingularName.
func TestSnapshotOfAnOlderVersionIsCompleted(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 2, Resources: 2})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{})
	defer srv.Close()
	dir := t.TempDir()

	groups := metav1.APIGroupList{Groups: []metav1.APIGroup{{
		Versions:         []metav1.GroupVersionForDiscovery{{GroupVersion: "v1", Version: "v1"}},
		PreferredVersion: metav1.GroupVersionForDiscovery{GroupVersion: "v1", Version: "v1"},
	}}}
	groups.Groups = append(groups.Groups, api.Groups.Groups...)
	var lists []*metav1.APIResourceList
	for _, l := range api.Resources {
		lists = append(lists, l)
	}
	data, err := json.Marshal(map[string]any{"kind": "AnykubeDiscoverySnapshot/v1", "groups": groups, "resources": lists})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "anykube-discovery.json"), data, 0o600))

	got := everything(t, newCache(t, srv, dir, 0))
	assert.Zero(t, srv.Requests(), "the file is within its TTL")
	assert.Equal(t, completed(api), got)
}

func TestStaleVersionsAreNotTrustedFromDisk(t *testing.T) {
	stale := schema.GroupVersion{Group: "g001.example.com", Version: "v1"}
	spec := discoverytest.Spec{Groups: 2, Stale: []schema.GroupVersion{stale}}
	srv := discoverytest.NewServer(discoverytest.Generate(spec), discoverytest.ServerOptions{})
	defer srv.Close()
	dir := t.TempDir()
	_, _, err := newCache(t, srv, dir, 0).ServerGroupsAndResources()
	require.True(t, discovery.IsGroupDiscoveryFailedError(err))

	spec.Stale = nil
	srv.SetAPI(discoverytest.Generate(spec))
	srv.ResetCounts()
	_, lists, err := newCache(t, srv, dir, 0).ServerGroupsAndResources()
	require.NoError(t, err, "the next process asks the server again")
	assert.Len(t, lists, 3)
	// /api is unchanged (304) but /apis changed, so /api is read again.
	assert.Equal(t, 3, srv.Requests())
}

func TestClientsSharingADirectory(t *testing.T) {
	small := discoverytest.Generate(discoverytest.Spec{Groups: 2})
	large := discoverytest.Generate(discoverytest.Spec{Groups: 6, Versions: 2})
	srv := discoverytest.NewServer(small, discoverytest.ServerOptions{})
	defer srv.Close()
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			c := newCache(t, srv, dir, 0)
			for j := range 10 {
				if (i+j)%3 == 0 {
					srv.SetAPI(large)
				} else {
					srv.SetAPI(small)
				}
				c.Invalidate()
				_, _, err := c.ServerGroupsAndResources()
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	require.NoError(t, filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		require.NoError(t, err)
		if !info.IsDir() {
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.True(t, json.Valid(data), "%s is whole", path)
			assert.NotContains(t, info.Name(), ".tmp-")
		}
		return nil
	}))
	// Whatever the last writer left, a new client reads a consistent view.
	srv.SetAPI(small)
	got := everything(t, newCache(t, srv, dir, 0))
	assert.NotEmpty(t, got)
}

func TestCacheDirForHost(t *testing.T) {
	for host, want := range map[string]string{
		"https://127.0.0.1:6443":           "127.0.0.1_6443",
		"http://localhost:8080":            "localhost_8080",
		"my-cluster.example.com:443":       "my_cluster.example.com_443",
		"https://k8s.example.com/prefix/x": "k8s.example.com/prefix/x",
	} {
		assert.Equal(t, filepath.Join("/cache", want), disk.CacheDirForHost("/cache", host), host)
	}
	t.Setenv("KUBECACHEDIR", "/somewhere")
	dir, err := disk.DefaultDiscoveryCacheDir("https://127.0.0.1:6443")
	require.NoError(t, err)
	assert.Equal(t, "/somewhere/discovery/127.0.0.1_6443", dir)
}

func TestEmptyDirectoryKeepsNothingOnDisk(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 2})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{})
	defer srv.Close()
	d, err := discovery.NewDiscoveryClientForConfig(&anykube.Config{Host: srv.URL})
	require.NoError(t, err)
	wd := t.TempDir()
	t.Chdir(wd)
	c := disk.NewCachedDiscoveryClient(d, "", 0)
	assert.Len(t, everything(t, c), api.GroupVersions())
	everything(t, c)
	assert.Equal(t, 2, srv.Requests(), "still a memory cache")
	entries, err := os.ReadDir(wd)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

// emptyAPI is what a server starting up, or a broken proxy, may answer:
// valid discovery documents that list no group at all.
func emptyAPI() *discoverytest.API {
	listKind := metav1.TypeMeta{Kind: "APIGroupDiscoveryList", APIVersion: "apidiscovery.k8s.io/v2"}
	api := &discoverytest.API{Resources: map[string]*metav1.APIResourceList{}}
	api.Core.TypeMeta, api.Aggregated.TypeMeta = listKind, listKind
	api.Versions.TypeMeta = metav1.TypeMeta{Kind: "APIVersions"}
	api.Groups.TypeMeta = metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"}
	return api
}

// An empty answer must not be written for the next process to trust for
// the whole TTL: the next cache instance asks again and gets the healthy
// view.
func TestEmptyAnswerIsNeitherWrittenNorTrusted(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		healthy := discoverytest.Generate(discoverytest.Spec{Groups: 2})
		srv := discoverytest.NewServer(emptyAPI(), discoverytest.ServerOptions{DisableAggregated: legacy})
		dir := t.TempDir()

		groups, err := newCache(t, srv, dir, 0).ServerGroups()
		require.NoError(t, err)
		assert.Empty(t, groups.Groups)
		_, err = os.Stat(filepath.Join(dir, "anykube-discovery.json"))
		assert.ErrorIs(t, err, os.ErrNotExist, "an empty view is not written (legacy=%v)", legacy)

		srv.SetAPI(healthy)
		srv.ResetCounts()
		second := newCache(t, srv, dir, 0)
		assert.Len(t, everything(t, second), healthy.GroupVersions(), "legacy=%v", legacy)
		assert.Positive(t, srv.Requests())
		assert.True(t, second.Fresh())
		srv.Close()
	}
}

// A snapshot with no groups on disk (written by an older version, or by
// hand) is ignored like a corrupt one.
func TestEmptySnapshotOnDiskIsIgnored(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 2})
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{})
	defer srv.Close()
	dir := t.TempDir()
	want := everything(t, newCache(t, srv, dir, 0))

	snapshot := filepath.Join(dir, "anykube-discovery.json")
	data, err := os.ReadFile(snapshot)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	doc["groups"] = map[string]any{"groups": []any{}}
	delete(doc, "resources")
	data, err = json.Marshal(doc)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(snapshot, data, 0o600))
	// Without kubectl's group file, which would answer in its place.
	require.NoError(t, os.Remove(filepath.Join(dir, "servergroups.json")))

	srv.ResetCounts()
	c := newCache(t, srv, dir, 0)
	assert.Equal(t, want, everything(t, c))
	assert.Positive(t, srv.Requests(), "the empty snapshot is not an answer")
}
