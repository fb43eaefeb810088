package dynamic_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/internal/e2e"
	"github.com/anykube/anykube/internal/testcluster"
)

func TestMain(m *testing.M) { testcluster.Main(m) }

const crdGroup = "dyn.anykube.test"

var (
	nsGVR     = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	deployGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	widgetGVR = schema.GroupVersionResource{Group: crdGroup, Version: "v1", Resource: "widgets"}
	gadgetGVR = schema.GroupVersionResource{Group: crdGroup, Version: "v1", Resource: "gadgets"}

	testCRDs = []e2e.CRD{
		{Group: crdGroup, Kind: "Widget", Versions: []string{"v1"}, Namespaced: true, Scale: true},
		{Group: crdGroup, Kind: "Gadget", Versions: []string{"v1"}, Scale: true},
	}
)

// cluster returns the shared cluster with the test CRDs installed, skipping
// in -short mode.
func cluster(t testing.TB) *testcluster.Cluster {
	t.Helper()
	return e2e.SharedWithCRDs(t, testCRDs)
}

// client returns a dynamic client for the cluster, without client-side rate
// limiting, and the counter of its requests.
func client(t testing.TB, c *testcluster.Cluster) (*dynamic.DynamicClient, *e2e.Counter) {
	t.Helper()
	cnt := &e2e.Counter{}
	dc, err := dynamic.NewForConfig(e2e.Config(c, cnt))
	require.NoError(t, err)
	return dc, cnt
}

func obj(apiVersion, kind, name string, fields map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind}}
	for k, v := range fields {
		u.Object[k] = v
	}
	u.SetName(name)
	return u
}

func str(t *testing.T, u *unstructured.Unstructured, path ...string) string {
	t.Helper()
	s, _, err := unstructured.NestedString(u.Object, path...)
	require.NoError(t, err)
	return s
}

func num(t *testing.T, u *unstructured.Unstructured, path ...string) int64 {
	t.Helper()
	n, _, err := unstructured.NestedInt64(u.Object, path...)
	require.NoError(t, err)
	return n
}

func TestE2EConfigMapVerbs(t *testing.T) {
	c := cluster(t)
	dc, _ := client(t, c)
	ctx := context.Background()
	ns := e2e.CreateNamespace(t, c, "dyn")
	cms := dc.Resource(cmGVR).Namespace(ns)

	created, err := cms.Create(ctx, obj("v1", "ConfigMap", "one", map[string]any{"data": map[string]any{"a": "1"}}), metav1.CreateOptions{})
	require.NoError(t, err)
	assert.Equal(t, ns, created.GetNamespace())
	assert.NotEmpty(t, created.GetUID())
	_, err = cms.Create(ctx, obj("v1", "ConfigMap", "one", nil), metav1.CreateOptions{})
	assert.True(t, apierrors.IsAlreadyExists(err), "got %v", err)

	got, err := cms.Get(ctx, "one", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, created.GetResourceVersion(), got.GetResourceVersion())
	_, err = cms.Get(ctx, "missing", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "got %v", err)

	got.Object["data"] = map[string]any{"a": "2"}
	updated, err := cms.Update(ctx, got, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.Equal(t, "2", str(t, updated, "data", "a"))
	_, err = cms.Update(ctx, created, metav1.UpdateOptions{})
	assert.True(t, apierrors.IsConflict(err), "a stale resourceVersion conflicts; got %v", err)

	p, err := cms.Patch(ctx, "one", types.MergePatchType, []byte(`{"data":{"b":"3"}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	assert.Equal(t, "3", str(t, p, "data", "b"))
	p, err = cms.Patch(ctx, "one", types.JSONPatchType, []byte(`[{"op":"replace","path":"/data/a","value":"4"}]`), metav1.PatchOptions{})
	require.NoError(t, err)
	assert.Equal(t, "4", str(t, p, "data", "a"))
	p, err = cms.Patch(ctx, "one", types.StrategicMergePatchType, []byte(`{"data":{"c":"5"}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": "4", "b": "3", "c": "5"}, p.Object["data"])

	list, err := cms.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, "ConfigMapList", list.GetKind())
	assert.Equal(t, "v1", list.GetAPIVersion())
	require.Len(t, list.Items, 1, "no controller-manager, so no kube-root-ca.crt")
	for _, it := range list.Items {
		assert.Equal(t, "ConfigMap", it.GetKind())
		assert.Equal(t, "v1", it.GetAPIVersion())
	}

	require.NoError(t, cms.Delete(ctx, "one", metav1.DeleteOptions{}))
	_, err = cms.Get(ctx, "one", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "got %v", err)
	assert.True(t, apierrors.IsNotFound(cms.Delete(ctx, "one", metav1.DeleteOptions{})))
}

func TestE2EApplyConflictAndForce(t *testing.T) {
	c := cluster(t)
	dc, _ := client(t, c)
	ctx := context.Background()
	cms := dc.Resource(cmGVR).Namespace(e2e.CreateNamespace(t, c, "dyn"))

	a := obj("v1", "ConfigMap", "shared", map[string]any{"data": map[string]any{"owner": "a", "a-only": "x"}})
	got, err := cms.Apply(ctx, "shared", a, metav1.ApplyOptions{FieldManager: "manager-a"})
	require.NoError(t, err)
	require.Len(t, got.GetManagedFields(), 1)
	assert.Equal(t, "manager-a", got.GetManagedFields()[0].Manager)

	b := obj("v1", "ConfigMap", "shared", map[string]any{"data": map[string]any{"owner": "b"}})
	_, err = cms.Apply(ctx, "shared", b, metav1.ApplyOptions{FieldManager: "manager-b"})
	require.True(t, apierrors.IsConflict(err), "taking a field another manager set conflicts; got %v", err)
	assert.Contains(t, err.Error(), ".data.owner")

	got, err = cms.Apply(ctx, "shared", b, metav1.ApplyOptions{FieldManager: "manager-b", Force: true})
	require.NoError(t, err)
	assert.Equal(t, "b", str(t, got, "data", "owner"))
	assert.Equal(t, "x", str(t, got, "data", "a-only"), "fields of manager-a stay")

	// Applying what the server returned is refused: it carries
	// managedFields, and would claim every field for the caller.
	_, err = cms.Apply(ctx, "shared", got, metav1.ApplyOptions{FieldManager: "manager-b"})
	assert.ErrorIs(t, err, dynamic.ErrInvalidRequest)

	// Dropping a field from a later apply removes it, since manager-a
	// alone owned it.
	a2 := obj("v1", "ConfigMap", "shared", map[string]any{"data": map[string]any{}})
	got, err = cms.Apply(ctx, "shared", a2, metav1.ApplyOptions{FieldManager: "manager-a"})
	require.NoError(t, err)
	assert.NotContains(t, got.Object["data"], "a-only")
}

func TestE2EDryRun(t *testing.T) {
	c := cluster(t)
	dc, _ := client(t, c)
	ctx := context.Background()
	cms := dc.Resource(cmGVR).Namespace(e2e.CreateNamespace(t, c, "dyn"))
	dry := []string{metav1.DryRunAll}

	got, err := cms.Create(ctx, obj("v1", "ConfigMap", "ghost", nil), metav1.CreateOptions{DryRun: dry})
	require.NoError(t, err)
	assert.Equal(t, "ghost", got.GetName())
	_, err = cms.Get(ctx, "ghost", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "got %v", err)

	_, err = cms.Apply(ctx, "ghost", obj("v1", "ConfigMap", "ghost", nil), metav1.ApplyOptions{FieldManager: "m", DryRun: dry})
	require.NoError(t, err)
	_, err = cms.Get(ctx, "ghost", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "got %v", err)

	real, err := cms.Create(ctx, obj("v1", "ConfigMap", "real", map[string]any{"data": map[string]any{"k": "v"}}), metav1.CreateOptions{})
	require.NoError(t, err)
	p, err := cms.Patch(ctx, "real", types.MergePatchType, []byte(`{"data":{"k":"dry"}}`), metav1.PatchOptions{DryRun: dry})
	require.NoError(t, err)
	assert.Equal(t, "dry", str(t, p, "data", "k"))
	require.NoError(t, cms.Delete(ctx, "real", metav1.DeleteOptions{DryRun: dry}))
	still, err := cms.Get(ctx, "real", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, real.GetResourceVersion(), still.GetResourceVersion())
	assert.Equal(t, "v", str(t, still, "data", "k"))
}

func TestE2EDeleteCollectionWithSelector(t *testing.T) {
	c := cluster(t)
	dc, _ := client(t, c)
	ctx := context.Background()
	cms := dc.Resource(cmGVR).Namespace(e2e.CreateNamespace(t, c, "dyn"))
	for i := range 8 {
		cm := obj("v1", "ConfigMap", fmt.Sprintf("cm%d", i), nil)
		if i < 5 {
			cm.SetLabels(map[string]string{"batch": "old"})
		}
		_, err := cms.Create(ctx, cm, metav1.CreateOptions{})
		require.NoError(t, err)
	}
	require.NoError(t, cms.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: "batch=old"}))
	list, err := cms.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	var names []string
	for _, it := range list.Items {
		names = append(names, it.GetName())
	}
	assert.Equal(t, []string{"cm5", "cm6", "cm7"}, names)
}

func deployment(name string) *unstructured.Unstructured {
	return obj("apps/v1", "Deployment", name, map[string]any{
		"spec": map[string]any{
			"replicas": int64(1),
			"selector": map[string]any{"matchLabels": map[string]any{"app": name}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": name}},
				"spec": map[string]any{"containers": []any{
					map[string]any{"name": "main", "image": "example.com/main:1"},
					map[string]any{"name": "side", "image": "example.com/side:1"},
				}},
			},
		},
	})
}

func TestE2EDeployment(t *testing.T) {
	c := cluster(t)
	dc, _ := client(t, c)
	ctx := context.Background()
	deploys := dc.Resource(deployGVR).Namespace(e2e.CreateNamespace(t, c, "dyn"))

	d, err := deploys.Create(ctx, deployment("web"), metav1.CreateOptions{})
	require.NoError(t, err)
	assert.EqualValues(t, 1, d.GetGeneration())

	// Strategic merge patch merges containers by name.
	d, err = deploys.Patch(ctx, "web", types.StrategicMergePatchType, []byte(`{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"example.com/side:2"}]}}}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	containers, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	require.Len(t, containers, 2)
	assert.Equal(t, "example.com/main:1", containers[0].(map[string]any)["image"])
	assert.Equal(t, "example.com/side:2", containers[1].(map[string]any)["image"])
	assert.EqualValues(t, 2, d.GetGeneration())

	// The status subresource writes status only, the object everything but.
	withStatus := d.DeepCopy()
	unstructured.SetNestedField(withStatus.Object, int64(1), "status", "replicas")
	unstructured.SetNestedField(withStatus.Object, int64(5), "spec", "replicas")
	st, err := deploys.UpdateStatus(ctx, withStatus, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.EqualValues(t, 1, num(t, st, "status", "replicas"))
	assert.EqualValues(t, 1, num(t, st, "spec", "replicas"), "UpdateStatus leaves spec")
	assert.Equal(t, d.GetGeneration(), st.GetGeneration())

	main := st.DeepCopy()
	unstructured.SetNestedField(main.Object, int64(9), "status", "replicas")
	unstructured.SetNestedField(main.Object, int64(2), "spec", "replicas")
	up, err := deploys.Update(ctx, main, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.EqualValues(t, 1, num(t, up, "status", "replicas"), "Update leaves status")
	assert.EqualValues(t, 2, num(t, up, "spec", "replicas"))

	// The scale subresource is another kind at another path.
	scale, err := deploys.Get(ctx, "web", metav1.GetOptions{}, "scale")
	require.NoError(t, err)
	assert.Equal(t, "Scale", scale.GetKind())
	assert.Equal(t, "autoscaling/v1", scale.GetAPIVersion())
	assert.EqualValues(t, 2, num(t, scale, "spec", "replicas"))
	unstructured.SetNestedField(scale.Object, int64(4), "spec", "replicas")
	_, err = deploys.Update(ctx, scale, metav1.UpdateOptions{}, "scale")
	require.NoError(t, err)
	got, err := deploys.Get(ctx, "web", metav1.GetOptions{})
	require.NoError(t, err)
	assert.EqualValues(t, 4, num(t, got, "spec", "replicas"))

	_, err = deploys.Patch(ctx, "web", types.MergePatchType, []byte(`{"spec":{"replicas":6}}`), metav1.PatchOptions{}, "scale")
	require.NoError(t, err)
	got, err = deploys.Get(ctx, "web", metav1.GetOptions{})
	require.NoError(t, err)
	assert.EqualValues(t, 6, num(t, got, "spec", "replicas"))

	// Server-side apply: replicas was last set by updates, so taking it
	// needs Force; then another manager conflicts with the new owner.
	replicas := func(n int64) *unstructured.Unstructured {
		return obj("apps/v1", "Deployment", "web", map[string]any{"spec": map[string]any{"replicas": n}})
	}
	_, err = deploys.Apply(ctx, "web", replicas(3), metav1.ApplyOptions{FieldManager: "autoscaler"})
	assert.True(t, apierrors.IsConflict(err), "got %v", err)
	got, err = deploys.Apply(ctx, "web", replicas(3), metav1.ApplyOptions{FieldManager: "autoscaler", Force: true})
	require.NoError(t, err)
	assert.EqualValues(t, 3, num(t, got, "spec", "replicas"))
	_, err = deploys.Apply(ctx, "web", replicas(7), metav1.ApplyOptions{FieldManager: "deployer"})
	assert.True(t, apierrors.IsConflict(err), "got %v", err)
	assert.Contains(t, err.Error(), "autoscaler")

	list, err := deploys.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, "DeploymentList", list.GetKind())
	require.Len(t, list.Items, 1)
	assert.Equal(t, "Deployment", list.Items[0].GetKind())
	assert.Equal(t, "apps/v1", list.Items[0].GetAPIVersion())

	require.NoError(t, deploys.Delete(ctx, "web", metav1.DeleteOptions{}))
}

func widget(kind, name string, replicas int64) *unstructured.Unstructured {
	return obj(crdGroup+"/v1", kind, name, map[string]any{
		"spec":   map[string]any{"replicas": replicas, "color": "blue"},
		"status": map[string]any{"phase": "ignored on create"},
	})
}

// testCustomResource runs every verb on a CRD with status and scale
// subresources, namespaced or not.
func testCustomResource(t *testing.T, ri dynamic.ResourceInterface, kind string) {
	ctx := context.Background()
	created, err := ri.Create(ctx, widget(kind, "w1", 1), metav1.CreateOptions{})
	require.NoError(t, err)
	assert.NotContains(t, created.Object, "status", "status is dropped on create")
	assert.EqualValues(t, 1, created.GetGeneration())

	// Custom resources need the resourceVersion on update.
	noRV := created.DeepCopy()
	noRV.SetResourceVersion("")
	_, err = ri.Update(ctx, noRV, metav1.UpdateOptions{})
	assert.True(t, apierrors.IsInvalid(err), "got %v", err)

	upd := created.DeepCopy()
	unstructured.SetNestedField(upd.Object, "red", "spec", "color")
	unstructured.SetNestedField(upd.Object, "hacked", "status", "phase")
	upd, err = ri.Update(ctx, upd, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.Equal(t, "red", str(t, upd, "spec", "color"))
	assert.NotContains(t, upd.Object, "status", "Update leaves status")
	assert.EqualValues(t, 2, upd.GetGeneration())

	st := upd.DeepCopy()
	st.Object["status"] = map[string]any{"phase": "Ready", "replicas": int64(1)}
	unstructured.SetNestedField(st.Object, "green", "spec", "color")
	st, err = ri.UpdateStatus(ctx, st, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.Equal(t, "Ready", str(t, st, "status", "phase"))
	assert.Equal(t, "red", str(t, st, "spec", "color"), "UpdateStatus leaves spec")
	assert.EqualValues(t, 2, st.GetGeneration(), "status writes keep the generation")

	applied, err := ri.ApplyStatus(ctx, "w1", obj(crdGroup+"/v1", kind, "w1", map[string]any{"status": map[string]any{"phase": "Applied"}}), metav1.ApplyOptions{FieldManager: "status-writer", Force: true})
	require.NoError(t, err)
	assert.Equal(t, "Applied", str(t, applied, "status", "phase"))

	p, err := ri.Patch(ctx, "w1", types.JSONPatchType, []byte(`[{"op":"replace","path":"/status/phase","value":"Patched"}]`), metav1.PatchOptions{}, "status")
	require.NoError(t, err)
	assert.Equal(t, "Patched", str(t, p, "status", "phase"))
	_, err = ri.Patch(ctx, "w1", types.StrategicMergePatchType, []byte(`{"spec":{"color":"x"}}`), metav1.PatchOptions{})
	assert.True(t, apierrors.IsUnsupportedMediaType(err), "custom resources take no strategic merge patch; got %v", err)

	scale, err := ri.Get(ctx, "w1", metav1.GetOptions{}, "scale")
	require.NoError(t, err)
	assert.Equal(t, "Scale", scale.GetKind())
	assert.EqualValues(t, 1, num(t, scale, "spec", "replicas"))
	assert.EqualValues(t, 1, num(t, scale, "status", "replicas"))
	unstructured.SetNestedField(scale.Object, int64(5), "spec", "replicas")
	_, err = ri.Update(ctx, scale, metav1.UpdateOptions{}, "scale")
	require.NoError(t, err)
	_, err = ri.Patch(ctx, "w1", types.MergePatchType, []byte(`{"spec":{"replicas":6}}`), metav1.PatchOptions{}, "scale")
	require.NoError(t, err)
	got, err := ri.Get(ctx, "w1", metav1.GetOptions{})
	require.NoError(t, err)
	assert.EqualValues(t, 6, num(t, got, "spec", "replicas"))

	_, err = ri.Apply(ctx, "w2", widget(kind, "w2", 2), metav1.ApplyOptions{FieldManager: "m"})
	require.NoError(t, err)
	list, err := ri.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, kind+"List", list.GetKind())
	assert.Equal(t, crdGroup+"/v1", list.GetAPIVersion())
	var names []string
	for _, it := range list.Items {
		assert.Equal(t, kind, it.GetKind())
		assert.Equal(t, crdGroup+"/v1", it.GetAPIVersion())
		names = append(names, it.GetName())
	}
	assert.Equal(t, []string{"w1", "w2"}, names)

	sel, err := ri.List(ctx, metav1.ListOptions{FieldSelector: "metadata.name=w2"})
	require.NoError(t, err)
	require.Len(t, sel.Items, 1)

	require.NoError(t, ri.Delete(ctx, "w1", metav1.DeleteOptions{}))
	require.NoError(t, ri.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}))
	list, err = ri.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Empty(t, list.Items)
}

func TestE2ENamespacedCustomResource(t *testing.T) {
	c := cluster(t)
	dc, _ := client(t, c)
	testCustomResource(t, dc.Resource(widgetGVR).Namespace(e2e.CreateNamespace(t, c, "dyn")), "Widget")
}

func TestE2EClusterScopedCustomResource(t *testing.T) {
	c := cluster(t)
	dc, _ := client(t, c)
	testCustomResource(t, dc.Resource(gadgetGVR), "Gadget")
}

func TestE2EWatchOrder(t *testing.T) {
	c := cluster(t)
	dc, _ := client(t, c)
	ctx := context.Background()
	cms := dc.Resource(cmGVR).Namespace(e2e.CreateNamespace(t, c, "dyn"))
	list, err := cms.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	w, err := cms.Watch(ctx, metav1.ListOptions{ResourceVersion: list.GetResourceVersion()})
	require.NoError(t, err)
	defer w.Stop()

	created, err := cms.Create(ctx, obj("v1", "ConfigMap", "w", nil), metav1.CreateOptions{})
	require.NoError(t, err)
	modified, err := cms.Patch(ctx, "w", types.MergePatchType, []byte(`{"data":{"k":"v"}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	require.NoError(t, cms.Delete(ctx, "w", metav1.DeleteOptions{}))

	for _, want := range []struct {
		typ watch.EventType
		rv  string
	}{{watch.Added, created.GetResourceVersion()}, {watch.Modified, modified.GetResourceVersion()}, {watch.Deleted, ""}} {
		ev := nextEvent(t, w)
		require.Equal(t, want.typ, ev.Type)
		u := ev.Object.(*unstructured.Unstructured)
		assert.Equal(t, "w", u.GetName())
		if want.rv != "" {
			assert.Equal(t, want.rv, u.GetResourceVersion())
		}
	}
}

func TestE2EStreamingList(t *testing.T) {
	c := cluster(t)
	dc, _ := client(t, c)
	ctx := context.Background()
	cms := dc.Resource(cmGVR).Namespace(e2e.CreateNamespace(t, c, "dyn"))
	for _, n := range []string{"a", "b", "c"} {
		_, err := cms.Create(ctx, obj("v1", "ConfigMap", n, nil), metav1.CreateOptions{})
		require.NoError(t, err)
	}
	yes := true
	w, err := cms.Watch(ctx, metav1.ListOptions{SendInitialEvents: &yes, ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan, AllowWatchBookmarks: true})
	require.NoError(t, err)
	defer w.Stop()
	var names []string
	for {
		ev := nextEvent(t, w)
		if ev.Type == watch.Bookmark {
			require.True(t, dynamic.IsInitialEventsEnd(ev), "the first bookmark ends the initial events")
			break
		}
		require.Equal(t, watch.Added, ev.Type)
		names = append(names, ev.Object.(*unstructured.Unstructured).GetName())
	}
	assert.ElementsMatch(t, []string{"a", "b", "c"}, names)
	_, err = cms.Create(ctx, obj("v1", "ConfigMap", "d", nil), metav1.CreateOptions{})
	require.NoError(t, err)
	for {
		ev := nextEvent(t, w)
		if ev.Type == watch.Bookmark {
			continue
		}
		require.Equal(t, watch.Added, ev.Type)
		assert.Equal(t, "d", ev.Object.(*unstructured.Unstructured).GetName())
		break
	}
}

func TestE2EPaging2000(t *testing.T) {
	c := cluster(t)
	dc, cnt := client(t, c)
	ctx := context.Background()
	cms := dc.Resource(cmGVR).Namespace(e2e.CreateNamespace(t, c, "dyn"))
	const n = 2000
	names := make(chan int)
	var wg sync.WaitGroup
	var failed atomic.Value
	for range 16 {
		wg.Go(func() {
			for i := range names {
				if _, err := cms.Create(ctx, obj("v1", "ConfigMap", fmt.Sprintf("cm%04d", i), nil), metav1.CreateOptions{}); err != nil {
					failed.Store(err)
				}
			}
		})
	}
	for i := range n {
		names <- i
	}
	close(names)
	wg.Wait()
	require.Nil(t, failed.Load())

	before := cnt.Count()
	all, err := dynamic.ListAll(ctx, cms, metav1.ListOptions{Limit: 100})
	require.NoError(t, err)
	assert.EqualValues(t, 20, cnt.Count()-before, "twenty pages of a hundred")
	require.Len(t, all.Items, n)
	for i, it := range all.Items {
		require.Equal(t, fmt.Sprintf("cm%04d", i), it.GetName())
		require.Equal(t, "ConfigMap", it.GetKind())
	}
	assert.Equal(t, "ConfigMapList", all.GetKind())

	// A write while paging does not show: the pages are one snapshot.
	seen := 0
	for obj, err := range dynamic.Items(ctx, cms, metav1.ListOptions{Limit: 100}) {
		require.NoError(t, err)
		if seen == 150 {
			require.NoError(t, cms.Delete(ctx, "cm1999", metav1.DeleteOptions{}))
		}
		seen++
		_ = obj
	}
	assert.Equal(t, n, seen)

	page, err := cms.List(ctx, metav1.ListOptions{Limit: 100})
	require.NoError(t, err)
	require.NotNil(t, page.GetRemainingItemCount())
	assert.EqualValues(t, n-1-100, *page.GetRemainingItemCount())
}

func TestE2EBadInputSendsNothing(t *testing.T) {
	c := cluster(t)
	dc, cnt := client(t, c)
	ctx := context.Background()
	cms := dc.Resource(cmGVR)
	before := cnt.Count()
	noKind := obj("v1", "", "x", nil)
	noVersion := obj("", "ConfigMap", "x", nil)
	_, err := cms.Namespace("default").Get(ctx, "../secrets", metav1.GetOptions{})
	assert.ErrorIs(t, err, dynamic.ErrInvalidRequest)
	_, err = cms.Namespace("a/b").List(ctx, metav1.ListOptions{})
	assert.ErrorIs(t, err, dynamic.ErrInvalidRequest)
	_, err = cms.Namespace("default").Create(ctx, noKind, metav1.CreateOptions{})
	assert.ErrorIs(t, err, dynamic.ErrInvalidRequest)
	_, err = cms.Namespace("default").Create(ctx, noVersion, metav1.CreateOptions{})
	assert.ErrorIs(t, err, dynamic.ErrInvalidRequest)
	_, err = cms.Namespace("default").Apply(ctx, "x", obj("v1", "ConfigMap", "x", nil), metav1.ApplyOptions{})
	assert.ErrorIs(t, err, dynamic.ErrInvalidRequest)
	assert.Equal(t, before, cnt.Count(), "nothing reached the network")
}
