package bench

import (
	"net/http"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	cgdiscovery "k8s.io/client-go/discovery"
	cgmemory "k8s.io/client-go/discovery/cached/memory"
	cgrestmapper "k8s.io/client-go/restmapper"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/discovery/discoverytest"
	"github.com/anykube/anykube/restmapper"
)

var deploymentKind = schema.GroupKind{Group: "apps", Kind: "Deployment"}

// akDiscover and cgDiscover are one cold discovery: a new client on hc,
// every group and resource.
func akDiscover(b testing.TB, s *sides, hc *http.Client) []*metav1.APIResourceList {
	d, err := discovery.NewDiscoveryClientForConfigAndClient(s.ak, hc)
	if err != nil {
		b.Fatal(err)
	}
	_, lists, err := d.ServerGroupsAndResources()
	if err != nil {
		b.Fatal(err)
	}
	return lists
}

func cgDiscover(b testing.TB, s *sides, hc *http.Client) []*metav1.APIResourceList {
	d, err := cgdiscovery.NewDiscoveryClientForConfigAndClient(s.cg, hc)
	if err != nil {
		b.Fatal(err)
	}
	_, lists, err := d.ServerGroupsAndResources()
	if err != nil {
		b.Fatal(err)
	}
	return lists
}

// BenchmarkDiscoveryColdAggregated is cold aggregated discovery of the real
// API server with 300 CRDs: two requests and their decoding.
func BenchmarkDiscoveryColdAggregated(b *testing.B) {
	b.Run("crds-300", func(b *testing.B) {
		c := clusterWithCRDs(b)
		s := newSides(c.host, c.token, c.caData)
		akHC, cgHC := s.akHTTP(b), s.cgHTTP(b)
		sameResources(b, akDiscover(b, s, akHC), cgDiscover(b, s, cgHC), CRDGroups*CRDKindsPerGroup)

		side(b, "anykube", s.akCount, false, func(b *testing.B) { akDiscover(b, s, akHC) })
		side(b, "clientgo", s.cgCount, false, func(b *testing.B) { cgDiscover(b, s, cgHC) })
	})
}

// BenchmarkDiscoveryAndFirstMapping is what a short-lived program does
// first: cold aggregated discovery of a server with 2000 group-versions
// through a memory cache and a deferred RESTMapper, and one mapping, on
// each of DiscoveryShapes.
func BenchmarkDiscoveryAndFirstMapping(b *testing.B) {
	deferred := func(d *discovery.DiscoveryClient) meta.RESTMapper {
		return restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(d))
	}
	b.Run("gvs-2000", func(b *testing.B) {
		for _, shape := range DiscoveryShapes() {
			b.Run(shape.Name, func(b *testing.B) { discoveryAndFirstMapping(b, shape, deferred) })
		}
	})

	// The same job done with anykube's lazy mapper, which keeps only the
	// group asked about; client-go has no such mapper, so its half is the
	// deferred one again.
	b.Run("gvs-2000-lazy", func(b *testing.B) {
		discoveryAndFirstMapping(b, DiscoveryShape{Name: "dense-sized"}, func(d *discovery.DiscoveryClient) meta.RESTMapper {
			return restmapper.NewLazyRESTMapper(d, restmapper.LazyOptions{})
		})
	})
}

// discoveryAndFirstMapping runs one case of BenchmarkDiscoveryAndFirstMapping
// on shape: anykube's half maps with the mapper akMapper builds over a new
// discovery client, client-go's with its deferred mapper over a memory
// cache.
func discoveryAndFirstMapping(b *testing.B, shape DiscoveryShape, akMapper func(*discovery.DiscoveryClient) meta.RESTMapper) {
	srv := shape.Server()
	defer srv.Close()
	s := newSides(srv.URL, "", nil)
	akHC, cgHC := s.akHTTP(b), s.cgHTTP(b)
	sameResources(b, akDiscover(b, s, akHC), cgDiscover(b, s, cgHC), MappingGroupVersions)

	akOp := func(b *testing.B) schema.GroupVersionResource {
		d, err := discovery.NewDiscoveryClientForConfigAndClient(s.ak, akHC)
		if err != nil {
			b.Fatal(err)
		}
		m, err := akMapper(d).RESTMapping(deploymentKind)
		if err != nil {
			b.Fatal(err)
		}
		return m.Resource
	}
	cgOp := func(b *testing.B) schema.GroupVersionResource {
		d, err := cgdiscovery.NewDiscoveryClientForConfigAndClient(s.cg, cgHC)
		if err != nil {
			b.Fatal(err)
		}
		m, err := cgrestmapper.NewDeferredDiscoveryRESTMapper(cgmemory.NewMemCacheClient(d)).RESTMapping(deploymentKind)
		if err != nil {
			b.Fatal(err)
		}
		return m.Resource
	}
	if a, c := akOp(b), cgOp(b); a != c {
		b.Fatalf("anykube maps %v to %v, client-go to %v", deploymentKind, a, c)
	}

	side(b, "anykube", s.akCount, false, func(b *testing.B) { akOp(b) })
	side(b, "clientgo", s.cgCount, false, func(b *testing.B) { cgOp(b) })
}

// legacyLatency is what the legacy discovery server waits before each
// response, as a remote API server's round trip would.
const legacyLatency = 2 * time.Millisecond

// BenchmarkDiscoveryLegacy is discovery of a server without aggregated
// discovery, 501 group-versions, one request each. "defaults" keeps each
// library's default settings, so client-go's client-side limiter (5 QPS
// after a burst of 300) paces it; "unthrottled" turns that limiter off.
// max-open is the most requests open at once: client-go fetches every
// group-version at once, anykube at most discovery.DefaultParallelism.
func BenchmarkDiscoveryLegacy(b *testing.B) {
	b.Run("gvs-500", func(b *testing.B) {
		dense := discoverytest.NewServer(Legacy500(), discoverytest.ServerOptions{Latency: legacyLatency, DisableAggregated: true})
		defer dense.Close()
		sparse := discoverytest.NewServer(LegacySparse500(), discoverytest.ServerOptions{Latency: legacyLatency, DisableAggregated: true})
		defer sparse.Close()
		for _, c := range []struct {
			name string
			s    *sides
		}{
			{"defaults", newSides(dense.URL, "", nil).withDefaults()},
			{"unthrottled/dense", newSides(dense.URL, "", nil)},
			{"unthrottled/sparse", newSides(sparse.URL, "", nil)},
		} {
			b.Run(c.name, func(b *testing.B) {
				s := c.s
				akHC, cgHC := s.akHTTP(b), s.cgHTTP(b)
				want := countResources(akDiscover(b, s, akHC))
				if want == 0 {
					b.Fatal("anykube discovered nothing")
				}
				side(b, "anykube", s.akCount, true, func(b *testing.B) {
					if n := countResources(akDiscover(b, s, akHC)); n != want {
						b.Fatalf("%d resources, want %d", n, want)
					}
				})
				side(b, "clientgo", s.cgCount, true, func(b *testing.B) {
					if n := countResources(cgDiscover(b, s, cgHC)); n != want {
						b.Fatalf("%d resources, want %d", n, want)
					}
				})
			})
		}
	})
}

// TestDiscoveryAgrees checks that both libraries discover the same
// resources from the benchmarks' aggregated and legacy servers.
func TestDiscoveryAgrees(t *testing.T) {
	for _, c := range []struct {
		name string
		api  *discoverytest.API
		opts discoverytest.ServerOptions
	}{
		{"aggregated-2000", API2000(), discoverytest.ServerOptions{}},
		{"legacy-500", Legacy500(), discoverytest.ServerOptions{DisableAggregated: true}},
		{"legacy-sparse-500", LegacySparse500(), discoverytest.ServerOptions{DisableAggregated: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := discoverytest.NewServer(c.api, c.opts)
			defer srv.Close()
			s := newSides(srv.URL, "", nil)
			sameResources(t, akDiscover(t, s, s.akHTTP(t)), cgDiscover(t, s, s.cgHTTP(t)), c.api.GroupVersions())
		})
	}
}
