package informer

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
)

func TestMain(m *testing.M) { testcluster.Main(m) }

const e2eGroup = "informer.anykube.test"

var (
	nsGVR     = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	widgetGVR = schema.GroupVersionResource{Group: e2eGroup, Version: "v1", Resource: "widgets"}
	widgetCRD = e2e.CRD{Group: e2eGroup, Kind: "Widget", Versions: []string{"v1"}, Namespaced: true}
)

var installed struct {
	once sync.Once
	err  error
}

// e2eCluster returns the shared cluster with the Widget CRD installed,
// skipping in -short mode.
func e2eCluster(t testing.TB) *testcluster.Cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test against a real API server")
	}
	c := testcluster.Shared(t)
	installed.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		installed.err = e2e.InstallCRDs(ctx, httpClient(t, c), c.Host, []e2e.CRD{widgetCRD})
	})
	require.NoError(t, installed.err)
	return c
}

func httpClient(t testing.TB, c *testcluster.Cluster) *http.Client {
	t.Helper()
	hc, err := c.HTTPClient()
	require.NoError(t, err)
	return hc
}

// e2eClient returns a dynamic client for the cluster and the counter of
// its requests.
func e2eClient(t testing.TB, c *testcluster.Cluster) (*dynamic.DynamicClient, *e2e.Counter) {
	t.Helper()
	cnt := &e2e.Counter{}
	dc, err := dynamic.NewForConfig(e2e.Config(c, cnt))
	require.NoError(t, err)
	return dc, cnt
}

// writer makes changes through a client of its own and writes down the
// events an informer must report for them, in order.
type writer struct {
	t    *testing.T
	ri   dynamic.ResourceInterface
	ns   string
	kind string
	want []string
}

func (w *writer) create(name string) *unstructured.Unstructured {
	w.t.Helper()
	gv := "v1"
	if w.kind == "Widget" {
		gv = e2eGroup + "/v1"
	}
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": gv, "kind": w.kind, "data": map[string]any{"v": "0"}}}
	u.SetName(name)
	out, err := w.ri.Create(context.Background(), u, metav1.CreateOptions{})
	require.NoError(w.t, err)
	w.want = append(w.want, fmt.Sprintf("add %s/%s %s", w.ns, name, out.GetResourceVersion()))
	return out
}

func (w *writer) update(name, v string, oldRV string) *unstructured.Unstructured {
	w.t.Helper()
	out, err := w.ri.Patch(context.Background(), name, types.MergePatchType, []byte(`{"data":{"v":"`+v+`"}}`), metav1.PatchOptions{})
	require.NoError(w.t, err)
	w.want = append(w.want, fmt.Sprintf("update %s/%s %s->%s", w.ns, name, oldRV, out.GetResourceVersion()))
	return out
}

func (w *writer) delete(name string) {
	w.t.Helper()
	require.NoError(w.t, w.ri.Delete(context.Background(), name, metav1.DeleteOptions{}))
	w.want = append(w.want, fmt.Sprintf("delete %s/%s", w.ns, name))
}

// normalize drops the resourceVersion from delete lines: the server's
// deletion version is not returned to the deleting client.
func normalize(events []string) []string {
	out := make([]string, len(events))
	for i, e := range events {
		if strings.HasPrefix(e, "delete ") {
			e = strings.Join(strings.Fields(e)[:2], " ")
		}
		out[i] = e
	}
	return out
}

// consistent checks that events never add what is cached or update or
// delete what is not: no duplicate add, no lost delete.
func consistent(t *testing.T, events []string) map[string]bool {
	t.Helper()
	have := map[string]bool{}
	for i, e := range events {
		f := strings.Fields(e)
		op, key := f[0], f[1]
		switch op {
		case "add", "add*":
			require.False(t, have[key], "event %d %q adds a cached object: %q", i, e, events)
			have[key] = true
		case "update":
			require.True(t, have[key], "event %d %q updates an unknown object", i, e)
		case "delete", "tombstone":
			require.True(t, have[key], "event %d %q deletes an unknown object", i, e)
			delete(have, key)
		}
	}
	return have
}

func TestE2EInformersSeeEveryChange(t *testing.T) {
	c := e2eCluster(t)
	direct, _ := e2eClient(t, c)
	ns := e2e.CreateNamespace(t, c, "inf")
	dc, cnt := e2eClient(t, c)
	f := NewSharedInformerFactoryWithOptions(dc, FactoryOptions{Namespace: ns, Informer: Options{MinBackoff: 10 * time.Millisecond}})
	defer f.Shutdown()
	cms, widgets := f.ForResource(cmGVR), f.ForResource(widgetGVR)
	cmEvents, widgetEvents := &recorder{}, &recorder{}
	_, err := cms.Informer().AddEventHandler(cmEvents)
	require.NoError(t, err)
	_, err = widgets.Informer().AddEventHandler(widgetEvents)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	f.Start(ctx)
	for key, ok := range f.WaitForCacheSync(ctx) {
		require.True(t, ok, "%v not synced", key)
	}

	for _, w := range []*writer{
		{t: t, ri: direct.Resource(cmGVR).Namespace(ns), ns: ns, kind: "ConfigMap"},
		{t: t, ri: direct.Resource(widgetGVR).Namespace(ns), ns: ns, kind: "Widget"},
	} {
		a := w.create("a")
		b := w.create("b")
		a = w.update("a", "1", a.GetResourceVersion())
		w.delete("b")
		cc := w.create("c")
		cc = w.update("c", "1", cc.GetResourceVersion())
		w.update("c", "2", cc.GetResourceVersion())
		w.update("a", "2", a.GetResourceVersion())
		w.delete("a")
		w.create("b")
		_ = b

		rec := cmEvents
		if w.kind == "Widget" {
			rec = widgetEvents
		}
		got := rec.wait(t, len(w.want))
		assert.Equal(t, w.want, normalize(got), "%s events", w.kind)
		consistent(t, got)
	}

	// The listers answer from memory: no request is sent.
	before := cnt.Count()
	for range 100 {
		objs, err := cms.Lister().Namespace(ns).List(labels.Everything())
		require.NoError(t, err)
		require.Len(t, objs, 2)
		w, err := widgets.Lister().Namespace(ns).Get("c")
		require.NoError(t, err)
		require.Equal(t, "2", w.Object["data"].(map[string]any)["v"])
		_, err = widgets.Lister().Namespace(ns).Get("a")
		require.Error(t, err)
	}
	assert.Equal(t, before, cnt.Count())
	for _, inf := range []*Informer{cms.Informer(), widgets.Informer()} {
		objs := inf.GetIndexer().List()
		for _, o := range objs {
			assert.Empty(t, o.GetManagedFields(), "managedFields are stripped")
		}
	}
}

// cutProxy stands between an informer and the API server. cut closes
// every connection and holds new watch requests until released; expire
// makes the next watch that resumes from a resourceVersion answer with a
// 410 ERROR event, as after etcd compaction.
type cutProxy struct {
	srv     *httptest.Server
	holding atomic.Bool
	expire  atomic.Bool
	expired atomic.Int32
}

func newCutProxy(t *testing.T, c *testcluster.Cluster) *cutProxy {
	t.Helper()
	target, err := url.Parse(c.Host)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = httpClient(t, c).Transport
	rp.FlushInterval = -1
	p := &cutProxy{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("watch") == "true" {
			// Send the headers as soon as the server does, so that a
			// quiet watch is established rather than left waiting for
			// its first event.
			w = &flushingWriter{w}
			for p.holding.Load() {
				select {
				case <-r.Context().Done():
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
			if q.Get("resourceVersion") != "" && p.expire.CompareAndSwap(true, false) {
				p.expired.Add(1)
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: %s (from the test proxy)","reason":"Expired","code":410}}`+"\n", q.Get("resourceVersion"))
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// flushingWriter flushes the response headers as soon as they are written.
type flushingWriter struct{ http.ResponseWriter }

func (f *flushingWriter) WriteHeader(code int) {
	f.ResponseWriter.WriteHeader(code)
	_ = http.NewResponseController(f.ResponseWriter).Flush()
}

func (f *flushingWriter) Flush() { _ = http.NewResponseController(f.ResponseWriter).Flush() }

func (f *flushingWriter) Unwrap() http.ResponseWriter { return f.ResponseWriter }

// cut drops every connection and holds watches until release.
func (p *cutProxy) cut() (release func()) {
	p.holding.Store(true)
	p.srv.CloseClientConnections()
	return func() { p.holding.Store(false) }
}

func (p *cutProxy) client(t *testing.T, c *testcluster.Cluster) *dynamic.DynamicClient {
	t.Helper()
	// The proxy adds the credentials; the client speaks plain HTTP to it.
	dc, err := dynamic.NewForConfig(&anykube.Config{Host: p.srv.URL, QPS: -1})
	require.NoError(t, err)
	return dc
}

// TestE2EDroppedWatchAnd410 drops the informer's connection and forces a
// 410 while changes happen: no change is lost, none is told twice.
func TestE2EDroppedWatchAnd410(t *testing.T) {
	for _, mode := range []ListMode{ListModeAuto, ListModePaged} {
		name := "streaming"
		if mode == ListModePaged {
			name = "paged"
		}
		t.Run(name, func(t *testing.T) {
			c := e2eCluster(t)
			direct, _ := e2eClient(t, c)
			ns := e2e.CreateNamespace(t, c, "inf")
			p := newCutProxy(t, c)
			var st statuses
			inf, err := New(p.client(t, c), cmGVR, &Options{Namespace: ns, ListMode: mode, MinBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, OnStatus: st.add})
			require.NoError(t, err)
			rec := &recorder{}
			_, err = inf.AddEventHandler(rec)
			require.NoError(t, err)
			w := &writer{t: t, ri: direct.Resource(cmGVR).Namespace(ns), ns: ns, kind: "ConfigMap"}
			a := w.create("a")
			b := w.create("b")
			w.want = []string{"add* " + ns + "/a " + a.GetResourceVersion(), "add* " + ns + "/b " + b.GetResourceVersion()}
			start(t, inf)
			got := rec.wait(t, 2)
			slices.Sort(got)
			require.Equal(t, w.want, got)

			// A dropped connection: the changes arrive by the resumed
			// watch, once each.
			st.waitFor(t, PhaseWatching, ReasonSynced)
			release := p.cut()
			st.waitFor(t, PhaseBackoff, ReasonWatchFailed)
			cc := w.create("c")
			a = w.update("a", "1", a.GetResourceVersion())
			w.delete("b")
			release()
			assert.Equal(t, w.want, normalize(rec.wait(t, len(w.want))))
			st.waitFor(t, PhaseWatching, ReasonResumed)

			// A dropped connection and a 410: the informer lists again
			// and reports what changed, deletions as tombstones.
			release = p.cut()
			p.expire.Store(true)
			d := w.create("d")
			a2 := w.update("a", "2", a.GetResourceVersion())
			require.NoError(t, w.ri.Delete(context.Background(), "c", metav1.DeleteOptions{}))
			w.want = w.want[:len(w.want)-2]
			w.want = append(w.want,
				"tombstone "+ns+"/c "+cc.GetResourceVersion(),
				"update "+ns+"/a "+a.GetResourceVersion()+"->"+a2.GetResourceVersion(),
				"add "+ns+"/d "+d.GetResourceVersion())
			release()
			got = normalize(rec.wait(t, len(w.want)))
			assert.Equal(t, w.want, got)
			st.waitFor(t, PhaseListing, ReasonExpired)
			assert.Equal(t, int32(1), p.expired.Load(), "the 410 was served")
			if mode == ListModeAuto {
				assert.False(t, st.has(PhaseListing, ReasonStreamingUnsupported), "the server does streaming lists")
			}

			// And on from the relist.
			w.create("e")
			got = rec.wait(t, len(w.want))
			assert.Equal(t, w.want, normalize(got))
			time.Sleep(100 * time.Millisecond)
			have := consistent(t, rec.get())

			// The cache is the server's state.
			list, err := w.ri.List(context.Background(), metav1.ListOptions{})
			require.NoError(t, err)
			server := map[string]string{}
			for _, o := range list.Items {
				server[ns+"/"+o.GetName()] = o.GetResourceVersion()
			}
			cache := map[string]string{}
			for _, o := range inf.GetIndexer().List() {
				cache[ns+"/"+o.GetName()] = o.GetResourceVersion()
			}
			assert.Equal(t, server, cache)
			assert.Len(t, have, len(server))
		})
	}
}

// TestE2ECRDLifecycle starts an informer before its CRD exists, sees it
// start when the CRD is created, end cleanly when it is deleted, and a new
// one start when it is created again.
func TestE2ECRDLifecycle(t *testing.T) {
	c := e2eCluster(t)
	hc := httpClient(t, c)
	direct, _ := e2eClient(t, c)
	disco, err := discovery.NewDiscoveryClientForConfig(e2e.Config(c, nil))
	require.NoError(t, err)
	crd := e2e.CRD{Group: "lifecycle.anykube.test", Kind: "Gizmo", Versions: []string{"v1"}}
	gvr := schema.GroupVersionResource{Group: crd.Group, Version: "v1", Resource: "gizmos"}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	t.Cleanup(func() { _ = e2e.DeleteCRDs(context.Background(), hc, c.Host, []e2e.CRD{crd}) })

	var mu sync.Mutex
	var phases []Status
	f := NewSharedInformerFactoryWithOptions(direct, FactoryOptions{
		Informer: Options{Discovery: disco, MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond},
		OnStatus: func(_ InformerKey, st Status) {
			mu.Lock()
			phases = append(phases, st)
			mu.Unlock()
		},
	})
	defer f.Shutdown()
	first := f.ForResource(gvr).Informer()
	rec := &recorder{}
	_, err = first.AddEventHandler(rec)
	require.NoError(t, err)
	f.Start(ctx)
	require.Eventually(t, func() bool { return first.Status().Phase == PhaseWaitingForResource }, 30*time.Second, 10*time.Millisecond)
	assert.False(t, first.HasSynced())

	require.NoError(t, e2e.InstallCRDs(ctx, hc, c.Host, []e2e.CRD{crd}))
	sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
	require.True(t, first.WaitForCacheSync(sctx), "%v", first.Status())
	scancel()
	g := &unstructured.Unstructured{Object: map[string]any{"apiVersion": crd.Group + "/v1", "kind": "Gizmo"}}
	g.SetName("g1")
	created, err := direct.Resource(gvr).Create(ctx, g, metav1.CreateOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"add g1 " + created.GetResourceVersion()}, rec.wait(t, 1))

	deleted := time.Now()
	require.NoError(t, e2e.DeleteCRDs(ctx, hc, c.Host, []e2e.CRD{crd}))
	select {
	case <-first.Done():
	case <-ctx.Done():
		t.Fatalf("the informer did not end: %v", first.Status())
	}
	t.Logf("the informer ended %s after the CRD was deleted", time.Since(deleted).Round(time.Millisecond))
	st := first.Status()
	assert.Equal(t, PhaseResourceGone, st.Phase, "%v", st)
	assert.ErrorIs(t, first.Err(), ErrResourceGone)
	assert.Contains(t, first.Err().Error(), "lifecycle.anykube.test/v1/gizmos")
	ev := rec.get()
	require.Len(t, ev, 2, "%q", ev)
	assert.Regexp(t, `^(delete|tombstone) g1 `, ev[1])
	assert.Zero(t, first.GetIndexer().Len())
	mu.Lock()
	backoffs := 0
	for _, s := range phases {
		if s.Phase == PhaseBackoff {
			backoffs++
		}
	}
	mu.Unlock()
	assert.Less(t, backoffs, 20, "no endless retrying")

	// Created again: a new informer from the factory starts.
	require.Eventually(t, func() bool { return f.ForResource(gvr).Informer() != first }, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, e2e.InstallCRDs(ctx, hc, c.Host, []e2e.CRD{crd}))
	second := f.ForResource(gvr).Informer()
	f.Start(ctx)
	require.True(t, f.WaitForCacheSync(ctx)[f.Key(gvr)], "%v", second.Status())
	g.SetName("g2")
	_, err = direct.Resource(gvr).Create(ctx, g, metav1.CreateOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool { _, err := second.Lister().Get("g2"); return err == nil }, 10*time.Second, 10*time.Millisecond)
}

// TestE2EShutdownLeavesNoGoroutines: after Shutdown nothing of the
// informers, their handlers or their watches is left running.
func TestE2EShutdownLeavesNoGoroutines(t *testing.T) {
	c := e2eCluster(t)
	dc, _ := e2eClient(t, c)
	ns := e2e.CreateNamespace(t, c, "inf")
	f := NewSharedInformerFactoryWithOptions(dc, FactoryOptions{Namespace: ns, Informer: Options{ResyncPeriod: 10 * time.Millisecond}})
	for _, gvr := range []schema.GroupVersionResource{cmGVR, widgetGVR} {
		_, err := f.ForResource(gvr).Informer().AddEventHandler(&recorder{delay: time.Millisecond})
		require.NoError(t, err)
	}
	ctx := context.Background()
	f.Start(ctx)
	for _, ok := range f.WaitForCacheSync(ctx) {
		require.True(t, ok)
	}
	require.NotEmpty(t, ourGoroutines())
	f.Shutdown()
	noLeaks(t, 1<<30)
}
