package bench

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/internal/codec/codectest"
)

// PeakListConfigMaps is the size of the list whose peak memory
// ListPeakMemory measures: about 200 MiB of JSON.
const PeakListConfigMaps = 150000

// heapObjects is the runtime metric sampled for peak memory: the bytes of
// heap objects, reachable or not yet swept. Garbage counts because it is
// what the process holds until the collector runs; reading it does not
// stop the world, unlike runtime.ReadMemStats.
const heapObjects = "/memory/classes/heap/objects:bytes"

// peakSampler records the highest heapObjects value seen while it runs.
type peakSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

// samplePeak starts sampling every interval; Stop returns the peak.
func samplePeak(interval time.Duration) *peakSampler {
	p := &peakSampler{stop: make(chan struct{})}
	p.done.Go(func() {
		s := []metrics.Sample{{Name: heapObjects}}
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			metrics.Read(s)
			p.peak = max(p.peak, s[0].Value.Uint64())
			select {
			case <-p.stop:
				metrics.Read(s)
				p.peak = max(p.peak, s[0].Value.Uint64())
				return
			case <-t.C:
			}
		}
	})
	return p
}

func (p *peakSampler) Stop() uint64 {
	close(p.stop)
	p.done.Wait()
	return p.peak
}

// heapAfterGC is heapObjects after a collection: the baseline a peak is
// measured from.
func heapAfterGC() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: heapObjects}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// BenchmarkListPeakMemory is a dynamic List of a 200 MiB ConfigMapList
// through each library's full client path, as DecodeList, measuring the
// heap's high-water mark during the op (sampled every millisecond) above
// the heap after a collection just before it: peak-heap-B, and
// peak-x-body, that peak as a multiple of the body. result-B is the live
// heap the returned list holds (after a collection, the list still
// referenced), the part of the peak no reader can avoid. The server's copy
// of the body is in the baseline. Each op takes seconds (client-go's about
// eight on 2 cores), so the benchmark runs one op per round.
func BenchmarkListPeakMemory(b *testing.B) {
	b.Run("configmaps-200MiB", func(b *testing.B) {
		body := codectest.ConfigMapList(PeakListConfigMaps)
		gvr := schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
		ak, cg := dynamicClients(b, bodyServer(b, "/api/v1/configmaps", body, false).URL)
		ctx := context.Background()
		// Like sideBytes, with the peak measured around each op.
		measure := func(name string, list func() (any, int, error)) {
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(body)))
				var peakSum, liveSum uint64
				start := cpuTime()
				// The collection before each op is timed too: ns/op is
				// not what this case is about.
				for b.Loop() {
					base := heapAfterGC()
					p := samplePeak(time.Millisecond)
					result, n, err := list()
					peak := p.Stop()
					if err != nil || n != PeakListConfigMaps {
						b.Fatalf("list: %d items, %v", n, err)
					}
					live := heapAfterGC()
					runtime.KeepAlive(result)
					if peak > base {
						peakSum += peak - base
					}
					if live > base {
						liveSum += live - base
					}
				}
				b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
				avg := float64(peakSum) / float64(b.N)
				b.ReportMetric(avg, "peak-heap-B")
				b.ReportMetric(avg/float64(len(body)), "peak-x-body")
				b.ReportMetric(float64(liveSum)/float64(b.N), "result-B")
			})
		}
		measure("anykube", func() (any, int, error) {
			l, err := ak.Resource(gvr).List(ctx, metav1.ListOptions{})
			if err != nil {
				return nil, 0, err
			}
			return l, len(l.Items), nil
		})
		measure("clientgo", func() (any, int, error) {
			l, err := cg.Resource(gvr).List(ctx, metav1.ListOptions{})
			if err != nil {
				return nil, 0, err
			}
			return l, len(l.Items), nil
		})
	})
}
