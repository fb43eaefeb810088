package bench

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/discoverytest"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/restmapper"
)

// lazyKinds returns one kind from each of the first n groups of the 2000
// group-version input, in order, after the core group.
func lazyKinds(n int) []schema.GroupKind {
	var out []schema.GroupKind
	for _, g := range MappingGroups() {
		if len(out) == n {
			break
		}
		if g.Group.Name == "" {
			continue
		}
		r := g.VersionedResources[g.Group.PreferredVersion.Version][0]
		out = append(out, schema.GroupKind{Group: g.Group.Name, Kind: r.Kind})
	}
	return out
}

// BenchmarkLazyMapper maps one kind from each of 1, 6 and 50 groups with a
// new lazy mapper over the 2000 group-version aggregated server: anykube's
// LazyRESTMapper and controller-runtime's DynamicRESTMapper (client-go's
// half of the table). Each op builds the discovery client and the mapper,
// so requests/op and resp-B/op (response body bytes read) are the whole
// cost of those mappings.
func BenchmarkLazyMapper(b *testing.B) {
	srv := discoverytest.NewServer(API2000(), discoverytest.ServerOptions{})
	defer srv.Close()
	for _, n := range []int{1, 6, 50} {
		kinds := lazyKinds(n)
		b.Run(fmt.Sprintf("gvs-2000/groups-%d", n), func(b *testing.B) {
			s := newSides(srv.URL, "", nil)
			s.akCount.withBytes, s.cgCount.withBytes = true, true
			akHC, cgHC := s.akHTTP(b), s.cgHTTP(b)
			akOp := func(b *testing.B) []schema.GroupVersionResource {
				d, err := discovery.NewDiscoveryClientForConfigAndClient(s.ak, akHC)
				if err != nil {
					b.Fatal(err)
				}
				return mapAll(b, restmapper.NewLazyRESTMapper(d, restmapper.LazyOptions{}), kinds)
			}
			crOp := func(b *testing.B) []schema.GroupVersionResource {
				m, err := apiutil.NewDynamicRESTMapper(s.cg, cgHC)
				if err != nil {
					b.Fatal(err)
				}
				return mapAll(b, m, kinds)
			}
			if a, c := akOp(b), crOp(b); fmt.Sprint(a) != fmt.Sprint(c) {
				b.Fatalf("anykube maps to %v, controller-runtime to %v", a, c)
			}
			side(b, "anykube", s.akCount, false, func(b *testing.B) { akOp(b) })
			side(b, "clientgo", s.cgCount, false, func(b *testing.B) { crOp(b) })
		})
	}
}

func mapAll(b *testing.B, m meta.RESTMapper, kinds []schema.GroupKind) []schema.GroupVersionResource {
	out := make([]schema.GroupVersionResource, 0, len(kinds))
	for _, gk := range kinds {
		mapping, err := m.RESTMapping(gk)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, mapping.Resource)
	}
	return out
}

// BenchmarkLazyMapperNewCRD times, on the real kube-apiserver, what a
// controller waiting for its CRD sees: a mapper that has just missed the
// CRD's kind, the CRD created, then RESTMapping asked every 5 ms until it
// succeeds. An op is the time from the create to that first success.
// anykube's mapper is in push mode (its watches started, outside the
// timer, by an earlier miss); without push it would answer "no match" for
// its 5 s negative window. controller-runtime's mapper reloads the group on
// every miss, so it maps as soon as discovery serves the kind, at one
// discovery request per poll. Each op installs a CRD in a new group and
// deletes it outside the timer.
func BenchmarkLazyMapperNewCRD(b *testing.B) {
	c := clusterWithCRDs(b)
	s := newSides(c.host, c.token, c.caData)
	akHC, cgHC := s.akHTTP(b), s.cgHTTP(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	d, err := discovery.NewDiscoveryClientForConfigAndClient(s.ak, akHC)
	if err != nil {
		b.Fatal(err)
	}
	ak := restmapper.NewLazyRESTMapper(d, restmapper.LazyOptions{})
	defer ak.Close()
	if _, err := ak.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Nope"}); !meta.IsNoMatchError(err) {
		b.Fatalf("want no match, got %v", err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		f, reason := ak.Freshness()
		if f == restmapper.FreshnessPush {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("anykube's mapper is %v: %v", f, reason)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cr, err := apiutil.NewDynamicRESTMapper(s.cg, cgHC)
	if err != nil {
		b.Fatal(err)
	}

	// The report runs rounds as separate processes against one cluster:
	// a per-process tag keeps a round's groups apart from the CRDs an
	// earlier round may still be deleting.
	seq, run := 0, strconv.FormatInt(time.Now().UnixNano()%(1<<40), 36)
	op := func(b *testing.B, name string, m meta.RESTMapper) {
		b.StopTimer()
		seq++
		crd := e2e.CRD{Group: fmt.Sprintf("new%d-%s.%s.bench.anykube.test", seq, run, name), Kind: "Fresh", Versions: []string{"v1"}, Namespaced: true}
		gk := schema.GroupKind{Group: crd.Group, Kind: crd.Kind}
		if _, err := m.RESTMapping(gk); !meta.IsNoMatchError(err) {
			b.Fatalf("want no match before the CRD exists, got %v", err)
		}
		b.StartTimer()
		installed := make(chan error, 1)
		go func() { installed <- e2e.InstallCRDs(ctx, c.hc, c.host, []e2e.CRD{crd}) }()
		for {
			if _, err := m.RESTMapping(gk); err == nil {
				break
			}
			if ctx.Err() != nil {
				b.Fatal(ctx.Err())
			}
			time.Sleep(5 * time.Millisecond)
		}
		b.StopTimer()
		if err := <-installed; err != nil {
			b.Fatal(err)
		}
		if err := e2e.DeleteCRDs(ctx, c.hc, c.host, []e2e.CRD{crd}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	side(b, "anykube", s.akCount, false, func(b *testing.B) { op(b, "anykube", ak) })
	side(b, "clientgo", s.cgCount, false, func(b *testing.B) { op(b, "ctrlruntime", cr) })
}
