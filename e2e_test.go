package anykube_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcerts"
	"github.com/anykube/anykube/internal/testcluster"
)

func TestMain(m *testing.M) { testcluster.Main(m) }

// clients returns a REST client and a dynamic client for the shared
// cluster, built from one Config, and skips the test in -short mode.
func clients(t *testing.T) (*testcluster.Cluster, *anykube.RESTClient, *dynamic.DynamicClient) {
	t.Helper()
	c := e2e.SharedWithCRDs(t, nil)
	cfg := e2e.Config(c, nil)
	rc, err := anykube.RESTClientFor(cfg)
	require.NoError(t, err)
	dc, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	return c, rc, dc
}

var configMaps = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

func configMap(name, value string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": name, "labels": map[string]any{"test": "rest"}},
		"data":     map[string]any{"k": value},
	}}
}

// TestE2ERESTClientMatchesDynamic creates, reads, lists and watches
// ConfigMaps through the REST client and checks that every answer is the
// one the dynamic client gives for the same objects.
func TestE2ERESTClientMatchesDynamic(t *testing.T) {
	c, rc, dc := clients(t)
	ns := e2e.CreateNamespace(t, c, "rest")
	ctx := context.Background()
	cms := func() *anykube.Request { return rc.Get().Version("v1").Namespace(ns).Resource("configmaps") }
	dcms := dc.Resource(configMaps).Namespace(ns)

	// Post: the object the server answers with is what dynamic Get reads.
	res := rc.Post().Version("v1").Namespace(ns).Resource("configmaps").
		VersionedParams(&metav1.CreateOptions{FieldManager: "rest-e2e"}).
		Body(configMap("a", "1")).Do(ctx)
	require.NoError(t, res.Error())
	assert.Equal(t, http.StatusCreated, res.StatusCode())
	created, err := res.Get()
	require.NoError(t, err)
	viaDynamic, err := dcms.Get(ctx, "a", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, viaDynamic.Object, created.Object)
	assert.Equal(t, "rest-e2e", created.GetManagedFields()[0].Manager)

	// Get: the same object, through Get and through Into.
	got, err := cms().Name("a").Do(ctx).Get()
	require.NoError(t, err)
	assert.Equal(t, viaDynamic.Object, got.Object)
	var typed struct {
		Data map[string]string `json:"data"`
	}
	require.NoError(t, cms().Name("a").Do(ctx).Into(&typed))
	assert.Equal(t, map[string]string{"k": "1"}, typed.Data)

	// A body from an io.Reader, and a merge patch.
	_, err = dcms.Create(ctx, configMap("b", "2"), metav1.CreateOptions{})
	require.NoError(t, err)
	patched, err := rc.Patch("application/merge-patch+json").Version("v1").Namespace(ns).Resource("configmaps").Name("b").
		Body(strings.NewReader(`{"data":{"k":"3"}}`)).Do(ctx).Get()
	require.NoError(t, err)
	assert.Equal(t, "3", patched.Object["data"].(map[string]any)["k"])

	// List: the same items as dynamic List, selector included.
	var list unstructured.UnstructuredList
	require.NoError(t, cms().VersionedParams(&metav1.ListOptions{LabelSelector: "test=rest"}).Do(ctx).Into(&list))
	dlist, err := dcms.List(ctx, metav1.ListOptions{LabelSelector: "test=rest"})
	require.NoError(t, err)
	assert.Equal(t, names(dlist.Items), names(list.Items))
	assert.Equal(t, []string{"a", "b"}, names(list.Items))
	for i := range list.Items {
		assert.Equal(t, dlist.Items[i].Object, list.Items[i].Object)
	}

	// Watch from the list's resourceVersion: the same events as dynamic's.
	rv := list.GetResourceVersion()
	w, err := cms().VersionedParams(&metav1.ListOptions{ResourceVersion: rv, LabelSelector: "test=rest"}).Watch(ctx)
	require.NoError(t, err)
	defer w.Stop()
	dw, err := dcms.Watch(ctx, metav1.ListOptions{ResourceVersion: rv, LabelSelector: "test=rest"})
	require.NoError(t, err)
	defer dw.Stop()
	_, err = dcms.Create(ctx, configMap("c", "4"), metav1.CreateOptions{})
	require.NoError(t, err)
	require.NoError(t, rc.Delete().Version("v1").Namespace(ns).Resource("configmaps").Name("a").Do(ctx).Error())
	for _, want := range []string{"ADDED c", "DELETED a"} {
		ev, dev := next(t, w), next(t, dw)
		assert.Equal(t, want, describe(ev))
		assert.Equal(t, dev.Type, ev.Type)
		assert.Equal(t, dev.Object.(*unstructured.Unstructured).Object, ev.Object.(*unstructured.Unstructured).Object)
	}

	// The server's errors are StatusErrors, as dynamic's are.
	err = cms().Name("a").Do(ctx).Error()
	assert.True(t, apierrors.IsNotFound(err), "%v", err)
	_, derr := dcms.Get(ctx, "a", metav1.GetOptions{})
	assert.Equal(t, derr.Error(), err.Error())
	err = rc.Post().Version("v1").Namespace(ns).Resource("configmaps").Body(configMap("b", "x")).Do(ctx).Error()
	assert.True(t, apierrors.IsAlreadyExists(err), "%v", err)
}

func names(items []unstructured.Unstructured) []string {
	var out []string
	for _, u := range items {
		out = append(out, u.GetName())
	}
	sort.Strings(out)
	return out
}

func next(t *testing.T, w watch.Interface) watch.Event {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		require.True(t, ok, "the watch ended")
		require.NotEqual(t, watch.Error, ev.Type, "%v", ev.Object)
		return ev
	case <-time.After(30 * time.Second):
		t.Fatal("no watch event within 30s")
		return watch.Event{}
	}
}

func describe(ev watch.Event) string {
	return fmt.Sprintf("%s %s", ev.Type, ev.Object.(*unstructured.Unstructured).GetName())
}

// TestE2ENonResourcePaths reads the paths tooling reads that no client
// models: health, version, metrics, OpenAPI.
func TestE2ENonResourcePaths(t *testing.T) {
	c, rc, _ := clients(t)
	ctx := context.Background()

	for _, p := range []string{"/healthz", "/livez", "/readyz"} {
		body, err := rc.Get().AbsPath(p).DoRaw(ctx)
		require.NoError(t, err, p)
		assert.Equal(t, "ok", string(body), p)
	}
	body, err := rc.Get().AbsPath("/readyz").Param("verbose", "true").DoRaw(ctx)
	require.NoError(t, err)
	assert.Contains(t, string(body), "[+]etcd ok")
	body, err = rc.Get().AbsPath("/healthz").Suffix("etcd").DoRaw(ctx)
	require.NoError(t, err)
	assert.Equal(t, "ok", string(body))

	var v struct {
		GitVersion string `json:"gitVersion"`
		Major      string `json:"major"`
	}
	require.NoError(t, rc.Get().AbsPath("/version").Do(ctx).Into(&v))
	assert.Equal(t, "v1.37.2", v.GitVersion)
	d, err := discovery.NewDiscoveryClientForConfig(e2e.Config(c, nil))
	require.NoError(t, err)
	sv, err := d.ServerVersion()
	require.NoError(t, err)
	assert.Equal(t, sv.GitVersion, v.GitVersion)
	viaDiscovery, err := d.RESTClient().Get().AbsPath("/version").DoRaw(ctx)
	require.NoError(t, err)
	var v2 map[string]any
	require.NoError(t, json.Unmarshal(viaDiscovery, &v2))
	assert.Equal(t, v.GitVersion, v2["gitVersion"])

	// /metrics is Prometheus text, streamed.
	m, err := rc.Get().AbsPath("/metrics").SetHeader("Accept", "text/plain").Stream(ctx)
	require.NoError(t, err)
	metrics, err := io.ReadAll(m)
	m.Close()
	require.NoError(t, err)
	assert.Contains(t, string(metrics), "apiserver_request_total")

	// The server labels its OpenAPI v3 index text/plain, which Into
	// refuses as not JSON; DoRaw hands over the bytes whatever the label.
	res := rc.Get().AbsPath("/openapi/v3").Do(ctx)
	var de *anykube.DecodeError
	require.ErrorAs(t, res.Into(&struct{}{}), &de)
	raw, err := res.Raw()
	require.NoError(t, err)
	var paths struct {
		Paths map[string]any `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(raw, &paths))
	assert.Contains(t, paths.Paths, "api/v1")

	err = rc.Get().AbsPath("/no/such/path").Do(ctx).Error()
	assert.True(t, apierrors.IsNotFound(err), "%v", err)
}

// TestE2EPodSubresources reaches pod subresources through the REST client
// on a cluster without nodes: the pod is never scheduled, which the server
// answers for pods/log with 204 No Content, and the errors of a wrong
// container or pod are the server's StatusErrors.
func TestE2EPodSubresources(t *testing.T) {
	c, rc, _ := clients(t)
	ns := e2e.CreateNamespace(t, c, "rest-pods")
	ctx := context.Background()
	// Without a controller-manager nobody makes the default service
	// account that pod admission looks up.
	require.NoError(t, rc.Post().Version("v1").Namespace(ns).Resource("serviceaccounts").
		Body([]byte(`{"metadata":{"name":"default"}}`)).Do(ctx).Error())
	pod := []byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"two"},"spec":{"containers":[{"name":"app","image":"busybox"},{"name":"side","image":"busybox"}]}}`)
	require.NoError(t, rc.Post().Version("v1").Namespace(ns).Resource("pods").Body(pod).Do(ctx).Error())
	logs := func(name string) *anykube.Request {
		return rc.Get().Version("v1").Namespace(ns).Resource("pods").Name(name).SubResource("log")
	}

	res := logs("two").Param("container", "app").Do(ctx)
	require.NoError(t, res.Error())
	assert.Equal(t, http.StatusNoContent, res.StatusCode(), "an unscheduled pod has no log to serve")

	err := logs("two").Param("container", "nope").Do(ctx).Error()
	assert.True(t, apierrors.IsBadRequest(err), "%v", err)
	assert.Contains(t, err.Error(), "container nope is not valid for pod two")
	_, err = logs("two").Stream(ctx)
	assert.True(t, apierrors.IsBadRequest(err), "%v", err)
	assert.Contains(t, err.Error(), "a container name must be specified")
	_, err = logs("missing").Stream(ctx)
	assert.True(t, apierrors.IsNotFound(err), "%v", err)

	// The eviction subresource, a POST with a body of its own.
	eviction := []byte(fmt.Sprintf(`{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"two","namespace":%q}}`, ns))
	require.NoError(t, rc.Post().Version("v1").Namespace(ns).Resource("pods").Name("two").SubResource("eviction").Body(eviction).Do(ctx).Error())
	err = rc.Get().Version("v1").Namespace(ns).Resource("pods").Name("two").Do(ctx).Error()
	if err == nil {
		// Without a kubelet the pod keeps a deletion timestamp instead of
		// going away.
		u, err := rc.Get().Version("v1").Namespace(ns).Resource("pods").Name("two").Do(ctx).Get()
		require.NoError(t, err)
		assert.NotNil(t, u.GetDeletionTimestamp(), "the eviction deleted the pod")
	} else {
		assert.True(t, apierrors.IsNotFound(err), "%v", err)
	}
}

// TestE2ECAFile reaches kube-apiserver with its CA in a file, through the
// transport that follows the file: rewritten with garbage (the CA read
// before stays) and then with a bundle of the cluster's CA and another
// (the transport is replaced), one client keeps working over new
// connections.
func TestE2ECAFile(t *testing.T) {
	c := e2e.SharedWithCRDs(t, nil)
	caFile := filepath.Join(t.TempDir(), "ca.crt")
	require.NoError(t, os.WriteFile(caFile, c.CAData, 0o600))
	cfg := e2e.Config(c, nil)
	cfg.TLSClientConfig = anykube.TLSClientConfig{CAFile: caFile}
	hc, err := anykube.HTTPClientFor(cfg)
	require.NoError(t, err)
	rc, err := anykube.RESTClientForConfigAndClient(cfg, hc)
	require.NoError(t, err)
	ctx := context.Background()
	version := func() {
		t.Helper()
		hc.CloseIdleConnections()
		body, err := rc.Get().AbsPath("/version").DoRaw(ctx)
		require.NoError(t, err)
		assert.Contains(t, string(body), "v1.37.2")
	}
	version()
	require.NoError(t, os.WriteFile(caFile, []byte("garbage"), 0o600))
	version()
	other, err := testcerts.NewCA("another CA")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(caFile, append(append([]byte{}, other.PEM...), c.CAData...), 0o600))
	version()
}
