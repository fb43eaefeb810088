package fake

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/dynamic"
)

// next returns the next event, failing the test after a second.
func next(t *testing.T, w watch.Interface) watch.Event {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		require.True(t, ok, "watch closed early")
		return ev
	case <-time.After(time.Second):
		t.Fatal("no event within a second")
	}
	return watch.Event{}
}

// closed checks that the watch ends without further events.
func closed(t *testing.T, w watch.Interface) {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		require.False(t, ok, "unexpected event %v", ev)
	case <-time.After(5 * time.Second):
		t.Fatal("watch not closed within 5s")
	}
}

func quiet(t *testing.T, w watch.Interface) {
	t.Helper()
	select {
	case ev := <-w.ResultChan():
		t.Fatalf("unexpected event %s %v", ev.Type, ev.Object)
	case <-time.After(50 * time.Millisecond):
	}
}

func nameOf(ev watch.Event) string {
	return ev.Object.(*unstructured.Unstructured).GetName()
}

func rvOf(ev watch.Event) string {
	return ev.Object.(*unstructured.Unstructured).GetResourceVersion()
}

func TestWatchOrderAndInitialState(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil, configMap("ns", "existing", nil))
	cms := c.Resource(cmGVR).Namespace("ns")
	w, err := cms.Watch(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	defer w.Stop()

	ev := next(t, w)
	assert.Equal(t, watch.Added, ev.Type)
	assert.Equal(t, "existing", nameOf(ev), "a watch without a version starts with the current state")

	created, err := cms.Create(ctx, configMap("", "a", nil), metav1.CreateOptions{})
	require.NoError(t, err)
	created.Object["data"] = map[string]any{"k": "v"}
	updated, err := cms.Update(ctx, created, metav1.UpdateOptions{})
	require.NoError(t, err)
	require.NoError(t, cms.Delete(ctx, "a", metav1.DeleteOptions{}))

	ev = next(t, w)
	assert.Equal(t, watch.Added, ev.Type)
	assert.Equal(t, created.GetResourceVersion(), rvOf(ev))
	ev = next(t, w)
	assert.Equal(t, watch.Modified, ev.Type)
	assert.Equal(t, updated.GetResourceVersion(), rvOf(ev))
	ev = next(t, w)
	assert.Equal(t, watch.Deleted, ev.Type)
	assert.Equal(t, c.ResourceVersion(), rvOf(ev), "a DELETED event carries the deletion's version")
	assert.Equal(t, "v", ev.Object.(*unstructured.Unstructured).Object["data"].(map[string]any)["k"], "and the last state")

	// Other namespaces and resources are not seen.
	_, err = c.Resource(cmGVR).Namespace("other").Create(ctx, configMap("", "x", nil), metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = c.Resource(deployGVR).Namespace("ns").Create(ctx, deployment("ns", "x", 1), metav1.CreateOptions{})
	require.NoError(t, err)
	quiet(t, w)

	w.Stop()
	closed(t, w)
	assert.Equal(t, 0, c.WatchCount())
}

func TestWatchFromResourceVersionReplays(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil)
	cms := c.Resource(cmGVR).Namespace("ns")
	_, err := cms.Create(ctx, configMap("", "a", nil), metav1.CreateOptions{})
	require.NoError(t, err)
	start := c.ResourceVersion()
	_, err = cms.Create(ctx, configMap("", "b", nil), metav1.CreateOptions{})
	require.NoError(t, err)
	require.NoError(t, cms.Delete(ctx, "a", metav1.DeleteOptions{}))

	w, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: start})
	require.NoError(t, err)
	defer w.Stop()
	ev := next(t, w)
	assert.Equal(t, watch.Added, ev.Type)
	assert.Equal(t, "b", nameOf(ev))
	ev = next(t, w)
	assert.Equal(t, watch.Deleted, ev.Type)
	assert.Equal(t, "a", nameOf(ev))
	quiet(t, w)

	// sendInitialEvents=false with no version starts at the present.
	no := false
	w2, err := cms.Watch(ctx, metav1.ListOptions{SendInitialEvents: &no, ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan})
	require.NoError(t, err)
	defer w2.Stop()
	quiet(t, w2)
}

func TestWatchTooOldResourceVersion(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil, configMap("ns", "a", nil))
	start := c.ResourceVersion()
	c.Resource(cmGVR).Namespace("ns").Delete(ctx, "a", metav1.DeleteOptions{})
	c.Compact()
	w, err := c.Resource(cmGVR).Watch(ctx, metav1.ListOptions{ResourceVersion: start})
	require.NoError(t, err, "the server reports an expired version inside the stream")
	ev := next(t, w)
	require.Equal(t, watch.Error, ev.Type)
	st, ok := ev.Object.(*metav1.Status)
	require.True(t, ok, "ERROR carries a *metav1.Status, got %T", ev.Object)
	assert.EqualValues(t, 410, st.Code)
	assert.True(t, apierrors.IsResourceExpired(apierrors.FromObject(ev.Object)))
	closed(t, w)
}

func TestWatchSelectorTransitions(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil)
	cms := c.Resource(cmGVR).Namespace("ns")
	w, err := cms.Watch(ctx, metav1.ListOptions{LabelSelector: "app=x"})
	require.NoError(t, err)
	defer w.Stop()

	obj, err := cms.Create(ctx, configMap("", "a", nil), metav1.CreateOptions{})
	require.NoError(t, err)
	quiet(t, w)
	obj.SetLabels(map[string]string{"app": "x"})
	obj, err = cms.Update(ctx, obj, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.Equal(t, watch.Added, next(t, w).Type, "entering the selection is ADDED")
	obj.SetLabels(map[string]string{"app": "y"})
	obj, err = cms.Update(ctx, obj, metav1.UpdateOptions{})
	require.NoError(t, err)
	ev := next(t, w)
	assert.Equal(t, watch.Deleted, ev.Type, "leaving it is DELETED")
	assert.Equal(t, obj.GetResourceVersion(), rvOf(ev))
	assert.Equal(t, "x", ev.Object.(*unstructured.Unstructured).GetLabels()["app"], "with the last matching state")
}

func TestWatchStreamingListAndBookmarks(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil, configMap("ns", "a", nil), configMap("ns", "b", nil))
	yes := true
	w, err := c.Resource(cmGVR).Watch(ctx, metav1.ListOptions{
		SendInitialEvents: &yes, ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan, AllowWatchBookmarks: true,
	})
	require.NoError(t, err)
	defer w.Stop()
	assert.Equal(t, "a", nameOf(next(t, w)))
	assert.Equal(t, "b", nameOf(next(t, w)))
	ev := next(t, w)
	require.Equal(t, watch.Bookmark, ev.Type)
	b := ev.Object.(*unstructured.Unstructured)
	assert.Equal(t, "true", b.GetAnnotations()[InitialEventsEndAnnotation])
	assert.Equal(t, c.ResourceVersion(), b.GetResourceVersion())
	assert.Equal(t, "ConfigMap", b.GetKind())

	c.SendBookmarks()
	ev = next(t, w)
	require.Equal(t, watch.Bookmark, ev.Type)
	assert.Empty(t, ev.Object.(*unstructured.Unstructured).GetAnnotations())

	// sendInitialEvents without the match is refused as on the server.
	_, err = c.Resource(cmGVR).Watch(ctx, metav1.ListOptions{SendInitialEvents: &yes})
	assert.True(t, apierrors.IsInvalid(err), "got %v", err)
	// A watch that did not ask for bookmarks gets none.
	plain, err := c.Resource(cmGVR).Watch(ctx, metav1.ListOptions{ResourceVersion: c.ResourceVersion()})
	require.NoError(t, err)
	defer plain.Stop()
	c.SendBookmarks()
	quiet(t, plain)
}

func TestWatchEnds(t *testing.T) {
	c := NewSimpleDynamicClient(nil)
	ctx, cancel := context.WithCancel(context.Background())
	w, err := c.Resource(cmGVR).Watch(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	cancel()
	closed(t, w)

	one := int64(1)
	start := time.Now()
	w, err = c.Resource(cmGVR).Watch(context.Background(), metav1.ListOptions{TimeoutSeconds: &one})
	require.NoError(t, err)
	closed(t, w)
	assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond)

	w, err = c.Resource(cmGVR).Watch(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	c.StopWatches()
	closed(t, w)
	w.Stop() // a second stop is harmless
	assert.Equal(t, 0, c.WatchCount())
}

func TestWatchNeverBlocksWriters(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil)
	w, err := c.Resource(cmGVR).Watch(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	cms := c.Resource(cmGVR).Namespace("ns")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 500 {
			cms.Create(ctx, configMap("", "cm"+string(rune('a'+i%26))+string(rune('a'+i/26)), nil), metav1.CreateOptions{})
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("writers blocked on an unread watch")
	}
	for range 500 {
		assert.Equal(t, watch.Added, next(t, w).Type)
	}
	w.Stop()
}

func TestPatchTypes(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil, deployment("ns", "web", 1))
	d := c.Resource(deployGVR).Namespace("ns")

	got, err := d.Patch(ctx, "web", types.MergePatchType, []byte(`{"metadata":{"labels":{"a":"b"}},"spec":{"replicas":3}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	assert.Equal(t, "b", got.GetLabels()["a"])
	r, _, _ := unstructured.NestedInt64(got.Object, "spec", "replicas")
	assert.EqualValues(t, 3, r)
	assert.EqualValues(t, 2, got.GetGeneration())

	got, err = d.Patch(ctx, "web", types.JSONPatchType, []byte(`[
		{"op":"test","path":"/spec/replicas","value":3},
		{"op":"add","path":"/spec/template","value":{"c":[1,2]}},
		{"op":"add","path":"/spec/template/c/-","value":3},
		{"op":"add","path":"/spec/template/c/0","value":0},
		{"op":"remove","path":"/spec/template/c/1"},
		{"op":"replace","path":"/metadata/labels/a","value":"z"},
		{"op":"copy","from":"/metadata/labels","path":"/metadata/annotations"},
		{"op":"move","from":"/spec/template/c","path":"/spec/list"}
	]`), metav1.PatchOptions{})
	require.NoError(t, err)
	assert.Equal(t, []any{int64(0), int64(2), int64(3)}, got.Object["spec"].(map[string]any)["list"])
	assert.Equal(t, map[string]any{}, got.Object["spec"].(map[string]any)["template"])
	assert.Equal(t, "z", got.GetAnnotations()["a"])

	_, err = d.Patch(ctx, "web", types.JSONPatchType, []byte(`[{"op":"test","path":"/spec/replicas","value":4}]`), metav1.PatchOptions{})
	assert.True(t, apierrors.IsInvalid(err), "a failed test is 422; got %v", err)
	_, err = d.Patch(ctx, "web", types.JSONPatchType, []byte(`{"op":"add"}`), metav1.PatchOptions{})
	assert.True(t, apierrors.IsBadRequest(err), "got %v", err)
	_, err = d.Patch(ctx, "web", types.JSONPatchType, []byte(`[{"op":"remove","path":"/nope/x"}]`), metav1.PatchOptions{})
	assert.True(t, apierrors.IsInvalid(err), "got %v", err)
	_, err = d.Patch(ctx, "web", types.MergePatchType, []byte(`{"metadata":{"resourceVersion":"1"}}`), metav1.PatchOptions{})
	assert.True(t, apierrors.IsConflict(err), "a patch carrying a stale version conflicts; got %v", err)
	_, err = d.Patch(ctx, "web", types.MergePatchType, []byte(`{"metadata":{"name":"other"}}`), metav1.PatchOptions{})
	assert.True(t, apierrors.IsBadRequest(err), "got %v", err)
	_, err = d.Patch(ctx, "web", types.MergePatchType, []byte(`{`), metav1.PatchOptions{})
	assert.True(t, apierrors.IsBadRequest(err), "got %v", err)
	_, err = d.Patch(ctx, "web", types.StrategicMergePatchType, []byte(`{"spec":{"$retainKeys":["a"]}}`), metav1.PatchOptions{})
	assert.True(t, apierrors.IsBadRequest(err), "got %v", err)
	_, err = d.Patch(ctx, "web", types.PatchType("text/plain"), []byte(`x`), metav1.PatchOptions{})
	assert.True(t, apierrors.IsUnsupportedMediaType(err), "got %v", err)
	_, err = d.Patch(ctx, "missing", types.MergePatchType, []byte(`{}`), metav1.PatchOptions{})
	assert.True(t, apierrors.IsNotFound(err), "got %v", err)

	got, err = d.Patch(ctx, "web", types.StrategicMergePatchType, []byte(`{"metadata":{"labels":{"a":null}}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	assert.NotContains(t, got.GetLabels(), "a")

	before := c.ResourceVersion()
	got, err = d.Patch(ctx, "web", types.MergePatchType, []byte(`{}`), metav1.PatchOptions{})
	require.NoError(t, err)
	assert.Equal(t, before, got.GetResourceVersion(), "an empty patch writes nothing")
}

func TestApplyCreateOrMerge(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil)
	cms := c.Resource(cmGVR).Namespace("ns")
	opts := metav1.ApplyOptions{FieldManager: "me"}

	got, err := cms.Apply(ctx, "a", configMap("", "a", map[string]any{"x": "1", "y": "2"}), opts)
	require.NoError(t, err)
	assert.Equal(t, "ns", got.GetNamespace())
	got, err = cms.Apply(ctx, "a", configMap("", "a", map[string]any{"x": "9"}), opts)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"x": "9", "y": "2"}, got.Object["data"], "merged, and dropped fields stay")

	// The same through Patch with an apply patch body in YAML.
	got, err = cms.Patch(ctx, "a", types.ApplyYAMLPatchType, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  z: \"3\"\n"), metav1.PatchOptions{FieldManager: "me"})
	require.NoError(t, err)
	assert.Equal(t, "3", got.Object["data"].(map[string]any)["z"])
	_, err = cms.Patch(ctx, "a", types.ApplyPatchType, []byte("{}"), metav1.PatchOptions{})
	assert.True(t, apierrors.IsInvalid(err), "apply patch without manager; got %v", err)

	_, err = cms.Apply(ctx, "a", configMap("", "a", nil), metav1.ApplyOptions{})
	assert.ErrorIs(t, err, dynamic.ErrInvalidRequest)
	withMF := configMap("", "a", nil)
	withMF.SetManagedFields([]metav1.ManagedFieldsEntry{{Manager: "x"}})
	_, err = cms.Apply(ctx, "a", withMF, opts)
	assert.ErrorIs(t, err, dynamic.ErrInvalidRequest)
	_, err = cms.Apply(ctx, "b", configMap("", "a", nil), opts)
	assert.True(t, apierrors.IsBadRequest(err), "name mismatch; got %v", err)
	_, err = cms.ApplyStatus(ctx, "missing", configMap("", "missing", nil), opts)
	assert.True(t, apierrors.IsNotFound(err), "status apply needs the object; got %v", err)

	dry, err := cms.Apply(ctx, "new", configMap("", "new", nil), metav1.ApplyOptions{FieldManager: "me", DryRun: []string{metav1.DryRunAll}})
	require.NoError(t, err)
	assert.Equal(t, "new", dry.GetName())
	_, err = cms.Get(ctx, "new", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err))
}
