package bench

import (
	"context"
	"runtime"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	cgdynamic "k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/informers"
	cgmetadata "k8s.io/client-go/metadata"
	cgmetadatainformer "k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/informer"
	"github.com/anykube/anykube/dynamic/lister"
	"github.com/anykube/anykube/dynamic/metadata"
	"github.com/anykube/anykube/dynamic/metadata/metadatainformer"
)

var configMapsGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

// syncTimeout bounds one informer's initial sync, so that a stuck watch
// fails the benchmark instead of waiting for the test binary's timeout.
const syncTimeout = 2 * time.Minute

// BenchmarkInformerSync starts each library's dynamic shared informer
// factory on the ConfigMaps of InformerNamespace (10,000 of them, on the
// real control plane) and waits for the cache to sync. ns/op, B/op and
// cpu-ns/op cover making the factory, starting it and waiting; retained-B
// is the live heap the running, synced factory holds, measured after GC
// before the factory is made and after it has synced. The dynamic clients
// and their connections exist beforehand and are not counted; stopping the
// factory is not timed.
//
// anykube's informers drop metadata.managedFields by default and
// client-go's keep them, so configmaps-10k compares the two defaults, and
// configmaps-10k-keep, for reference, has anykube keep objects whole.
//
// metadata-configmaps-10k does the same with each library's metadata
// informer factory on the metadata view of the same ConfigMaps.
func BenchmarkInformerSync(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts informer.Options
	}{
		{"configmaps-10k", informer.Options{}},
		{"configmaps-10k-keep", informer.Options{Transform: informer.KeepEverything}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := clusterWithConfigMaps(b)
			s := newSides(c.host, c.token, c.caData)
			ak, err := dynamic.NewForConfigAndClient(s.ak, s.akHTTP(b))
			if err != nil {
				b.Fatal(err)
			}
			cg, err := cgdynamic.NewForConfigAndClient(s.cg, s.cgHTTP(b))
			if err != nil {
				b.Fatal(err)
			}
			syncSide(b, "anykube", func(b *testing.B) (any, func() int, func()) {
				// With zero opts this is the factory
				// NewFilteredSharedInformerFactory makes.
				return akSync(b, informer.NewSharedInformerFactoryWithOptions(ak, informer.FactoryOptions{Namespace: InformerNamespace, Informer: bc.opts}))
			})
			syncSide(b, "clientgo", func(b *testing.B) (any, func() int, func()) {
				return cgSync(b, dynamicinformer.NewFilteredDynamicSharedInformerFactory(cg, 0, InformerNamespace, nil))
			})
		})
	}
	// The same ConfigMaps as the metadata view, through each library's
	// metadata informer factory, whose point is a small heap. anykube's
	// drops managedFields and shares repeated strings and label sets by
	// default; client-go's keeps objects as decoded.
	// -paged, for reference, has anykube's read the state by paged lists
	// (through the metadata client's list decoder) rather than a streaming
	// list (through its watch decoder).
	for _, mc := range []struct {
		name string
		mode informer.ListMode
	}{
		{"metadata-configmaps-10k", informer.ListModeAuto},
		{"metadata-configmaps-10k-paged", informer.ListModePaged},
	} {
		b.Run(mc.name, func(b *testing.B) {
			c := clusterWithConfigMaps(b)
			s := newSides(c.host, c.token, c.caData)
			ak, err := metadata.NewForConfigAndClient(s.ak, s.akHTTP(b))
			if err != nil {
				b.Fatal(err)
			}
			cg, err := cgmetadata.NewForConfigAndClient(s.cg, s.cgHTTP(b))
			if err != nil {
				b.Fatal(err)
			}
			syncSide(b, "anykube", func(b *testing.B) (any, func() int, func()) {
				return akSync(b, metadatainformer.NewSharedInformerFactoryWithOptions(ak, metadatainformer.FactoryOptions{
					Namespace: InformerNamespace,
					Informer:  metadatainformer.Options{ListMode: mc.mode},
				}))
			})
			syncSide(b, "clientgo", func(b *testing.B) (any, func() int, func()) {
				return cgSync(b, cgmetadatainformer.NewFilteredSharedInformerFactory(cg, 0, InformerNamespace, nil))
			})
		})
	}
}

// syncSide runs one library's half of BenchmarkInformerSync: start returns
// the synced factory, a count of its cached objects and how to stop it.
func syncSide(b *testing.B, name string, start func(b *testing.B) (kept any, cached func() int, stop func())) {
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		var retained uint64
		var cpu int64
		for b.Loop() {
			b.StopTimer()
			before := liveHeap()
			b.StartTimer()
			c0 := cpuTime()
			kept, cached, stop := start(b)
			cpu += cpuTime() - c0
			b.StopTimer()
			after := liveHeap()
			runtime.KeepAlive(kept)
			n := cached()
			stop()
			if n != InformerConfigMaps {
				b.Fatalf("%s cached %d ConfigMaps, want %d", name, n, InformerConfigMaps)
			}
			if after > before {
				retained += after - before
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(retained)/float64(b.N), "retained-B")
		if cpu > 0 {
			b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
		}
	})
}

// akSync starts f, an anykube factory (dynamic or metadata) scoped to
// InformerNamespace, with the ConfigMaps' informer, and waits until it has
// synced.
func akSync[T lister.Object](b *testing.B, f *informer.SharedInformerFactoryOf[T]) (any, func() int, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	inf := f.ForResource(configMapsGVR).Informer()
	f.Start(ctx)
	wctx, wcancel := context.WithTimeout(ctx, syncTimeout)
	defer wcancel()
	for key, ok := range f.WaitForCacheSync(wctx) {
		if !ok {
			cancel()
			f.Shutdown()
			b.Fatalf("anykube informer %v not synced: %v", key, inf.Status())
		}
	}
	return f, func() int { return inf.GetIndexer().Len() }, func() { cancel(); f.Shutdown() }
}

// cgFactory is what client-go's dynamic and metadata informer factories
// have in common.
type cgFactory interface {
	ForResource(schema.GroupVersionResource) informers.GenericInformer
	Start(stopCh <-chan struct{})
	Shutdown()
}

// cgSync does what akSync does with a client-go factory.
func cgSync(b *testing.B, f cgFactory) (any, func() int, func()) {
	ctx, cancel := context.WithTimeout(context.Background(), syncTimeout)
	inf := f.ForResource(configMapsGVR).Informer()
	f.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		cancel()
		f.Shutdown()
		b.Fatal("client-go informer not synced")
	}
	return f, func() int { return len(inf.GetStore().ListKeys()) }, func() { cancel(); f.Shutdown() }
}
