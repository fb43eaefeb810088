package discovery_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/disk"
	"github.com/anykube/anykube/discovery/discoverytest"
	"github.com/anykube/anykube/internal/e2e"
)

// legacy500 is the legacy benchmark's server: 499 groups of one version
// plus core v1, 500 group-versions of 5 resources each.
var legacy500 = discoverytest.Spec{Groups: 499, Versions: 1, Resources: 5}

func benchServerGroupsAndResources(b *testing.B, newClient func() discovery.DiscoveryInterface, wantRequests int, srv *discoverytest.Server) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		if srv != nil {
			srv.ResetCounts()
		}
		_, lists, err := newClient().ServerGroupsAndResources()
		if err != nil {
			b.Fatal(err)
		}
		if len(lists) == 0 {
			b.Fatal("no resources")
		}
		if srv != nil && srv.Requests() != wantRequests {
			b.Fatalf("%d requests, want %d", srv.Requests(), wantRequests)
		}
	}
}

// BenchmarkLegacy500GroupVersions is legacy discovery of 500
// group-versions from a server that takes 2ms per response.
func BenchmarkLegacy500GroupVersions(b *testing.B) {
	api := discoverytest.Generate(legacy500)
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{Latency: 2 * time.Millisecond, DisableAggregated: true})
	defer srv.Close()
	cfg := &anykube.Config{Host: srv.URL}
	benchServerGroupsAndResources(b, func() discovery.DiscoveryInterface {
		d, err := discovery.NewDiscoveryClientForConfig(cfg)
		require.NoError(b, err)
		return d
	}, 2+api.GroupVersions(), srv)
}

// BenchmarkAggregated500GroupVersions is the same server's view through
// aggregated discovery: two requests.
func BenchmarkAggregated500GroupVersions(b *testing.B) {
	api := discoverytest.Generate(legacy500)
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{Latency: 2 * time.Millisecond})
	defer srv.Close()
	cfg := &anykube.Config{Host: srv.URL}
	benchServerGroupsAndResources(b, func() discovery.DiscoveryInterface {
		d, err := discovery.NewDiscoveryClientForConfig(cfg)
		require.NoError(b, err)
		return d
	}, 2, srv)
}

// BenchmarkDiskWarmStart500GroupVersions starts a new disk-cached client on
// a filled cache directory and reads everything: no request.
func BenchmarkDiskWarmStart500GroupVersions(b *testing.B) {
	api := discoverytest.Generate(legacy500)
	srv := discoverytest.NewServer(api, discoverytest.ServerOptions{Latency: 2 * time.Millisecond})
	defer srv.Close()
	cfg := &anykube.Config{Host: srv.URL}
	dir := b.TempDir()
	fill, err := disk.NewCachedDiscoveryClientForConfig(cfg, dir, "", 0)
	require.NoError(b, err)
	_, _, err = fill.ServerGroupsAndResources()
	require.NoError(b, err)
	benchServerGroupsAndResources(b, func() discovery.DiscoveryInterface {
		c, err := disk.NewCachedDiscoveryClientForConfig(cfg, dir, "", 0)
		require.NoError(b, err)
		return c
	}, 0, srv)
}

// BenchmarkE2EAggregatedCold is cold aggregated discovery of the real API
// server with 50 CRDs: a new client each time, two requests.
func BenchmarkE2EAggregatedCold(b *testing.B) {
	c := clusterWithCRDs(b)
	rt := &e2e.Counter{}
	cfg := e2e.Config(c, rt)
	b.ReportAllocs()
	for b.Loop() {
		rt.Take()
		d, err := discovery.NewDiscoveryClientForConfig(cfg)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := d.ServerGroupsAndResources(); err != nil {
			b.Fatal(err)
		}
		if n := rt.Count(); n != 2 {
			b.Fatalf("%d requests, want 2", n)
		}
	}
}

// BenchmarkE2ELegacyCold is the same through the legacy path.
func BenchmarkE2ELegacyCold(b *testing.B) {
	c := clusterWithCRDs(b)
	cfg := e2e.Config(c, &e2e.Counter{LegacyOnly: true})
	b.ReportAllocs()
	for b.Loop() {
		d, err := discovery.NewDiscoveryClientForConfig(cfg)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := d.ServerGroupsAndResources(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkE2EDiskWarmStart starts a new disk-cached client on a cache of
// the real server with 50 CRDs: no request.
func BenchmarkE2EDiskWarmStart(b *testing.B) {
	c := clusterWithCRDs(b)
	rt := &e2e.Counter{}
	cfg := e2e.Config(c, rt)
	dir := b.TempDir()
	fill, err := disk.NewCachedDiscoveryClientForConfig(cfg, dir, "", 0)
	require.NoError(b, err)
	_, _, err = fill.ServerGroupsAndResources()
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		rt.Take()
		d, err := disk.NewCachedDiscoveryClientForConfig(cfg, dir, "", 0)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := d.ServerGroupsAndResources(); err != nil {
			b.Fatal(err)
		}
		if n := rt.Count(); n != 0 {
			b.Fatalf("%d requests, want 0", n)
		}
	}
}
