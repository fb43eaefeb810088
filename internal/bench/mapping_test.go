package bench

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	cgdiscovery "k8s.io/client-go/discovery"
	cgmemory "k8s.io/client-go/discovery/cached/memory"
	cgrestmapper "k8s.io/client-go/restmapper"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/discovery/discoverytest"
	"github.com/anykube/anykube/restmapper"
)

// loadedMappers returns each library's deferred RESTMapper over a memory
// cache of the 2000 group-version server, loaded, after checking that both
// answer every MappingKeys question the same way.
func loadedMappers(b testing.TB) (ak, cg meta.RESTMapper, keys []MappingKey) {
	srv := discoverytest.NewServer(API2000(), discoverytest.ServerOptions{})
	b.Cleanup(srv.Close)
	s := newSides(srv.URL, "", nil)
	akD, err := discovery.NewDiscoveryClientForConfigAndClient(s.ak, s.akHTTP(b))
	if err != nil {
		b.Fatal(err)
	}
	cgD, err := cgdiscovery.NewDiscoveryClientForConfigAndClient(s.cg, s.cgHTTP(b))
	if err != nil {
		b.Fatal(err)
	}
	ak = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(akD))
	cg = cgrestmapper.NewDeferredDiscoveryRESTMapper(cgmemory.NewMemCacheClient(cgD))
	keys = MappingKeys()
	for _, k := range keys {
		am, err := ak.RESTMapping(k.Kind)
		if err != nil {
			b.Fatalf("anykube: %v", err)
		}
		cm, err := cg.RESTMapping(k.Kind)
		if err != nil {
			b.Fatalf("client-go: %v", err)
		}
		if am.Resource != cm.Resource || am.GroupVersionKind != cm.GroupVersionKind || am.Scope.Name() != cm.Scope.Name() {
			b.Fatalf("RESTMapping(%v): anykube %v %v %s, client-go %v %v %s", k.Kind,
				am.Resource, am.GroupVersionKind, am.Scope.Name(), cm.Resource, cm.GroupVersionKind, cm.Scope.Name())
		}
		ag, err := ak.KindFor(k.Resource)
		if err != nil {
			b.Fatalf("anykube: %v", err)
		}
		cgk, err := cg.KindFor(k.Resource)
		if err != nil {
			b.Fatalf("client-go: %v", err)
		}
		if ag != cgk || ag.GroupKind() != k.Kind {
			b.Fatalf("KindFor(%v): anykube %v, client-go %v, want kind %v", k.Resource, ag, cgk, k.Kind)
		}
	}
	return ak, cg, keys
}

// BenchmarkRESTMappingHit is one RESTMapping that hits in a loaded deferred
// mapper of 2000 group-versions.
func BenchmarkRESTMappingHit(b *testing.B) {
	b.Run("gvs-2000", func(b *testing.B) {
		ak, cg, keys := loadedMappers(b)
		for _, c := range []struct {
			name string
			m    meta.RESTMapper
		}{{"anykube", ak}, {"clientgo", cg}} {
			i := 0
			side(b, c.name, nil, false, func(b *testing.B) {
				if _, err := c.m.RESTMapping(keys[i%len(keys)].Kind); err != nil {
					b.Fatal(err)
				}
				i++
			})
		}
	})
}

// BenchmarkKindForHit is one KindFor of a partial resource (group and
// plural, no version) that hits in a loaded deferred mapper of 2000
// group-versions.
func BenchmarkKindForHit(b *testing.B) {
	b.Run("gvs-2000", func(b *testing.B) {
		ak, cg, keys := loadedMappers(b)
		for _, c := range []struct {
			name string
			m    meta.RESTMapper
		}{{"anykube", ak}, {"clientgo", cg}} {
			i := 0
			side(b, c.name, nil, false, func(b *testing.B) {
				if _, err := c.m.KindFor(keys[i%len(keys)].Resource); err != nil {
					b.Fatal(err)
				}
				i++
			})
		}
	})
}

// TestMappingsAgree checks that both libraries' loaded mappers answer the
// benchmarks' questions alike.
func TestMappingsAgree(t *testing.T) {
	loadedMappers(t)
}
