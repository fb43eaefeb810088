package fake

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/dynamic"
)

var (
	cmGVR     = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	deployGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	widgetGVR = schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "widgets"}
)

func configMap(ns, name string, data map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "ConfigMap",
		"metadata":   map[string]any{"name": name},
	}}
	if ns != "" {
		u.SetNamespace(ns)
	}
	if data != nil {
		u.Object["data"] = data
	}
	return u
}

func deployment(ns, name string, replicas int) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1",
		"kind":       "Deployment",
		"metadata":   map[string]any{"name": name, "namespace": ns},
		// A plain int, as tests write them: the fake must cope.
		"spec": map[string]any{"replicas": replicas},
	}}
}

func TestCreateGetFillsServerFields(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil)
	d := c.Resource(deployGVR).Namespace("ns")

	got, err := d.Create(ctx, deployment("", "web", 2), metav1.CreateOptions{})
	require.NoError(t, err)
	assert.Equal(t, "ns", got.GetNamespace(), "namespace comes from the client")
	assert.NotEmpty(t, got.GetUID())
	assert.NotEmpty(t, got.GetResourceVersion())
	ts := got.GetCreationTimestamp()
	assert.False(t, ts.IsZero())
	assert.EqualValues(t, 1, got.GetGeneration())
	replicas, _, _ := unstructured.NestedInt64(got.Object, "spec", "replicas")
	assert.EqualValues(t, 2, replicas)

	again, err := d.Get(ctx, "web", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, got, again)

	// The caller's copy and the store are independent.
	again.SetLabels(map[string]string{"x": "y"})
	third, _ := d.Get(ctx, "web", metav1.GetOptions{})
	assert.Empty(t, third.GetLabels())

	_, err = d.Create(ctx, deployment("ns", "web", 1), metav1.CreateOptions{})
	assert.True(t, apierrors.IsAlreadyExists(err), "got %v", err)

	_, err = d.Get(ctx, "nope", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "got %v", err)

	cm, err := c.Resource(cmGVR).Namespace("ns").Create(ctx, configMap("", "c", map[string]any{"a": "b"}), metav1.CreateOptions{})
	require.NoError(t, err)
	assert.Zero(t, cm.GetGeneration(), "core objects without spec have no generation")
}

func TestCreateRefusals(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil)
	cms := c.Resource(cmGVR).Namespace("ns")

	// Refused client-side like the real client: not recorded.
	noKind := configMap("", "a", nil)
	noKind.SetKind("")
	_, err := cms.Create(ctx, noKind, metav1.CreateOptions{})
	assert.ErrorIs(t, err, dynamic.ErrInvalidRequest)
	var derr *dynamic.Error
	require.ErrorAs(t, err, &derr)
	assert.Equal(t, "create", derr.Verb)
	_, err = cms.Create(ctx, nil, metav1.CreateOptions{})
	assert.ErrorIs(t, err, dynamic.ErrInvalidRequest)
	_, err = c.Resource(cmGVR).Namespace("a/b").Create(ctx, configMap("", "a", nil), metav1.CreateOptions{})
	assert.ErrorIs(t, err, dynamic.ErrInvalidRequest)
	assert.Empty(t, c.Actions())

	// Refused by the "server".
	wrongVersion := configMap("", "a", nil)
	wrongVersion.SetAPIVersion("v2")
	_, err = cms.Create(ctx, wrongVersion, metav1.CreateOptions{})
	assert.True(t, apierrors.IsBadRequest(err), "got %v", err)
	_, err = cms.Create(ctx, configMap("other", "a", nil), metav1.CreateOptions{})
	assert.True(t, apierrors.IsBadRequest(err), "got %v", err)
	noName := configMap("", "", nil)
	_, err = cms.Create(ctx, noName, metav1.CreateOptions{})
	assert.True(t, apierrors.IsInvalid(err), "got %v", err)
	withRV := configMap("", "a", nil)
	withRV.SetResourceVersion("5")
	_, err = cms.Create(ctx, withRV, metav1.CreateOptions{})
	assert.True(t, apierrors.IsBadRequest(err), "got %v", err)
	_, err = cms.Create(ctx, configMap("", "a", nil), metav1.CreateOptions{DryRun: []string{"Some"}})
	assert.True(t, apierrors.IsInvalid(err), "got %v", err)
	_, err = cms.Create(ctx, configMap("", "a", nil), metav1.CreateOptions{}, "token")
	assert.True(t, apierrors.IsMethodNotSupported(err), "got %v", err)

	gen := configMap("", "", nil)
	gen.SetGenerateName("pre-")
	got, err := cms.Create(ctx, gen, metav1.CreateOptions{})
	require.NoError(t, err)
	assert.Regexp(t, `^pre-[a-z0-9]{5}$`, got.GetName())

	ctxDone, cancel := context.WithCancel(ctx)
	cancel()
	_, err = cms.Create(ctxDone, configMap("", "b", nil), metav1.CreateOptions{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorAs(t, err, &derr)
}

func TestDryRunStoresNothing(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil, configMap("ns", "keep", nil))
	cms := c.Resource(cmGVR).Namespace("ns")
	rv := c.ResourceVersion()
	dry := []string{metav1.DryRunAll}

	got, err := cms.Create(ctx, configMap("", "new", nil), metav1.CreateOptions{DryRun: dry})
	require.NoError(t, err)
	assert.Equal(t, "new", got.GetName())
	_, err = cms.Get(ctx, "new", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err))

	upd := configMap("ns", "keep", map[string]any{"k": "v"})
	got, err = cms.Update(ctx, upd, metav1.UpdateOptions{DryRun: dry})
	require.NoError(t, err)
	assert.Equal(t, "v", got.Object["data"].(map[string]any)["k"])
	require.NoError(t, cms.Delete(ctx, "keep", metav1.DeleteOptions{DryRun: dry}))
	stored, err := cms.Get(ctx, "keep", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Nil(t, stored.Object["data"])
	assert.Equal(t, rv, c.ResourceVersion(), "dry runs do not write")
}

func TestUpdateConflictAndGeneration(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil)
	d := c.Resource(deployGVR).Namespace("ns")
	created, err := d.Create(ctx, deployment("ns", "web", 1), metav1.CreateOptions{})
	require.NoError(t, err)

	// A label change is metadata: no new generation.
	withLabel := created.DeepCopy()
	withLabel.SetLabels(map[string]string{"a": "b"})
	v2, err := d.Update(ctx, withLabel, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.EqualValues(t, 1, v2.GetGeneration())
	assert.NotEqual(t, created.GetResourceVersion(), v2.GetResourceVersion())

	// The stale copy conflicts.
	stale := created.DeepCopy()
	unstructured.SetNestedField(stale.Object, int64(5), "spec", "replicas")
	_, err = d.Update(ctx, stale, metav1.UpdateOptions{})
	assert.True(t, apierrors.IsConflict(err), "got %v", err)

	// A spec change bumps the generation; a status change does not.
	fresh := v2.DeepCopy()
	unstructured.SetNestedField(fresh.Object, int64(5), "spec", "replicas")
	v3, err := d.Update(ctx, fresh, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.EqualValues(t, 2, v3.GetGeneration())
	unstructured.SetNestedField(v3.Object, int64(5), "status", "replicas")
	v4, err := d.UpdateStatus(ctx, v3, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.EqualValues(t, 2, v4.GetGeneration())

	// Unconditional update (no resourceVersion) is allowed.
	unconditional := v4.DeepCopy()
	unconditional.SetResourceVersion("")
	unstructured.SetNestedField(unconditional.Object, int64(6), "spec", "replicas")
	v5, err := d.Update(ctx, unconditional, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.EqualValues(t, 3, v5.GetGeneration())

	// Server-owned fields cannot be changed by an update.
	hijack := v5.DeepCopy()
	hijack.SetUID("other")
	_, err = d.Update(ctx, hijack, metav1.UpdateOptions{})
	assert.True(t, apierrors.IsConflict(err), "got %v", err)
	hijack = v5.DeepCopy()
	hijack.SetGeneration(100)
	hijack.SetCreationTimestamp(metav1.Unix(0, 0))
	v6, err := d.Update(ctx, hijack, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.Equal(t, v5, v6, "nothing the caller may change changed, so nothing was written")

	_, err = d.Update(ctx, deployment("ns", "missing", 1), metav1.UpdateOptions{})
	assert.True(t, apierrors.IsNotFound(err), "got %v", err)
}

func TestStatusSubresource(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil)
	c.Register(widgetGVR, ResourceInfo{Kind: "Widget", StatusSubresource: true})
	w := c.Resource(widgetGVR).Namespace("ns")
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.com/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "w"},
		"spec":     map[string]any{"size": int64(1)},
		"status":   map[string]any{"phase": "Ignored"},
	}}
	created, err := w.Create(ctx, obj, metav1.CreateOptions{})
	require.NoError(t, err)
	assert.NotContains(t, created.Object, "status", "status is dropped on create")

	withStatus := created.DeepCopy()
	withStatus.Object["status"] = map[string]any{"phase": "Ready"}
	unstructured.SetNestedField(withStatus.Object, int64(9), "spec", "size")
	st, err := w.UpdateStatus(ctx, withStatus, metav1.UpdateOptions{})
	require.NoError(t, err)
	phase, _, _ := unstructured.NestedString(st.Object, "status", "phase")
	size, _, _ := unstructured.NestedInt64(st.Object, "spec", "size")
	assert.Equal(t, "Ready", phase)
	assert.EqualValues(t, 1, size, "a status update writes only status")

	main := st.DeepCopy()
	main.Object["status"] = map[string]any{"phase": "Hacked"}
	unstructured.SetNestedField(main.Object, int64(2), "spec", "size")
	up, err := w.Update(ctx, main, metav1.UpdateOptions{})
	require.NoError(t, err)
	phase, _, _ = unstructured.NestedString(up.Object, "status", "phase")
	assert.Equal(t, "Ready", phase, "an update of the object keeps the stored status")
	assert.EqualValues(t, 2, up.GetGeneration())

	p, err := w.Patch(ctx, "w", types.MergePatchType, []byte(`{"status":{"phase":"Done"},"spec":{"size":7}}`), metav1.PatchOptions{}, "status")
	require.NoError(t, err)
	phase, _, _ = unstructured.NestedString(p.Object, "status", "phase")
	size, _, _ = unstructured.NestedInt64(p.Object, "spec", "size")
	assert.Equal(t, "Done", phase)
	assert.EqualValues(t, 2, size)

	got, err := w.Get(ctx, "w", metav1.GetOptions{}, "status")
	require.NoError(t, err)
	assert.Equal(t, p, got)
	_, err = w.Get(ctx, "w", metav1.GetOptions{}, "scale")
	assert.True(t, apierrors.IsMethodNotSupported(err), "got %v", err)
}

func TestDeleteFinalizersAndPreconditions(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil)
	d := c.Resource(deployGVR).Namespace("ns")
	obj := deployment("ns", "web", 1)
	obj.SetFinalizers([]string{"example.com/hold"})
	created, err := d.Create(ctx, obj, metav1.CreateOptions{})
	require.NoError(t, err)

	wrongUID := types.UID("nope")
	err = d.Delete(ctx, "web", metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &wrongUID}})
	assert.True(t, apierrors.IsConflict(err), "got %v", err)
	staleRV := "999"
	err = d.Delete(ctx, "web", metav1.DeleteOptions{Preconditions: &metav1.Preconditions{ResourceVersion: &staleRV}})
	assert.True(t, apierrors.IsConflict(err), "got %v", err)

	require.NoError(t, d.Delete(ctx, "web", metav1.DeleteOptions{}))
	terminating, err := d.Get(ctx, "web", metav1.GetOptions{})
	require.NoError(t, err, "an object with finalizers stays")
	assert.NotNil(t, terminating.GetDeletionTimestamp())
	assert.EqualValues(t, created.GetGeneration()+1, terminating.GetGeneration())

	terminating.SetFinalizers(nil)
	_, err = d.Update(ctx, terminating, metav1.UpdateOptions{})
	require.NoError(t, err)
	_, err = d.Get(ctx, "web", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "removing the last finalizer deletes; got %v", err)

	err = d.Delete(ctx, "web", metav1.DeleteOptions{})
	assert.True(t, apierrors.IsNotFound(err), "got %v", err)
	assert.ErrorIs(t, d.Delete(ctx, "", metav1.DeleteOptions{}), dynamic.ErrInvalidRequest)
	assert.ErrorIs(t, d.Delete(ctx, "..", metav1.DeleteOptions{}), dynamic.ErrInvalidRequest)
}

func TestDeleteCollectionWithSelector(t *testing.T) {
	ctx := context.Background()
	var objs []runtime.Object
	for i := range 6 {
		cm := configMap("ns", fmt.Sprintf("c%d", i), nil)
		if i%2 == 0 {
			cm.SetLabels(map[string]string{"app": "x"})
		}
		objs = append(objs, cm)
	}
	objs = append(objs, configMap("other", "c0", nil))
	c := NewSimpleDynamicClient(nil, objs...)
	require.NoError(t, c.Resource(cmGVR).Namespace("ns").DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: "app=x"}))
	list, err := c.Resource(cmGVR).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	var names []string
	for _, it := range list.Items {
		names = append(names, it.GetNamespace()+"/"+it.GetName())
	}
	assert.Equal(t, []string{"ns/c1", "ns/c3", "ns/c5", "other/c0"}, names)

	err = c.Resource(cmGVR).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: "app in ("})
	assert.True(t, apierrors.IsBadRequest(err), "got %v", err)
}

func TestSeedObjects(t *testing.T) {
	typed := &metav1.PartialObjectMetadata{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "typed", Namespace: "ns", UID: "fixed"},
	}
	list := &unstructured.UnstructuredList{Items: []unstructured.Unstructured{*configMap("ns", "a", nil), *configMap("ns", "b", nil)}}
	c := NewSimpleDynamicClient(runtime.NewScheme(), typed, list)
	got, err := c.Resource(deployGVR).Namespace("ns").Get(context.Background(), "typed", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, types.UID("fixed"), got.GetUID(), "seeded uids are kept")
	l, err := c.Resource(cmGVR).Namespace("ns").List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, l.Items, 2)

	// A bad seed object cannot be reported by the constructor, so every
	// call reports it.
	bad := NewSimpleDynamicClient(nil, &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: "x"}})
	_, err = bad.Resource(cmGVR).Get(context.Background(), "x", metav1.GetOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no apiVersion or kind")
	assert.Error(t, NewSimpleDynamicClient(nil).Add(configMap("", "", nil)))
	dup := NewSimpleDynamicClient(nil, configMap("ns", "a", nil))
	assert.Error(t, dup.Add(configMap("ns", "a", nil)))
}

func TestSeedNilObjectsFailWithoutPanic(t *testing.T) {
	for _, o := range []runtime.Object{nil, (*unstructured.Unstructured)(nil), (*unstructured.UnstructuredList)(nil), (*metav1.PartialObjectMetadata)(nil)} {
		assert.NotPanics(t, func() {
			err := NewSimpleDynamicClient(nil).Add(o)
			assert.ErrorContains(t, err, "nil object", "%T", o)
		}, "%T", o)
	}
}

func TestReactorsAndActions(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil, configMap("ns", "a", nil))
	cms := c.Resource(cmGVR).Namespace("ns")
	boom := apierrors.NewServiceUnavailable("boom")

	c.InjectError("get", "configmaps", boom)
	_, err := cms.Get(ctx, "a", metav1.GetOptions{})
	assert.Equal(t, boom, err)
	_, err = cms.List(ctx, metav1.ListOptions{})
	assert.NoError(t, err, "only get fails")
	_, err = c.Resource(deployGVR).Namespace("ns").Get(ctx, "a", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "only configmaps fail; got %v", err)

	c.InjectError("watch", "*", boom)
	_, err = cms.Watch(ctx, metav1.ListOptions{})
	assert.Equal(t, boom, err)

	c.ClearReactors()
	calls := 0
	c.PrependReactor("update", "configmaps/status", func(a Action) (bool, runtime.Object, error) {
		calls++
		return true, configMap("ns", "from-reactor", nil), nil
	})
	got, err := cms.UpdateStatus(ctx, configMap("ns", "a", nil), metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.Equal(t, "from-reactor", got.GetName())
	_, err = cms.Update(ctx, configMap("ns", "a", map[string]any{"k": "v"}), metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1, calls, "the reactor matches the status subresource only")

	// Typed answers are converted.
	c.PrependReactor("get", "*", func(a Action) (bool, runtime.Object, error) {
		return true, &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}, ObjectMeta: metav1.ObjectMeta{Name: "typed"}}, nil
	})
	got, err = cms.Get(ctx, "a", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "typed", got.GetName())

	_, err = cms.Apply(ctx, "a", configMap("", "a", nil), metav1.ApplyOptions{FieldManager: "m"})
	require.NoError(t, err)
	actions := c.Actions()
	last := actions[len(actions)-1]
	assert.Equal(t, "patch", last.Verb)
	assert.Equal(t, types.ApplyPatchType, last.PatchType)
	assert.JSONEq(t, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}`, string(last.Patch))
	assert.Equal(t, "get", actions[0].Verb)
	assert.Equal(t, "a", actions[0].Name)
	c.ClearActions()
	assert.Empty(t, c.Actions())
}

func TestReactorMayCallFake(t *testing.T) {
	c := NewSimpleDynamicClient(nil, configMap("ns", "a", nil))
	c.PrependReactor("get", "configmaps", func(a Action) (bool, runtime.Object, error) {
		if a.Name != "alias" {
			return false, nil, nil
		}
		o, err := c.Resource(cmGVR).Namespace("ns").Get(context.Background(), "a", metav1.GetOptions{})
		return true, o, err
	})
	got, err := c.Resource(cmGVR).Namespace("ns").Get(context.Background(), "alias", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "a", got.GetName())
}

func TestErrorsNameTheCall(t *testing.T) {
	c := NewSimpleDynamicClient(nil)
	_, err := c.Resource(deployGVR).Namespace("ns").Get(context.Background(), "a/b", metav1.GetOptions{}, "status")
	var derr *dynamic.Error
	require.True(t, errors.As(err, &derr))
	assert.Equal(t, `dynamic: get deployments.v1.apps ns/a/b/status: invalid request: name "a/b": may not contain '/'`, err.Error())
}

func TestRefusesWhatTheRealClientRefuses(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil, configMap("ns", "a", nil))
	_, err := c.Resource(schema.GroupVersionResource{Version: "v1"}).List(ctx, metav1.ListOptions{})
	assert.ErrorIs(t, err, dynamic.ErrInvalidRequest)
	_, err = c.Resource(cmGVR).Namespace("ns").Patch(ctx, "a", "", []byte(`{}`), metav1.PatchOptions{})
	assert.ErrorIs(t, err, dynamic.ErrInvalidRequest)
	_, err = c.Resource(cmGVR).Namespace("ns").Update(ctx, configMap("ns", "", nil), metav1.UpdateOptions{})
	assert.ErrorIs(t, err, dynamic.ErrInvalidRequest)
	_, err = c.Resource(cmGVR).Namespace("ns").Get(ctx, "a", metav1.GetOptions{}, "a/b")
	assert.ErrorIs(t, err, dynamic.ErrInvalidRequest)
	unencodable := configMap("ns", "b", nil)
	unencodable.Object["data"] = map[string]any{"ch": make(chan int)}
	_, err = c.Resource(cmGVR).Namespace("ns").Create(ctx, unencodable, metav1.CreateOptions{})
	var derr *dynamic.Error
	assert.ErrorAs(t, err, &derr)
	assert.Empty(t, c.Actions())
}

func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil)
	cms := c.Resource(cmGVR).Namespace("ns")
	w, err := cms.Watch(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	defer w.Stop()
	var mu sync.Mutex
	view := map[string]string{} // name -> resourceVersion, from events only
	go func() {
		for ev := range w.ResultChan() {
			u := ev.Object.(*unstructured.Unstructured)
			mu.Lock()
			if ev.Type == watch.Deleted {
				delete(view, u.GetName())
			} else {
				view[u.GetName()] = u.GetResourceVersion()
			}
			mu.Unlock()
		}
	}()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				name := fmt.Sprintf("g%d-%d", g, i%10)
				cms.Create(ctx, configMap("", name, nil), metav1.CreateOptions{})
				cms.Patch(ctx, name, types.MergePatchType, []byte(`{"data":{"i":"`+fmt.Sprint(i)+`"}}`), metav1.PatchOptions{})
				if i%3 == 0 {
					cms.Delete(ctx, name, metav1.DeleteOptions{})
				}
				_, err := cms.List(ctx, metav1.ListOptions{Limit: 5})
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	list, err := cms.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	want := map[string]string{}
	for _, it := range list.Items {
		want[it.GetName()] = it.GetResourceVersion()
	}
	require.NotEmpty(t, want)
	assert.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprint(view) == fmt.Sprint(want)
	}, 5*time.Second, time.Millisecond, "the watch saw every write, in order")
}
