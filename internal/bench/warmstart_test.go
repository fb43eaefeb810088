package bench

import (
	"path/filepath"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	cgdisk "k8s.io/client-go/discovery/cached/disk"
	cgrestmapper "k8s.io/client-go/restmapper"

	"github.com/anykube/anykube/discovery/cached/disk"
	"github.com/anykube/anykube/restmapper"
)

// diskTTL is how long both disk caches trust their files; the benchmark
// runs well inside it.
const diskTTL = time.Hour

// BenchmarkWarmStartDiskCache is a program's start on a filled disk cache:
// a new disk-cached discovery client, a deferred RESTMapper over it and one
// mapping, with no request to the server, on each of StoredShapes. Each
// library fills its own cache directory from the same server before the
// timer starts.
func BenchmarkWarmStartDiskCache(b *testing.B) {
	b.Run("gvs-2000", func(b *testing.B) {
		for _, shape := range StoredShapes() {
			b.Run(shape.Name, func(b *testing.B) { warmStartDiskCache(b, shape) })
		}
	})
}

func warmStartDiskCache(b *testing.B, shape DiscoveryShape) {
	srv := shape.Server()
	defer srv.Close()
	s := newSides(srv.URL, "", nil)
	dir := b.TempDir()
	akDir, cgDir, cgHTTPDir := filepath.Join(dir, "anykube"), filepath.Join(dir, "clientgo"), filepath.Join(dir, "clientgo-http")

	akOp := func(b *testing.B) schema.GroupVersionResource {
		d, err := disk.NewCachedDiscoveryClientForConfig(s.ak, akDir, "", diskTTL)
		if err != nil {
			b.Fatal(err)
		}
		m, err := restmapper.NewDeferredDiscoveryRESTMapper(d).RESTMapping(deploymentKind)
		if err != nil {
			b.Fatal(err)
		}
		return m.Resource
	}
	cgOp := func(b *testing.B) schema.GroupVersionResource {
		d, err := cgdisk.NewCachedDiscoveryClientForConfig(s.cg, cgDir, cgHTTPDir, diskTTL)
		if err != nil {
			b.Fatal(err)
		}
		m, err := cgrestmapper.NewDeferredDiscoveryRESTMapper(d).RESTMapping(deploymentKind)
		if err != nil {
			b.Fatal(err)
		}
		return m.Resource
	}
	// The first op of each fills its cache; the second must find it.
	for range 2 {
		if a, c := akOp(b), cgOp(b); a != c {
			b.Fatalf("anykube maps %v to %v, client-go to %v", deploymentKind, a, c)
		}
	}

	side(b, "anykube", s.akCount, false, func(b *testing.B) { akOp(b) })
	side(b, "clientgo", s.cgCount, false, func(b *testing.B) { cgOp(b) })
}
