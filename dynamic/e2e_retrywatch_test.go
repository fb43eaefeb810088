package dynamic_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
)

// cutProxy is a reverse proxy to the cluster that a test can cut: it closes
// every client connection on cut, holds watch requests while hold is set,
// and answers the next resumed watch with a 410 ERROR event, as a server
// after compaction does, when gone is set.
type cutProxy struct {
	srv  *httptest.Server
	hold atomic.Bool
	gone atomic.Bool
}

func newCutProxy(t *testing.T, c *testcluster.Cluster) *cutProxy {
	t.Helper()
	target, err := url.Parse(c.Host)
	require.NoError(t, err)
	hc, err := c.HTTPClient()
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = hc.Transport
	rp.FlushInterval = -1 // watch frames go through at once
	p := &cutProxy{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("watch") == "true" {
			for p.hold.Load() {
				if r.Context().Err() != nil {
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
			if q.Get("resourceVersion") != "" && p.gone.CompareAndSwap(true, false) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: %s (injected)","reason":"Expired","code":410}}`, q.Get("resourceVersion"))
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// cut drops every connection through the proxy, with watches held until
// release is called.
func (p *cutProxy) cut() (release func()) {
	p.hold.Store(true)
	p.srv.CloseClientConnections()
	return func() { p.hold.Store(false) }
}

func (p *cutProxy) client(t *testing.T) *dynamic.DynamicClient {
	t.Helper()
	dc, err := dynamic.NewForConfig(&anykube.Config{Host: p.srv.URL, QPS: -1})
	require.NoError(t, err)
	return dc
}

var e2eRetry = &dynamic.RetryWatchOptions{MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}

func mustCreate(t *testing.T, ri dynamic.ResourceInterface, name string) *unstructured.Unstructured {
	t.Helper()
	u, err := ri.Create(context.Background(), obj("v1", "ConfigMap", name, nil), metav1.CreateOptions{})
	require.NoError(t, err)
	return u
}

func mustPatch(t *testing.T, ri dynamic.ResourceInterface, name, value string) *unstructured.Unstructured {
	t.Helper()
	u, err := ri.Patch(context.Background(), name, types.MergePatchType, []byte(`{"data":{"v":"`+value+`"}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	return u
}

// expectEvent checks the next event's type, name and, when given,
// resourceVersion.
func expectEvent(t *testing.T, w watch.Interface, typ watch.EventType, name, rv string) {
	t.Helper()
	ev := nextEvent(t, w)
	require.Equal(t, typ, ev.Type, "%v", ev.Object)
	u := ev.Object.(*unstructured.Unstructured)
	require.Equal(t, name, u.GetName(), "%s event", typ)
	if rv != "" {
		require.Equal(t, rv, u.GetResourceVersion(), "%s %s", typ, name)
	}
}

func TestE2ERetryWatcherSurvivesDropsAnd410(t *testing.T) {
	c := cluster(t)
	direct, _ := client(t, c)
	ctx := context.Background()
	ns := e2e.CreateNamespace(t, c, "dyn")
	cms := direct.Resource(cmGVR).Namespace(ns)
	p := newCutProxy(t, c)

	mustCreate(t, cms, "a0")
	mustCreate(t, cms, "a1")
	rw, err := dynamic.NewRetryWatcher(ctx, p.client(t).Resource(cmGVR).Namespace(ns), metav1.ListOptions{}, e2eRetry)
	require.NoError(t, err)
	defer rw.Stop()
	expectEvent(t, rw, watch.Added, "a0", "")
	expectEvent(t, rw, watch.Added, "a1", "")

	// A dropped connection: the changes made while it was down arrive
	// through the server's replay from the last resourceVersion.
	release := p.cut()
	b0 := mustCreate(t, cms, "b0")
	a0 := mustPatch(t, cms, "a0", "1")
	require.NoError(t, cms.Delete(ctx, "a1", metav1.DeleteOptions{}))
	release()
	expectEvent(t, rw, watch.Added, "b0", b0.GetResourceVersion())
	expectEvent(t, rw, watch.Modified, "a0", a0.GetResourceVersion())
	expectEvent(t, rw, watch.Deleted, "a1", "")
	noEvent(t, rw)

	// A drop followed by 410 Gone: the watcher relists and sends the
	// difference, then the relist bookmark.
	release = p.cut()
	p.gone.Store(true)
	c0 := mustCreate(t, cms, "c0")
	require.NoError(t, cms.Delete(ctx, "b0", metav1.DeleteOptions{}))
	a0 = mustPatch(t, cms, "a0", "2")
	release()
	expectEvent(t, rw, watch.Deleted, "b0", "")
	expectEvent(t, rw, watch.Modified, "a0", a0.GetResourceVersion())
	expectEvent(t, rw, watch.Added, "c0", c0.GetResourceVersion())
	ev := nextEvent(t, rw)
	require.True(t, dynamic.IsRelistBookmark(ev), "got %s %v", ev.Type, ev.Object)
	assert.False(t, p.gone.Load(), "the injected 410 was served")
	noEvent(t, rw)

	d0 := mustCreate(t, cms, "d0")
	expectEvent(t, rw, watch.Added, "d0", d0.GetResourceVersion())

	// Cutting without holding: the watcher just reconnects.
	p.srv.CloseClientConnections()
	e0 := mustCreate(t, cms, "e0")
	expectEvent(t, rw, watch.Added, "e0", e0.GetResourceVersion())
	noEvent(t, rw)
}

// TestE2ERetryWatcherAfterCompaction uses a cluster of its own whose
// API server compacts etcd every second and has no watch cache, so that a
// resumed watch meets the server's own 410.
func TestE2ERetryWatcherAfterCompaction(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test against a real API server")
	}
	ctx := context.Background()
	c, err := testcluster.StartCluster(ctx, testcluster.Options{ExtraAPIServerFlags: []string{"--watch-cache=false", "--etcd-compaction-interval=1s"}})
	require.NoError(t, err)
	t.Cleanup(c.Stop)
	direct, _ := client(t, c)
	ns := e2e.CreateNamespace(t, c, "dyn")
	cms := direct.Resource(cmGVR).Namespace(ns)
	p := newCutProxy(t, c)

	mustCreate(t, cms, "a0")
	mustCreate(t, cms, "a1")
	start, err := cms.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	rw, err := dynamic.NewRetryWatcher(ctx, p.client(t).Resource(cmGVR).Namespace(ns), metav1.ListOptions{}, e2eRetry)
	require.NoError(t, err)
	defer rw.Stop()
	expectEvent(t, rw, watch.Added, "a0", "")
	expectEvent(t, rw, watch.Added, "a1", "")

	release := p.cut()
	b0 := mustCreate(t, cms, "b0")
	require.NoError(t, cms.Delete(ctx, "a1", metav1.DeleteOptions{}))
	a0 := mustPatch(t, cms, "a0", "1")
	// Wait until the server has compacted away the version the watcher
	// will resume from.
	require.Eventually(t, func() bool {
		_, err := cms.List(ctx, metav1.ListOptions{ResourceVersion: start.GetResourceVersion(), ResourceVersionMatch: metav1.ResourceVersionMatchExact})
		return apierrors.IsResourceExpired(err) || apierrors.IsGone(err)
	}, 30*time.Second, 100*time.Millisecond, "the server never compacted")

	// The server's own answer to a watch from there.
	w, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: start.GetResourceVersion()})
	if err == nil {
		ev := nextEvent(t, w)
		require.Equal(t, watch.Error, ev.Type)
		err = apierrors.FromObject(ev.Object)
		w.Stop()
	}
	require.True(t, apierrors.IsResourceExpired(err) || apierrors.IsGone(err), "got %v", err)

	release()
	expectEvent(t, rw, watch.Deleted, "a1", "")
	expectEvent(t, rw, watch.Modified, "a0", a0.GetResourceVersion())
	expectEvent(t, rw, watch.Added, "b0", b0.GetResourceVersion())
	require.True(t, dynamic.IsRelistBookmark(nextEvent(t, rw)))
	c0 := mustCreate(t, cms, "c0")
	expectEvent(t, rw, watch.Added, "c0", c0.GetResourceVersion())
	noEvent(t, rw)
}
