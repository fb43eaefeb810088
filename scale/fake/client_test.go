package fake

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/anykube/anykube/scale"
)

var (
	deploys    = schema.GroupResource{Group: "apps", Resource: "deployments"}
	deploysGVR = deploys.WithVersion("v1")
	ctx        = context.Background()
)

func canned(t *testing.T) *FakeScaleClient {
	t.Helper()
	f := &FakeScaleClient{}
	require.NoError(t, f.SetScale(deploys, &scale.Scale{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns"},
		Spec:       scale.ScaleSpec{Replicas: 2},
		Status:     scale.ScaleStatus{Replicas: 2, Selector: "app=web"},
	}))
	return f
}

func TestZeroValueAnswersNotFound(t *testing.T) {
	var f FakeScaleClient
	_, err := f.Scales("ns").Get(ctx, deploys, "web", metav1.GetOptions{ResourceVersion: "3"})
	assert.True(t, apierrors.IsNotFound(err), "got %v", err)
	_, err = f.Scales("ns").Update(ctx, deploys, &scale.Scale{ObjectMeta: metav1.ObjectMeta{Name: "web"}}, metav1.UpdateOptions{})
	assert.True(t, apierrors.IsNotFound(err), "got %v", err)
	_, err = scale.SetReplicas(ctx, f.Scales("ns"), deploysGVR, "web", 1, metav1.PatchOptions{})
	assert.True(t, apierrors.IsNotFound(err), "got %v", err)

	require.Len(t, f.Actions(), 3)
	assert.Equal(t, Action{
		Verb: "get", Resource: deploys.WithVersion(""), Namespace: "ns", Name: "web", Subresource: "scale",
		Options: metav1.GetOptions{ResourceVersion: "3"},
	}, f.Actions()[0])
}

func TestGetReturnsCopies(t *testing.T) {
	f := canned(t)
	got, err := f.Scales("ns").Get(ctx, deploys, "web", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "autoscaling/v1", got.APIVersion)
	assert.Equal(t, "Scale", got.Kind)
	assert.Equal(t, int32(2), got.Spec.Replicas)
	assert.Equal(t, "app=web", got.Status.Selector)
	assert.NotEmpty(t, got.ResourceVersion)

	got.Spec.Replicas = 99
	again, _ := f.GetScale(deploys, "ns", "web")
	assert.Equal(t, int32(2), again.Spec.Replicas)

	// Another namespace, and another resource, are other objects.
	_, err = f.Scales("other").Get(ctx, deploys, "web", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err))
	_, err = f.Scales("ns").Get(ctx, schema.GroupResource{Group: "apps", Resource: "statefulsets"}, "web", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err))
}

func TestSetScaleRefusesNothingToStore(t *testing.T) {
	var f FakeScaleClient
	assert.Error(t, f.SetScale(deploys, nil))
	assert.Error(t, f.SetScale(deploys, &scale.Scale{}))
	_, ok := f.GetScale(deploys, "", "")
	assert.False(t, ok)
}

func TestUpdate(t *testing.T) {
	f := canned(t)
	s := f.Scales("ns")
	first, err := s.Get(ctx, deploys, "web", metav1.GetOptions{})
	require.NoError(t, err)

	up := first.DeepCopy()
	up.Spec.Replicas = 5
	up.Status.Replicas = 77 // ignored, as by the server
	got, err := s.Update(ctx, deploys, up, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.Equal(t, int32(5), got.Spec.Replicas)
	assert.Equal(t, int32(2), got.Status.Replicas)
	assert.NotEqual(t, first.ResourceVersion, got.ResourceVersion)

	// The first read is stale now.
	stale := first.DeepCopy()
	stale.Spec.Replicas = 9
	_, err = s.Update(ctx, deploys, stale, metav1.UpdateOptions{})
	assert.True(t, apierrors.IsConflict(err), "got %v", err)

	// Without a resourceVersion the update is unconditional.
	stale.ResourceVersion = ""
	got, err = s.Update(ctx, deploys, stale, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.Equal(t, int32(9), got.Spec.Replicas)

	// Dry run answers without storing.
	stale.Spec.Replicas = 1
	got, err = s.Update(ctx, deploys, stale, metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}})
	require.NoError(t, err)
	assert.Equal(t, int32(1), got.Spec.Replicas)
	stored, _ := f.GetScale(deploys, "ns", "web")
	assert.Equal(t, int32(9), stored.Spec.Replicas)

	// Negative replicas are invalid.
	stale.Spec.Replicas = -1
	_, err = s.Update(ctx, deploys, stale, metav1.UpdateOptions{})
	assert.True(t, apierrors.IsInvalid(err), "got %v", err)

	acts := f.Actions()
	require.Len(t, acts, 6)
	assert.Equal(t, "update", acts[1].Verb)
	assert.Equal(t, int32(5), acts[1].Object.Spec.Replicas)
	assert.Equal(t, metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}}, acts[4].Options)
}

func TestPatchTypes(t *testing.T) {
	cases := []struct {
		name string
		pt   types.PatchType
		data string
		opts metav1.PatchOptions
		want int32
	}{
		{"merge", types.MergePatchType, `{"spec":{"replicas":4}}`, metav1.PatchOptions{}, 4},
		{"strategic", types.StrategicMergePatchType, `{"spec":{"replicas":5}}`, metav1.PatchOptions{}, 5},
		{"json", types.JSONPatchType, `[{"op":"test","path":"/spec/replicas","value":2},{"op":"replace","path":"/spec/replicas","value":6}]`, metav1.PatchOptions{}, 6},
		{"apply", types.ApplyYAMLPatchType, "apiVersion: autoscaling/v1\nkind: Scale\nspec:\n  replicas: 7\n", metav1.PatchOptions{FieldManager: "me"}, 7},
		{"merge to zero", types.MergePatchType, `{"spec":{"replicas":0}}`, metav1.PatchOptions{}, 0},
		{"merge of status only", types.MergePatchType, `{"status":{"replicas":9}}`, metav1.PatchOptions{}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := canned(t)
			got, err := f.Scales("ns").Patch(ctx, deploysGVR, "web", tc.pt, []byte(tc.data), tc.opts)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got.Spec.Replicas)
			assert.Equal(t, int32(2), got.Status.Replicas, "status is the server's")
			stored, _ := f.GetScale(deploys, "ns", "web")
			assert.Equal(t, tc.want, stored.Spec.Replicas)
			acts := f.Actions()
			require.Len(t, acts, 1)
			assert.Equal(t, Action{Verb: "patch", Resource: deploysGVR, Namespace: "ns", Name: "web", Subresource: "scale",
				PatchType: tc.pt, Patch: []byte(tc.data), Options: tc.opts}, acts[0])
		})
	}
}

func TestPatchErrors(t *testing.T) {
	cases := []struct {
		name string
		pt   types.PatchType
		data string
		opts metav1.PatchOptions
		code int32
	}{
		{"failed test", types.JSONPatchType, `[{"op":"test","path":"/spec/replicas","value":3}]`, metav1.PatchOptions{}, 422},
		{"missing path", types.JSONPatchType, `[{"op":"replace","path":"/spec/nope","value":3}]`, metav1.PatchOptions{}, 422},
		{"not a list", types.JSONPatchType, `{"op":"replace"}`, metav1.PatchOptions{}, 400},
		{"garbled merge", types.MergePatchType, `{"spec":`, metav1.PatchOptions{}, 400},
		{"wrong type", types.MergePatchType, `{"spec":{"replicas":"many"}}`, metav1.PatchOptions{}, 422},
		{"negative", types.MergePatchType, `{"spec":{"replicas":-3}}`, metav1.PatchOptions{}, 422},
		{"stale resourceVersion", types.MergePatchType, `{"metadata":{"resourceVersion":"0"},"spec":{"replicas":3}}`, metav1.PatchOptions{}, 409},
		{"apply without manager", types.ApplyYAMLPatchType, `spec: {replicas: 3}`, metav1.PatchOptions{}, 422},
		{"apply cbor", types.ApplyCBORPatchType, "\xa0", metav1.PatchOptions{FieldManager: "me"}, 415},
		{"unknown type", types.PatchType("text/plain"), `3`, metav1.PatchOptions{}, 415},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := canned(t)
			_, err := f.Scales("ns").Patch(ctx, deploysGVR, "web", tc.pt, []byte(tc.data), tc.opts)
			var se *apierrors.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.code, se.ErrStatus.Code, "%v", err)
			stored, _ := f.GetScale(deploys, "ns", "web")
			assert.Equal(t, int32(2), stored.Spec.Replicas, "a failed patch changes nothing")
		})
	}
}

func TestSetReplicasThroughFake(t *testing.T) {
	f := canned(t)
	got, err := scale.SetReplicas(ctx, f.Scales("ns"), deploysGVR, "web", 3, metav1.PatchOptions{})
	require.NoError(t, err)
	assert.Equal(t, int32(3), got.Spec.Replicas)
	acts := f.Actions()
	require.Len(t, acts, 1)
	assert.Equal(t, types.MergePatchType, acts[0].PatchType)
	assert.JSONEq(t, `{"spec":{"replicas":3}}`, string(acts[0].Patch))
}

func TestReactors(t *testing.T) {
	f := canned(t)
	var order []string
	f.AddReactor("get", "*", func(Action) (bool, *scale.Scale, error) {
		order = append(order, "added")
		return false, nil, nil
	})
	f.PrependReactor("get", "deployments", func(a Action) (bool, *scale.Scale, error) {
		order = append(order, "prepended")
		if a.Name == "special" {
			return true, &scale.Scale{ObjectMeta: metav1.ObjectMeta{Name: "special"}, Spec: scale.ScaleSpec{Replicas: 42}}, nil
		}
		return false, nil, nil
	})
	got, err := f.Scales("ns").Get(ctx, deploys, "special", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, int32(42), got.Spec.Replicas)
	assert.Equal(t, []string{"prepended"}, order)

	// Unhandled: every reactor in order, then the canned scale.
	order = nil
	got, err = f.Scales("ns").Get(ctx, deploys, "web", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, int32(2), got.Spec.Replicas)
	assert.Equal(t, []string{"prepended", "added"}, order)
}

func TestReactorAnswersAreCopied(t *testing.T) {
	var f FakeScaleClient
	shared := &scale.Scale{ObjectMeta: metav1.ObjectMeta{Name: "x"}, Spec: scale.ScaleSpec{Replicas: 1}}
	f.PrependReactor("*", "*", func(Action) (bool, *scale.Scale, error) { return true, shared, nil })
	got, err := f.Scales("").Get(ctx, deploys, "x", metav1.GetOptions{})
	require.NoError(t, err)
	got.Spec.Replicas = 50
	assert.Equal(t, int32(1), shared.Spec.Replicas)
}

func TestReactorWithNothingToSay(t *testing.T) {
	var f FakeScaleClient
	f.PrependReactor("get", "*", func(Action) (bool, *scale.Scale, error) { return true, nil, nil })
	got, err := f.Scales("ns").Get(ctx, deploys, "web", metav1.GetOptions{})
	assert.Nil(t, got)
	assert.ErrorContains(t, err, "neither a Scale nor an error")
}

func TestReactorMayCallTheFake(t *testing.T) {
	f := canned(t)
	f.PrependReactor("update", "*", func(a Action) (bool, *scale.Scale, error) {
		cur, err := f.Scales(a.Namespace).Get(ctx, deploys, a.Name, metav1.GetOptions{})
		if err != nil {
			return true, nil, err
		}
		cur.Spec.Replicas = a.Object.Spec.Replicas * 10
		return true, cur, nil
	})
	got, err := f.Scales("ns").Update(ctx, deploys, &scale.Scale{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: scale.ScaleSpec{Replicas: 3}}, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.Equal(t, int32(30), got.Spec.Replicas)
}

func TestInjectError(t *testing.T) {
	f := canned(t)
	boom := apierrors.NewServiceUnavailable("try later")
	f.InjectError("patch", "deployments.apps", boom)
	_, err := scale.SetReplicas(ctx, f.Scales("ns"), deploysGVR, "web", 3, metav1.PatchOptions{})
	assert.Same(t, boom, err)

	// Other verbs and resources are untouched.
	_, err = f.Scales("ns").Get(ctx, deploys, "web", metav1.GetOptions{})
	require.NoError(t, err)
	_, err = f.Scales("ns").Patch(ctx, schema.GroupVersionResource{Group: "other.io", Version: "v1", Resource: "deployments"}, "web", types.MergePatchType, []byte(`{}`), metav1.PatchOptions{})
	assert.True(t, apierrors.IsNotFound(err), "deployments.other.io does not match deployments.apps; got %v", err)

	f.ClearReactors()
	got, err := scale.SetReplicas(ctx, f.Scales("ns"), deploysGVR, "web", 3, metav1.PatchOptions{})
	require.NoError(t, err)
	assert.Equal(t, int32(3), got.Spec.Replicas)
}

func TestMatches(t *testing.T) {
	a := Action{Verb: "get", Resource: deploys.WithVersion("")}
	core := Action{Verb: "patch", Resource: schema.GroupVersionResource{Version: "v1", Resource: "replicationcontrollers"}}
	for _, tc := range []struct {
		a              Action
		verb, resource string
		want           bool
	}{
		{a, "get", "deployments", true},
		{a, "get", "deployments.apps", true},
		{a, "*", "*", true},
		{a, "update", "deployments", false},
		{a, "get", "statefulsets", false},
		{a, "get", "deployments.extensions", false},
		{core, "patch", "replicationcontrollers", true},
		{core, "*", "replicationcontrollers", true},
	} {
		assert.Equal(t, tc.want, tc.a.Matches(tc.verb, tc.resource), "%s %s", tc.verb, tc.resource)
	}
}

func TestRefusesWhatTheClientRefuses(t *testing.T) {
	f := canned(t)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	cases := map[string]func() error{
		"empty name": func() error {
			_, err := f.Scales("ns").Get(ctx, deploys, "", metav1.GetOptions{})
			return err
		},
		"bad namespace": func() error {
			_, err := f.Scales("a/b").Get(ctx, deploys, "web", metav1.GetOptions{})
			return err
		},
		"nil scale": func() error {
			_, err := f.Scales("ns").Update(ctx, deploys, nil, metav1.UpdateOptions{})
			return err
		},
		"empty patch type": func() error {
			_, err := f.Scales("ns").Patch(ctx, deploysGVR, "web", "", nil, metav1.PatchOptions{})
			return err
		},
		"slash in name": func() error {
			_, err := f.Scales("ns").Patch(ctx, deploysGVR, "a/b", types.MergePatchType, nil, metav1.PatchOptions{})
			return err
		},
	}
	for name, call := range cases {
		err := call()
		assert.ErrorIs(t, err, scale.ErrInvalidRequest, name)
		var e *scale.Error
		assert.ErrorAs(t, err, &e, name)
	}
	_, err := f.Scales("ns").Get(cancelled, deploys, "web", metav1.GetOptions{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, f.Actions(), "refused calls are not recorded")
}

func TestActionsAreCopies(t *testing.T) {
	f := canned(t)
	_, err := f.Scales("ns").Patch(ctx, deploysGVR, "web", types.MergePatchType, []byte(`{"spec":{"replicas":1}}`), metav1.PatchOptions{DryRun: []string{"All"}})
	require.NoError(t, err)
	acts := f.Actions()
	acts[0].Patch[0] = 'X'
	acts[0].Options.(metav1.PatchOptions).DryRun[0] = "X"
	again := f.Actions()
	assert.Equal(t, `{"spec":{"replicas":1}}`, string(again[0].Patch))
	assert.Equal(t, []string{"All"}, again[0].Options.(metav1.PatchOptions).DryRun)
	f.ClearActions()
	assert.Empty(t, f.Actions())
}

func TestConcurrentUse(t *testing.T) {
	f := canned(t)
	f.PrependReactor("get", "*", func(Action) (bool, *scale.Scale, error) { return false, nil, nil })
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 16 {
		wg.Go(func() {
			for j := range 4 {
				if _, err := scale.SetReplicas(ctx, f.Scales("ns"), deploysGVR, "web", int32(i*4+j), metav1.PatchOptions{}); err != nil {
					errs <- err
				}
				if _, err := f.Scales("ns").Get(ctx, deploys, "web", metav1.GetOptions{}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Len(t, f.Actions(), 128)
	s, _ := f.GetScale(deploys, "ns", "web")
	assert.Equal(t, "65", s.ResourceVersion, "one resourceVersion per write: SetScale plus 64 patches")
}
