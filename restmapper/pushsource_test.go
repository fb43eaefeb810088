package restmapper

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/metadata"
	"github.com/anykube/anykube/internal/rest"
)

// crdServer serves a list of CRDs with large schemas, in full or as the
// metadata view as the Accept header asks, and watches that send nothing.
// It counts the bytes of the lists it sends.
type crdServer struct {
	*httptest.Server
	full, view []byte
	sent       atomic.Int64
}

// newCRDServer returns a server listing n CRDs, each with props schema
// properties and managedFields naming each of them, as a CRD created by
// kubectl has.
func newCRDServer(tb testing.TB, n, props int) *crdServer {
	tb.Helper()
	desc := strings.Repeat("A field of the custom resource, described at length as generated schemas do. ", 2)
	type item = map[string]any
	var fullItems, viewItems []item
	for i := range n {
		properties, fields := item{}, item{".": item{}}
		for p := range props {
			name := fmt.Sprintf("field%03d", p)
			properties[name] = item{"type": "string", "description": desc}
			fields["f:"+name] = item{".": item{}, "f:description": item{}, "f:type": item{}}
		}
		meta := item{
			"name":            fmt.Sprintf("widgets%d.x%d.example.com", i, i),
			"uid":             fmt.Sprintf("uid-%d", i),
			"resourceVersion": fmt.Sprint(100 + i),
			"generation":      1,
			"managedFields": []item{{
				"manager": "kubectl", "operation": "Update", "apiVersion": "apiextensions.k8s.io/v1", "fieldsType": "FieldsV1",
				"fieldsV1": item{"f:spec": item{"f:versions": item{"f:schema": item{"f:openAPIV3Schema": item{"f:properties": fields}}}}},
			}},
		}
		fullItems = append(fullItems, item{
			"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": meta,
			"spec": item{"group": fmt.Sprintf("x%d.example.com", i), "scope": "Namespaced", "versions": []item{{
				"name": "v1", "served": true, "storage": true,
				"schema": item{"openAPIV3Schema": item{"type": "object", "properties": item{"spec": item{"type": "object", "properties": properties}}}},
			}}},
			"status": item{"conditions": []item{{"type": "Established", "status": "True"}}},
		})
		viewItems = append(viewItems, item{"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadata", "metadata": meta})
	}
	listMeta := item{"resourceVersion": "1000"}
	full, err := json.Marshal(item{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinitionList", "metadata": listMeta, "items": fullItems})
	if err != nil {
		tb.Fatal(err)
	}
	view, err := json.Marshal(item{"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadataList", "metadata": listMeta, "items": viewItems})
	if err != nil {
		tb.Fatal(err)
	}
	s := &crdServer{full: full, view: view}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("watch") == "true" {
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		body := s.full
		if strings.Contains(r.Header.Get("Accept"), "as=PartialObjectMetadataList") {
			body = s.view
		}
		s.sent.Add(int64(len(body)))
		_, _ = w.Write(body)
	}))
	tb.Cleanup(s.Close)
	return s
}

// heapAlloc returns the bytes of live objects. It collects three times,
// letting cleanups run in between, since the request layer keeps a freed
// body buffer until it stayed free through a whole collection cycle.
func heapAlloc() int64 {
	for range 3 {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// BenchmarkPushWatchHeld measures what one of push's watches holds once it
// has listed 300 CRDs with large schemas (about 50 KB of JSON each), and
// the bytes of that list: watching full objects (as push did) or the
// metadata view cut down to identities (metadataSource).
func BenchmarkPushWatchHeld(b *testing.B) {
	srv := newCRDServer(b, 300, 200)
	d, err := discovery.NewDiscoveryClientForConfig(&anykube.Config{Host: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	rc := (*rest.Client)(d.RESTClient())
	sides := []struct {
		name   string
		source func() dynamic.ListWatcher
	}{
		{"full", func() dynamic.ListWatcher { return dynamic.New(rc).Resource(crdResource) }},
		{"metadata", func() dynamic.ListWatcher {
			return metadataSource{md: metadata.New(rc).WithOptions(metadata.Options{FallbackToFull: true}).Resource(crdResource)}
		}},
	}
	for _, side := range sides {
		b.Run(side.name, func(b *testing.B) {
			var held, sent int64
			for range b.N {
				srv.sent.Store(0)
				before := heapAlloc()
				ctx, cancel := context.WithCancel(context.Background())
				w, err := dynamic.NewRetryWatcher(ctx, side.source(), metav1.ListOptions{AllowWatchBookmarks: true}, nil)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for ev := range w.ResultChan() {
					if dynamic.IsInitialEventsEnd(ev) {
						break
					}
					n++
				}
				if n != 300 {
					b.Fatalf("%d objects listed, want 300", n)
				}
				held += heapAlloc() - before
				sent += srv.sent.Load()
				runtime.KeepAlive(w)
				w.Stop()
				cancel()
				// Wait for the watcher to end, so that the next round does
				// not count what this one still holds as already there.
				for range w.ResultChan() {
				}
			}
			b.ReportMetric(float64(held)/float64(b.N), "held-B/op")
			b.ReportMetric(float64(sent)/float64(b.N), "wire-B/op")
		})
	}
}

func TestMetadataSourceKeepsIdentities(t *testing.T) {
	srv := newCRDServer(t, 3, 2)
	d, err := discovery.NewDiscoveryClientForConfig(&anykube.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	src := metadataSource{md: metadata.New((*rest.Client)(d.RESTClient())).Resource(crdResource)}
	l, err := src.List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(srv.full); srv.sent.Load() >= int64(got) {
		t.Errorf("the list sent %d bytes, as many as the full objects' %d", srv.sent.Load(), got)
	}
	if l.GetResourceVersion() != "1000" || len(l.Items) != 3 {
		t.Fatalf("list: resourceVersion %q, %d items", l.GetResourceVersion(), len(l.Items))
	}
	it := l.Items[1]
	if it.GetName() != "widgets1.x1.example.com" || it.GetUID() != "uid-1" || it.GetResourceVersion() != "101" {
		t.Errorf("identity lost: %v", it.Object)
	}
	if len(it.GetManagedFields()) != 0 || it.Object["spec"] != nil {
		t.Errorf("more than the identity kept: %v", it.Object)
	}
}
