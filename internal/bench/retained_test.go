package bench

import (
	"runtime"
	"testing"

	cgdiscovery "k8s.io/client-go/discovery"
	cgmemory "k8s.io/client-go/discovery/cached/memory"
	cgrestmapper "k8s.io/client-go/restmapper"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/restmapper"
)

// liveHeap returns the heap in use after garbage collection: two cycles, so
// that objects freed by finalizers of the first are gone too.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkRetainedHeap is what a program keeps for knowing a server of
// 2000 group-versions: a discovery client, its memory cache, filled, and a
// deferred RESTMapper, loaded. retained-B is the live heap they hold, from
// before they were built to after, both measured after GC; the HTTP client
// and its connections exist before and are not counted. It runs on each
// of StoredShapes.
func BenchmarkRetainedHeap(b *testing.B) {
	b.Run("gvs-2000", func(b *testing.B) {
		for _, shape := range StoredShapes() {
			b.Run(shape.Name, func(b *testing.B) { retainedHeap(b, shape) })
		}
	})
}

func retainedHeap(b *testing.B, shape DiscoveryShape) {
	srv := shape.Server()
	defer srv.Close()
	s := newSides(srv.URL, "", nil)
	akHC, cgHC := s.akHTTP(b), s.cgHTTP(b)

	retained := func(b *testing.B, build func() any) {
		var sum uint64
		for b.Loop() {
			before := liveHeap()
			kept := build()
			after := liveHeap()
			runtime.KeepAlive(kept)
			if after > before {
				sum += after - before
			}
		}
		b.ReportMetric(float64(sum)/float64(b.N), "retained-B")
	}
	b.Run("anykube", func(b *testing.B) {
		retained(b, func() any {
			d, err := discovery.NewDiscoveryClientForConfigAndClient(s.ak, akHC)
			if err != nil {
				b.Fatal(err)
			}
			c := memory.NewMemCacheClient(d)
			if _, _, err := c.ServerGroupsAndResources(); err != nil {
				b.Fatal(err)
			}
			m := restmapper.NewDeferredDiscoveryRESTMapper(c)
			if _, err := m.RESTMapping(deploymentKind); err != nil {
				b.Fatal(err)
			}
			return []any{c, m}
		})
	})
	b.Run("clientgo", func(b *testing.B) {
		retained(b, func() any {
			d, err := cgdiscovery.NewDiscoveryClientForConfigAndClient(s.cg, cgHC)
			if err != nil {
				b.Fatal(err)
			}
			c := cgmemory.NewMemCacheClient(d)
			if _, _, err := c.ServerGroupsAndResources(); err != nil {
				b.Fatal(err)
			}
			m := cgrestmapper.NewDeferredDiscoveryRESTMapper(c)
			if _, err := m.RESTMapping(deploymentKind); err != nil {
				b.Fatal(err)
			}
			return []any{c, m}
		})
	})
}
