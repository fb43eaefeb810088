package bench

import (
	"fmt"
	"sort"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// side runs one library's half of a case as sub-benchmark name: op once
// per iteration, allocations reported, and the requests op made (with the
// most open at once when peak is set) when cnt is not nil.
//
// Besides wall time it reports cpu-ns/op, the process's CPU time per op
// (every goroutine, the garbage collector's and an httptest server's
// included), which a machine shared with other work disturbs less.
func side(b *testing.B, name string, cnt *counter, peak bool, op func(b *testing.B)) {
	sideBytes(b, name, cnt, peak, 0, op)
}

// sideBytes is side for ops that each process size bytes of input: it
// also reports MB/s, and cpu-MB/s by CPU time.
func sideBytes(b *testing.B, name string, cnt *counter, peak bool, size int64, op func(b *testing.B)) {
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		if size > 0 {
			b.SetBytes(size)
		}
		if cnt != nil {
			cnt.reset()
		}
		start := cpuTime()
		for b.Loop() {
			op(b)
		}
		if cpu := float64(cpuTime()-start) / float64(b.N); cpu > 0 {
			b.ReportMetric(cpu, "cpu-ns/op")
			if size > 0 {
				b.ReportMetric(float64(size)/cpu*1e3, "cpu-MB/s")
			}
		}
		if cnt != nil {
			cnt.report(b, peak)
		}
	})
}

// resourceSet flattens discovery results into sorted "group/version
// resource kind" lines, so that the two libraries' answers can be
// compared before they are timed.
func resourceSet(lists []*metav1.APIResourceList) []string {
	var out []string
	for _, l := range lists {
		for _, r := range l.APIResources {
			out = append(out, fmt.Sprintf("%s %s %s %v", l.GroupVersion, r.Name, r.Kind, r.Namespaced))
		}
	}
	sort.Strings(out)
	return out
}

// sameResources fails b unless both libraries discovered the same
// resources, and at least want of them.
func sameResources(b testing.TB, ak, cg []*metav1.APIResourceList, want int) {
	b.Helper()
	a, c := resourceSet(ak), resourceSet(cg)
	if len(a) < want {
		b.Fatalf("anykube discovered %d resources, want at least %d", len(a), want)
	}
	if len(a) != len(c) {
		b.Fatalf("anykube discovered %d resources, client-go %d", len(a), len(c))
	}
	for i := range a {
		if a[i] != c[i] {
			b.Fatalf("discovery differs: anykube has %q where client-go has %q", a[i], c[i])
		}
	}
}

// countResources returns the number of resources (subresources included)
// in lists.
func countResources(lists []*metav1.APIResourceList) int {
	n := 0
	for _, l := range lists {
		n += len(l.APIResources)
	}
	return n
}
