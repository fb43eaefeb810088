package informer

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/internal/testcluster"
)

// benchNamespace holds the benchmark's 10,000 ConfigMaps; populated once
// per cluster.
const (
	benchNamespace = "informer-bench-10k"
	benchObjects   = 10000
)

// BenchmarkInformerSync10k starts an informer on 10,000 ConfigMaps of one
// namespace of the real control plane and waits for its cache to sync.
// It reports sync-ms, the time from New to synced, and retained-B, the
// live heap the running, synced informer holds: measured after GC before
// New and after sync, with the dynamic client and its connections made
// beforehand and not counted.
func BenchmarkInformerSync10k(b *testing.B) {
	if testing.Short() {
		b.Skip("benchmark against a real API server")
	}
	c := testcluster.Shared(b)
	hc, err := c.HTTPClient()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	start := time.Now()
	if err := populateConfigMaps(ctx, hc, c.Host, benchNamespace, benchObjects); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d ConfigMaps in place after %s", benchObjects, time.Since(start).Round(time.Millisecond))

	for _, bc := range []struct {
		name string
		opts Options
	}{
		{"streaming", Options{}},
		{"paged", Options{ListMode: ListModePaged}},
		{"keep-managedFields", Options{Transform: KeepEverything}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			dc, _ := e2eClient(b, c)
			var retained uint64
			var sync time.Duration
			for b.Loop() {
				o := bc.opts
				o.Namespace = benchNamespace
				before := liveHeap()
				t0 := time.Now()
				inf, n := syncInformer(b, dc, &o)
				sync += time.Since(t0)
				after := liveHeap()
				if n != benchObjects {
					b.Fatalf("cached %d objects, want %d", n, benchObjects)
				}
				if after > before {
					retained += after - before
				}
				runtime.KeepAlive(inf)
				inf.stop()
			}
			b.ReportMetric(float64(retained)/float64(b.N), "retained-B")
			b.ReportMetric(float64(sync.Milliseconds())/float64(b.N), "sync-ms")
		})
	}
}

// running is an informer started by syncInformer.
type running struct {
	inf    *Informer
	cancel context.CancelFunc
}

func (r *running) stop() {
	r.cancel()
	<-r.inf.Done()
}

// syncInformer starts an informer for ConfigMaps with opts and waits until
// it has synced, returning it running and how many objects it cached.
func syncInformer(b *testing.B, dc dynamic.Interface, opts *Options) (*running, int) {
	inf, err := New(dc, cmGVR, opts)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go inf.Run(ctx)
	wctx, wcancel := context.WithTimeout(ctx, 2*time.Minute)
	defer wcancel()
	if !inf.WaitForCacheSync(wctx) {
		cancel()
		b.Fatalf("not synced: %v", inf.Status())
	}
	return &running{inf: inf, cancel: cancel}, inf.GetIndexer().Len()
}
