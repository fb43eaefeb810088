package dynamic_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/fake"
)

var cmGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

func configMap(ns, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap"}}
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

func TestRetryOnConflict(t *testing.T) {
	conflict := apierrors.NewConflict(schema.GroupResource{Resource: "configmaps"}, "a", errors.New("stale"))
	calls := 0
	err := dynamic.RetryOnConflict(dynamic.DefaultRetry, func() error {
		calls++
		if calls < 3 {
			return conflict
		}
		return nil
	})
	assert.NoError(t, err)
	assert.Equal(t, 3, calls)

	calls = 0
	err = dynamic.RetryOnConflict(wait.Backoff{Steps: 4, Duration: time.Millisecond}, func() error {
		calls++
		return conflict
	})
	assert.True(t, apierrors.IsConflict(err))
	assert.Equal(t, 4, calls, "Steps bounds the tries")

	calls = 0
	other := errors.New("other")
	err = dynamic.RetryOnConflict(dynamic.DefaultRetry, func() error {
		calls++
		return other
	})
	assert.Equal(t, other, err)
	assert.Equal(t, 1, calls, "only conflicts are retried")
}

func TestUpdateWithRetry(t *testing.T) {
	ctx := context.Background()
	c := fake.NewSimpleDynamicClient(nil, configMap("ns", "a"))
	cms := c.Resource(cmGVR).Namespace("ns")

	// Another writer gets in between the first read and write.
	raced := false
	got, err := dynamic.UpdateWithRetry(ctx, cms, "a", func(obj *unstructured.Unstructured) error {
		if !raced {
			raced = true
			other, err := cms.Get(ctx, "a", metav1.GetOptions{})
			require.NoError(t, err)
			other.SetAnnotations(map[string]string{"other": "yes"})
			_, err = cms.Update(ctx, other, metav1.UpdateOptions{})
			require.NoError(t, err)
		}
		labels := obj.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels["n"] = "1"
		obj.SetLabels(labels)
		return nil
	}, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.Equal(t, "1", got.GetLabels()["n"])
	assert.Equal(t, "yes", got.GetAnnotations()["other"], "the retry started from a fresh read")

	updates := 0
	for _, a := range c.Actions() {
		if a.Verb == "update" {
			updates++
		}
	}
	assert.Equal(t, 3, updates, "the racing update, the conflicting one, the retry")

	// No change, no write.
	c.ClearActions()
	same, err := dynamic.UpdateWithRetry(ctx, cms, "a", func(*unstructured.Unstructured) error { return nil }, metav1.UpdateOptions{})
	require.NoError(t, err)
	assert.Equal(t, got.GetResourceVersion(), same.GetResourceVersion())
	for _, a := range c.Actions() {
		assert.NotEqual(t, "update", a.Verb)
	}

	stop := errors.New("stop")
	_, err = dynamic.UpdateWithRetry(ctx, cms, "a", func(*unstructured.Unstructured) error { return stop }, metav1.UpdateOptions{})
	assert.Equal(t, stop, err)

	_, err = dynamic.UpdateWithRetry(ctx, cms, "missing", func(*unstructured.Unstructured) error { return nil }, metav1.UpdateOptions{})
	assert.True(t, apierrors.IsNotFound(err))

	// Endless conflicts end after DefaultRetry.Steps tries.
	c.PrependReactor("update", "configmaps", func(fake.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewConflict(cmGVR.GroupResource(), "a", errors.New("always"))
	})
	c.ClearActions()
	_, err = dynamic.UpdateWithRetry(ctx, cms, "a", func(obj *unstructured.Unstructured) error {
		obj.SetLabels(map[string]string{"x": time.Now().String()})
		return nil
	}, metav1.UpdateOptions{})
	assert.True(t, apierrors.IsConflict(err))
	updates = 0
	for _, a := range c.Actions() {
		if a.Verb == "update" {
			updates++
		}
	}
	assert.Equal(t, dynamic.DefaultRetry.Steps, updates)
}
