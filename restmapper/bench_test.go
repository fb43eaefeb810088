package restmapper_test

import (
	"fmt"
	"runtime"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/restmapper/restmappertest"
)

// The benchmarks compare our mappers with apimachinery's composition as
// client-go's NewDiscoveryRESTMapper builds it (reference_test.go), on the
// same generated discovery results. The side-by-side with client-go's own
// packages lives in a nested module.

var benchSizes = []int{50, 500, 2000}

type benchMapper struct {
	name string
	new  func(groups []*restmapper.APIGroupResources) meta.RESTMapper
}

var benchMappers = []benchMapper{
	{"anykube", func(g []*restmapper.APIGroupResources) meta.RESTMapper { return restmapper.NewDiscoveryRESTMapper(g) }},
	{"anykube-deferred", func(g []*restmapper.APIGroupResources) meta.RESTMapper {
		m := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(fakeFor(g)))
		if _, err := m.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deployment"}); err != nil {
			panic(err)
		}
		return m
	}},
	{"apimachinery", referenceMapper},
}

// lastThing names the unique kind of the last generated group: a hit that
// client-go's composition finds only at the end of its walk.
func lastThing(groups []*restmapper.APIGroupResources) (schema.GroupKind, schema.GroupVersionResource) {
	last := groups[len(groups)-1]
	v := last.Group.PreferredVersion.Version
	r := last.VersionedResources[v][0]
	return schema.GroupKind{Group: last.Group.Name, Kind: r.Kind},
		schema.GroupVersionResource{Group: last.Group.Name, Version: v, Resource: r.Name}
}

func BenchmarkRESTMapping(b *testing.B) {
	for _, n := range benchSizes {
		groups := restmappertest.GroupResources(n)
		gk, _ := lastThing(groups)
		for _, bm := range benchMappers {
			m := bm.new(groups)
			b.Run(fmt.Sprintf("gvs=%d/%s", n, bm.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := m.RESTMapping(gk); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkKindFor(b *testing.B) {
	for _, n := range benchSizes {
		groups := restmappertest.GroupResources(n)
		_, gvr := lastThing(groups)
		for _, bm := range benchMappers {
			m := bm.new(groups)
			b.Run(fmt.Sprintf("gvs=%d/%s", n, bm.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := m.KindFor(gvr); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkKindForName asks for a bare resource name that several groups
// serve ("widgets"), the question kubectl-style callers ask.
func BenchmarkKindForName(b *testing.B) {
	for _, n := range benchSizes {
		groups := restmappertest.GroupResources(n)
		for _, bm := range benchMappers {
			m := bm.new(groups)
			b.Run(fmt.Sprintf("gvs=%d/%s", n, bm.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := m.KindFor(schema.GroupVersionResource{Resource: "Deployments"}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkBuild measures building a mapper from a discovery result, and
// reports the heap the mapper keeps (retained-B/op, measured once after a
// collection) besides what building allocates.
func BenchmarkBuild(b *testing.B) {
	builders := []benchMapper{benchMappers[0], benchMappers[2]}
	for _, n := range benchSizes {
		groups := restmappertest.GroupResources(n)
		for _, bm := range builders {
			b.Run(fmt.Sprintf("gvs=%d/%s", n, bm.name), func(b *testing.B) {
				b.ReportAllocs()
				var m meta.RESTMapper
				for b.Loop() {
					m = bm.new(groups)
				}
				runtime.KeepAlive(m)
				b.ReportMetric(float64(retained(func() any { return bm.new(groups) })), "retained-B")
			})
		}
	}
}

// retained returns how much heap the value build returns keeps alive.
func retained(build func() any) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}
