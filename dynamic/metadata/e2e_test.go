package metadata_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/metadata"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
)

func TestMain(m *testing.M) { testcluster.Main(m) }

const crdGroup = "meta.anykube.test"

var (
	cmGVR     = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	widgetGVR = schema.GroupVersionResource{Group: crdGroup, Version: "v1", Resource: "widgets"}
	testCRDs  = []e2e.CRD{{Group: crdGroup, Kind: "Widget", Versions: []string{"v1"}, Namespaced: true}}
)

// metaOf is the metadata of a full object, as the metadata view should
// give it.
func metaOf(t *testing.T, u *unstructured.Unstructured) metav1.ObjectMeta {
	t.Helper()
	var m metav1.ObjectMeta
	require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object["metadata"].(map[string]any), &m))
	return m
}

func newObj(apiVersion, kind, name string, fields map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind}}
	for k, v := range fields {
		u.Object[k] = v
	}
	u.SetName(name)
	u.SetLabels(map[string]string{"team": "a"})
	u.SetAnnotations(map[string]string{"note": "x"})
	u.SetFinalizers([]string{"anykube.test/keep"})
	return u
}

// TestE2EMetadataMatchesFullObjects checks Get, List and Watch of the
// metadata view give the metadata of the full objects, for a built-in
// resource and a CRD, and that Patch and Delete work through the view.
func TestE2EMetadataMatchesFullObjects(t *testing.T) {
	c := e2e.SharedWithCRDs(t, testCRDs)
	cfg := e2e.Config(c, &e2e.Counter{})
	dc, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	mc, err := metadata.NewForConfig(cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ns := e2e.CreateNamespace(t, c, "meta")

	for _, tc := range []struct {
		gvr              schema.GroupVersionResource
		apiVersion, kind string
		fields           map[string]any
	}{
		{cmGVR, "v1", "ConfigMap", map[string]any{"data": map[string]any{"big": "payload"}}},
		{widgetGVR, crdGroup + "/v1", "Widget", map[string]any{"spec": map[string]any{"replicas": int64(2)}}},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			full := dc.Resource(tc.gvr).Namespace(ns)
			meta := mc.Resource(tc.gvr).Namespace(ns)

			w, err := meta.Watch(ctx, metav1.ListOptions{})
			require.NoError(t, err)
			defer w.Stop()

			created, err := full.Create(ctx, newObj(tc.apiVersion, tc.kind, "one", tc.fields), metav1.CreateOptions{})
			require.NoError(t, err)

			got, err := meta.Get(ctx, "one", metav1.GetOptions{})
			require.NoError(t, err)
			assert.Equal(t, metav1.TypeMeta{APIVersion: "meta.k8s.io/v1", Kind: "PartialObjectMetadata"}, got.TypeMeta)
			assert.Equal(t, metaOf(t, created), got.ObjectMeta)
			assert.NotEmpty(t, got.ManagedFields)

			list, err := meta.List(ctx, metav1.ListOptions{})
			require.NoError(t, err)
			assert.Equal(t, "PartialObjectMetadataList", list.Kind)
			require.Len(t, list.Items, 1)
			assert.Equal(t, metaOf(t, created), list.Items[0].ObjectMeta)
			fullList, err := full.List(ctx, metav1.ListOptions{})
			require.NoError(t, err)
			assert.Equal(t, fullList.GetResourceVersion() != "", list.ResourceVersion != "")

			ev := <-w.ResultChan()
			require.Equal(t, watch.Added, ev.Type, "%v", ev.Object)
			assert.Equal(t, metaOf(t, created), ev.Object.(*metav1.PartialObjectMetadata).ObjectMeta)

			patched, err := meta.Patch(ctx, "one", types.MergePatchType, []byte(`{"metadata":{"finalizers":null,"labels":{"team":"b"}}}`), metav1.PatchOptions{})
			require.NoError(t, err)
			assert.Equal(t, "b", patched.Labels["team"])
			now, err := full.Get(ctx, "one", metav1.GetOptions{})
			require.NoError(t, err)
			assert.Equal(t, metaOf(t, now), patched.ObjectMeta)
			ev = <-w.ResultChan()
			require.Equal(t, watch.Modified, ev.Type)
			assert.Equal(t, metaOf(t, now), ev.Object.(*metav1.PartialObjectMetadata).ObjectMeta)

			require.NoError(t, meta.Delete(ctx, "one", metav1.DeleteOptions{}))
			ev = <-w.ResultChan()
			assert.Equal(t, watch.Deleted, ev.Type)
		})
	}
}

// TestE2EMetadataClusterScoped lists namespaces through the view.
func TestE2EMetadataClusterScoped(t *testing.T) {
	c := e2e.SharedWithCRDs(t, testCRDs)
	mc, err := metadata.NewForConfig(e2e.Config(c, &e2e.Counter{}))
	require.NoError(t, err)
	list, err := mc.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}).List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	var names []string
	for _, it := range list.Items {
		names = append(names, it.Name)
	}
	assert.Contains(t, names, "default")
}
