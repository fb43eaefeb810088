package dynamic_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/fake"
)

func seeded(t *testing.T, n int) *fake.FakeDynamicClient {
	t.Helper()
	objs := make([]runtime.Object, n)
	for i := range objs {
		cm := configMap("ns", fmt.Sprintf("cm%04d", i))
		cm.SetLabels(map[string]string{"even": fmt.Sprint(i%2 == 0)})
		objs[i] = cm
	}
	c := fake.NewSimpleDynamicClient(nil, objs...)
	require.NoError(t, c.Add())
	return c
}

func listCalls(c *fake.FakeDynamicClient) []metav1.ListOptions {
	var out []metav1.ListOptions
	for _, a := range c.Actions() {
		if a.Verb == "list" {
			out = append(out, a.ListOptions)
		}
	}
	return out
}

func TestItemsWalksEveryPage(t *testing.T) {
	c := seeded(t, 25)
	var got []string
	for obj, err := range dynamic.Items(context.Background(), c.Resource(cmGVR), metav1.ListOptions{Limit: 10}) {
		require.NoError(t, err)
		got = append(got, obj.GetName())
	}
	require.Len(t, got, 25)
	assert.Equal(t, "cm0000", got[0])
	assert.Equal(t, "cm0024", got[24])
	calls := listCalls(c)
	require.Len(t, calls, 3)
	assert.Empty(t, calls[0].Continue)
	assert.NotEmpty(t, calls[1].Continue)
	assert.EqualValues(t, 10, calls[2].Limit)

	// Breaking out stops fetching.
	c.ClearActions()
	n := 0
	for _, err := range dynamic.Items(context.Background(), c.Resource(cmGVR), metav1.ListOptions{Limit: 10}) {
		require.NoError(t, err)
		if n++; n == 3 {
			break
		}
	}
	assert.Len(t, listCalls(c), 1)

	// Zero limit means DefaultPageSize; selectors are kept on every page.
	c.ClearActions()
	n = 0
	for obj, err := range dynamic.Items(context.Background(), c.Resource(cmGVR), metav1.ListOptions{LabelSelector: "even=true"}) {
		require.NoError(t, err)
		assert.Equal(t, "true", obj.GetLabels()["even"])
		n++
	}
	assert.Equal(t, 13, n)
	assert.Equal(t, dynamic.DefaultPageSize, listCalls(c)[0].Limit)
}

func TestItemsYieldsErrorOnce(t *testing.T) {
	c := seeded(t, 25)
	calls := 0
	c.PrependReactor("list", "configmaps", func(a fake.Action) (bool, runtime.Object, error) {
		if calls++; calls == 2 {
			return true, nil, apierrors.NewServiceUnavailable("down")
		}
		return false, nil, nil
	})
	var items, errs int
	for obj, err := range dynamic.Items(context.Background(), c.Resource(cmGVR), metav1.ListOptions{Limit: 10}) {
		if err != nil {
			errs++
			assert.Nil(t, obj)
			assert.True(t, apierrors.IsServiceUnavailable(err))
			continue
		}
		items++
	}
	assert.Equal(t, 10, items)
	assert.Equal(t, 1, errs)
}

func TestListAllIsConsistent(t *testing.T) {
	ctx := context.Background()
	c := seeded(t, 2000)
	cms := c.Resource(cmGVR).Namespace("ns")
	// A write between the pages must not show: every page is read at the
	// first page's version.
	calls := 0
	c.PrependReactor("list", "configmaps", func(a fake.Action) (bool, runtime.Object, error) {
		if calls++; calls == 2 {
			_, err := cms.Create(ctx, configMap("ns", "cm0000a"), metav1.CreateOptions{})
			require.NoError(t, err)
			require.NoError(t, cms.Delete(ctx, "cm1999", metav1.DeleteOptions{}))
		}
		return false, nil, nil
	})
	all, err := dynamic.ListAll(ctx, cms, metav1.ListOptions{Limit: 100})
	require.NoError(t, err)
	assert.Len(t, all.Items, 2000)
	assert.Equal(t, 20, calls)
	assert.Equal(t, "ConfigMapList", all.GetKind())
	assert.Equal(t, "cm1999", all.Items[1999].GetName())
	assert.Empty(t, all.GetContinue())
	assert.Nil(t, all.GetRemainingItemCount())
	rv, err := cms.List(ctx, metav1.ListOptions{Limit: 1, ResourceVersion: all.GetResourceVersion()})
	require.NoError(t, err)
	assert.Equal(t, all.GetResourceVersion(), rv.GetResourceVersion())
}

func TestListAllFallsBackWhenSnapshotExpires(t *testing.T) {
	ctx := context.Background()
	c := seeded(t, 30)
	cms := c.Resource(cmGVR).Namespace("ns")
	calls := 0
	c.PrependReactor("list", "configmaps", func(a fake.Action) (bool, runtime.Object, error) {
		if calls++; calls == 2 {
			_, err := cms.Create(ctx, configMap("ns", "late"), metav1.CreateOptions{})
			require.NoError(t, err)
			c.Compact()
		}
		return false, nil, nil
	})
	all, err := dynamic.ListAll(ctx, cms, metav1.ListOptions{Limit: 10})
	require.NoError(t, err)
	assert.Len(t, all.Items, 31, "the fallback list is the current state")
	lists := listCalls(c)
	require.Len(t, lists, 3)
	assert.Zero(t, lists[2].Limit, "the fallback is unpaged")
	assert.Equal(t, c.ResourceVersion(), all.GetResourceVersion())
}

func TestListAllFirstPageError(t *testing.T) {
	c := fake.NewSimpleDynamicClient(nil)
	c.InjectError("list", "*", apierrors.NewForbidden(cmGVR.GroupResource(), "", nil))
	_, err := dynamic.ListAll(context.Background(), c.Resource(cmGVR), metav1.ListOptions{})
	assert.True(t, apierrors.IsForbidden(err))
}
