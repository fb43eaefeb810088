package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	cgdynamic "k8s.io/client-go/dynamic"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/internal/codec/codectest"
)

// bodyServer answers every request for path with body as JSON, the way the
// API server answers a list: with a Content-Length, or as a stream (no
// length) when stream is set, the way it answers a watch.
func bodyServer(t testing.TB, path string, body []byte, stream bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if !stream {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// dynamicClients returns each library's dynamic client for the server at
// url, limiter off.
func dynamicClients(t testing.TB, url string) (dynamic.Interface, cgdynamic.Interface) {
	s := newSides(url, "", nil)
	ak, err := dynamic.NewForConfigAndClient(s.ak, s.akHTTP(t))
	if err != nil {
		t.Fatal(err)
	}
	cg, err := cgdynamic.NewForConfigAndClient(s.cg, s.cgHTTP(t))
	if err != nil {
		t.Fatal(err)
	}
	return ak, cg
}

// listCase is one DecodeList input: where it is served and how its body is
// made, in each of its shapes.
type listCase struct {
	name, path string
	gvr        schema.GroupVersionResource
	items      int
	body       func(n int, s codectest.Shape) []byte
	shapes     []listShape
}

// listShape is one form of a listCase's objects, served with a
// Content-Length or, when chunked, without one, as kube-apiserver sends
// large answers. A cold shape starts every op with no response buffer
// left from the one before (see forgetBuffers): the cost of a program's
// first or only List, where the others show a loop of Lists. The
// collections that make it cold are outside the timer, and so out of its
// ns/op, MB/s and B/op, but inside its cpu-ns/op, which counts the
// process's CPU time over the whole loop.
type listShape struct {
	name    string
	shape   codectest.Shape
	chunked bool
	cold    bool
}

// forgetBuffers runs collections until the response buffers anykube keeps
// between requests are let go: a buffer goes once it has stayed free
// through a whole cycle, noticed by a cleanup that runs after the
// collection, so two cycles with a pause after each suffice; a third makes
// sure. Called with the timer stopped.
func forgetBuffers() {
	for range 3 {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
}

var listCases = []listCase{
	{"configmaps-10k", "/api/v1/configmaps", schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, ConfigMaps, codectest.ConfigMapListShaped, []listShape{
		{name: "small"},
		{name: "no-managedfields", shape: codectest.Shape{NoManagedFields: true}},
		{name: "large-values", shape: codectest.Shape{LargeValues: true}},
		{name: "large-values-chunked", shape: codectest.Shape{LargeValues: true}, chunked: true},
		{name: "large-values-cold", shape: codectest.Shape{LargeValues: true}, cold: true},
		{name: "large-values-chunked-cold", shape: codectest.Shape{LargeValues: true}, chunked: true, cold: true},
	}},
	{"deployments-1k", "/apis/apps/v1/deployments", schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, Deployments, codectest.DeploymentListShaped, []listShape{
		{name: "narrow"},
		{name: "wide", shape: codectest.Shape{Wide: true}},
		{name: "wide-no-managedfields", shape: codectest.Shape{Wide: true, NoManagedFields: true}},
	}},
}

// BenchmarkDecodeList is a dynamic List through each library's full client
// path (request, response, decoding into an UnstructuredList) of a body the
// server has ready, for each shape of each case. MB/s counts the body's
// bytes. TestListsAgree checks that both libraries decode such bodies to
// the same objects.
func BenchmarkDecodeList(b *testing.B) {
	for _, c := range listCases {
		b.Run(c.name, func(b *testing.B) {
			for _, sh := range c.shapes {
				b.Run(sh.name, func(b *testing.B) {
					body := c.body(c.items, sh.shape)
					ak, cg := dynamicClients(b, bodyServer(b, c.path, body, sh.chunked).URL)
					ctx := context.Background()
					for _, side := range []struct {
						name   string
						client func() cgdynamic.ResourceInterface
					}{
						{"anykube", func() cgdynamic.ResourceInterface { return ak.Resource(c.gvr) }},
						{"clientgo", func() cgdynamic.ResourceInterface { return cg.Resource(c.gvr) }},
					} {
						sideBytes(b, side.name, nil, false, int64(len(body)), func(b *testing.B) {
							if sh.cold {
								b.StopTimer()
								forgetBuffers()
								b.StartTimer()
							}
							l, err := side.client().List(ctx, metav1.ListOptions{})
							if err != nil || len(l.Items) != c.items {
								b.Fatalf("list: %v", err)
							}
						})
					}
				})
			}
		})
	}
}

// TestListsAgree checks that both libraries' dynamic List decode the
// benchmark's list bodies, in every shape, to the same objects, on a tenth
// of the items.
func TestListsAgree(t *testing.T) {
	for _, c := range listCases {
		for _, sh := range c.shapes {
			t.Run(c.name+"/"+sh.name, func(t *testing.T) {
				n := c.items / 10
				ak, cg := dynamicClients(t, bodyServer(t, c.path, c.body(n, sh.shape), sh.chunked).URL)
				ctx := context.Background()
				akList, err := ak.Resource(c.gvr).List(ctx, metav1.ListOptions{})
				if err != nil {
					t.Fatal(err)
				}
				cgList, err := cg.Resource(c.gvr).List(ctx, metav1.ListOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if len(akList.Items) != n || len(cgList.Items) != n {
					t.Fatalf("anykube decoded %d items, client-go %d, want %d", len(akList.Items), len(cgList.Items), n)
				}
				sameObjects(t, akList.UnstructuredContent(), cgList.UnstructuredContent())
				for i := range akList.Items {
					sameObjects(t, akList.Items[i].Object, cgList.Items[i].Object)
				}
			})
		}
	}
}

var (
	pods      = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	watchOpts = metav1.ListOptions{AllowWatchBookmarks: true}
)

// drain reads w until the server ends the stream and returns the events it
// delivered: all of them when keep is set, else only their number.
func drain(t testing.TB, w watch.Interface, keep bool) (n int, events []watch.Event) {
	defer w.Stop()
	for ev := range w.ResultChan() {
		if ev.Type == watch.Error {
			t.Fatalf("watch error event: %v", ev.Object)
		}
		n++
		if keep {
			events = append(events, ev)
		}
	}
	return n, events
}

// watchers returns functions that run one watch of pods on each library's
// client and drain it.
func watchers(t testing.TB, url string) (ak, cg func(t testing.TB, keep bool) (int, []watch.Event)) {
	akc, cgc := dynamicClients(t, url)
	ctx := context.Background()
	ak = func(t testing.TB, keep bool) (int, []watch.Event) {
		w, err := akc.Resource(pods).Watch(ctx, watchOpts)
		if err != nil {
			t.Fatal(err)
		}
		return drain(t, w, keep)
	}
	cg = func(t testing.TB, keep bool) (int, []watch.Event) {
		w, err := cgc.Resource(pods).Watch(ctx, watchOpts)
		if err != nil {
			t.Fatal(err)
		}
		return drain(t, w, keep)
	}
	return ak, cg
}

// watchShapes are the forms of DecodeWatch's stream: Lease renewals and
// Events under 1 KB each; Pods and ConfigMaps of a few KB (the stream of
// codectest.WatchEvents); wide Pods and ConfigMaps with large values.
var watchShapes = []struct {
	name  string
	shape codectest.Shape
}{
	{"small", codectest.Shape{Small: true}},
	{"pods", codectest.Shape{}},
	{"large", codectest.Shape{Wide: true, LargeValues: true}},
}

// BenchmarkDecodeWatch is a dynamic Watch through each library's full
// client path, drained until the server ends a stream of 10k events (with
// a bookmark every 100) in each shape of watchShapes. MB/s counts the
// stream's bytes. TestWatchesAgree checks that both libraries deliver the
// same events.
func BenchmarkDecodeWatch(b *testing.B) {
	b.Run("events-10k", func(b *testing.B) {
		for _, sh := range watchShapes {
			b.Run(sh.name, func(b *testing.B) {
				benchWatches(b, codectest.WatchEventsShaped(WatchEvents, sh.shape), watchers)
			})
		}
	})
}

// benchWatches runs the watches that makeWatchers returns for a server of
// stream side by side, each drained to the stream's end.
func benchWatches(b *testing.B, stream []byte, makeWatchers func(testing.TB, string) (ak, cg func(testing.TB, bool) (int, []watch.Event))) {
	ak, cg := makeWatchers(b, bodyServer(b, "/api/v1/pods", stream, true).URL)
	for _, c := range []struct {
		name string
		run  func(t testing.TB, keep bool) (int, []watch.Event)
	}{{"anykube", ak}, {"clientgo", cg}} {
		sideBytes(b, c.name, nil, false, int64(len(stream)), func(b *testing.B) {
			if n, _ := c.run(b, false); n != WatchEvents {
				b.Fatalf("%d events, want %d", n, WatchEvents)
			}
		})
	}
}

// TestWatchesAgree checks that both libraries' dynamic Watch deliver the
// same events from the benchmark's stream, in every shape, on its first
// tenth.
func TestWatchesAgree(t *testing.T) {
	for _, sh := range watchShapes {
		t.Run(sh.name, func(t *testing.T) {
			n := WatchEvents / 10
			ak, cg := watchers(t, bodyServer(t, "/api/v1/pods", codectest.WatchEventsShaped(n, sh.shape), true).URL)
			_, akEvents := ak(t, true)
			_, cgEvents := cg(t, true)
			if len(akEvents) != n || len(cgEvents) != n {
				t.Fatalf("anykube delivered %d events, client-go %d, want %d", len(akEvents), len(cgEvents), n)
			}
			for i := range akEvents {
				if akEvents[i].Type != cgEvents[i].Type {
					t.Fatalf("event %d: anykube %s, client-go %s", i, akEvents[i].Type, cgEvents[i].Type)
				}
				sameObjects(t, unstructuredContent(t, akEvents[i].Object), unstructuredContent(t, cgEvents[i].Object))
			}
		})
	}
}
