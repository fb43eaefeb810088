package fake

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func names(l *unstructured.UnstructuredList) []string {
	out := []string{}
	for _, it := range l.Items {
		out = append(out, it.GetName())
	}
	return out
}

func TestListKindNeverPanics(t *testing.T) {
	ctx := context.Background()
	unknown := schema.GroupVersionResource{Group: "nobody.io", Version: "v1", Resource: "things"}
	c := NewSimpleDynamicClient(nil)
	l, err := c.Resource(unknown).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, "List", l.GetKind(), "nothing is known about the resource")
	assert.Equal(t, "nobody.io/v1", l.GetAPIVersion())
	assert.Empty(t, l.Items)

	// Learnt from the first object.
	_, err = c.Resource(unknown).Create(ctx, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "nobody.io/v1", "kind": "Thing", "metadata": map[string]any{"name": "t"},
	}}, metav1.CreateOptions{})
	require.NoError(t, err)
	l, err = c.Resource(unknown).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, "ThingList", l.GetKind())
	assert.Equal(t, "Thing", l.Items[0].GetKind(), "items keep their kind")
	assert.Equal(t, "nobody.io/v1", l.Items[0].GetAPIVersion())

	custom := NewSimpleDynamicClientWithCustomListKinds(nil, map[schema.GroupVersionResource]string{deployGVR: "DeploymentList"})
	l, err = custom.Resource(deployGVR).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, "DeploymentList", l.GetKind())
}

func TestListSelectors(t *testing.T) {
	ctx := context.Background()
	var objs []runtime.Object
	for _, ns := range []string{"a", "b"} {
		for i := range 3 {
			cm := configMap(ns, fmt.Sprintf("cm%d", i), map[string]any{"k": fmt.Sprint(i)})
			cm.SetLabels(map[string]string{"idx": fmt.Sprint(i), "tier": map[bool]string{true: "front", false: "back"}[i == 0]})
			objs = append(objs, cm)
		}
	}
	c := NewSimpleDynamicClient(nil, objs...)
	all := c.Resource(cmGVR)
	tests := []struct {
		ns, label, field string
		want             []string
	}{
		{"", "", "", []string{"cm0", "cm1", "cm2", "cm0", "cm1", "cm2"}},
		{"a", "", "", []string{"cm0", "cm1", "cm2"}},
		{"", "tier=front", "", []string{"cm0", "cm0"}},
		{"", "idx in (1,2),tier!=front", "", []string{"cm1", "cm2", "cm1", "cm2"}},
		{"", "", "metadata.name=cm1", []string{"cm1", "cm1"}},
		{"", "", "metadata.namespace=b,metadata.name!=cm0", []string{"cm1", "cm2"}},
		{"", "tier=back", "metadata.namespace=a", []string{"cm1", "cm2"}},
		{"", "", "data.k=2", []string{"cm2", "cm2"}},
		{"", "missing", "", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.label+"|"+tt.field, func(t *testing.T) {
			var ri = all.Namespace(tt.ns)
			if tt.ns == "" {
				ri = all
			}
			l, err := ri.List(ctx, metav1.ListOptions{LabelSelector: tt.label, FieldSelector: tt.field})
			require.NoError(t, err)
			assert.Equal(t, tt.want, names(l))
		})
	}
	_, err := all.List(ctx, metav1.ListOptions{FieldSelector: "metadata.name"})
	assert.True(t, apierrors.IsBadRequest(err), "got %v", err)
	_, err = all.List(ctx, metav1.ListOptions{ResourceVersionMatch: metav1.ResourceVersionMatchExact})
	assert.True(t, apierrors.IsInvalid(err), "match without a version; got %v", err)
}

func TestListPagesAreASnapshot(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil)
	cms := c.Resource(cmGVR).Namespace("ns")
	for i := range 25 {
		_, err := cms.Create(ctx, configMap("", fmt.Sprintf("cm%02d", i), nil), metav1.CreateOptions{})
		require.NoError(t, err)
	}
	first, err := cms.List(ctx, metav1.ListOptions{Limit: 10})
	require.NoError(t, err)
	require.Len(t, first.Items, 10)
	require.NotEmpty(t, first.GetContinue())
	require.NotNil(t, first.GetRemainingItemCount())
	assert.EqualValues(t, 15, *first.GetRemainingItemCount())

	// Changes after the first page do not show up in later pages.
	require.NoError(t, cms.Delete(ctx, "cm20", metav1.DeleteOptions{}))
	_, err = cms.Create(ctx, configMap("", "cm99", nil), metav1.CreateOptions{})
	require.NoError(t, err)

	var got []string
	got = append(got, names(first)...)
	token := first.GetContinue()
	for token != "" {
		page, err := cms.List(ctx, metav1.ListOptions{Limit: 10, Continue: token})
		require.NoError(t, err)
		assert.Equal(t, first.GetResourceVersion(), page.GetResourceVersion())
		got = append(got, names(page)...)
		token = page.GetContinue()
	}
	require.Len(t, got, 25)
	assert.Equal(t, "cm20", got[20])
	assert.Equal(t, "cm24", got[24])

	// Selected lists do not count what remains.
	sel, err := cms.List(ctx, metav1.ListOptions{Limit: 2, FieldSelector: "metadata.namespace=ns"})
	require.NoError(t, err)
	assert.Nil(t, sel.GetRemainingItemCount())

	_, err = cms.List(ctx, metav1.ListOptions{Limit: 10, Continue: "garbage"})
	assert.True(t, apierrors.IsBadRequest(err), "got %v", err)
	_, err = cms.List(ctx, metav1.ListOptions{Limit: 10, Continue: first.GetContinue(), ResourceVersion: "1"})
	assert.True(t, apierrors.IsBadRequest(err), "got %v", err)

	c.Compact()
	_, err = cms.List(ctx, metav1.ListOptions{Limit: 10, Continue: first.GetContinue()})
	assert.True(t, apierrors.IsResourceExpired(err), "got %v", err)
}

func TestListResourceVersionSemantics(t *testing.T) {
	ctx := context.Background()
	c := NewSimpleDynamicClient(nil)
	cms := c.Resource(cmGVR).Namespace("ns")
	_, err := cms.Create(ctx, configMap("", "a", nil), metav1.CreateOptions{})
	require.NoError(t, err)
	rvA := c.ResourceVersion()
	_, err = cms.Create(ctx, configMap("", "b", nil), metav1.CreateOptions{})
	require.NoError(t, err)

	exact, err := cms.List(ctx, metav1.ListOptions{ResourceVersion: rvA, ResourceVersionMatch: metav1.ResourceVersionMatchExact})
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, names(exact))
	assert.Equal(t, rvA, exact.GetResourceVersion())

	notOlder, err := cms.List(ctx, metav1.ListOptions{ResourceVersion: rvA})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, names(notOlder))

	limited, err := cms.List(ctx, metav1.ListOptions{ResourceVersion: rvA, Limit: 5})
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, names(limited), "a limited list at a version is exact")

	_, err = cms.List(ctx, metav1.ListOptions{ResourceVersion: "1000"})
	assert.True(t, apierrors.IsTimeout(err), "got %v", err)
	_, err = cms.List(ctx, metav1.ListOptions{ResourceVersion: "x"})
	assert.True(t, apierrors.IsBadRequest(err), "got %v", err)

	c.Compact()
	_, err = cms.List(ctx, metav1.ListOptions{ResourceVersion: rvA, ResourceVersionMatch: metav1.ResourceVersionMatchExact})
	assert.True(t, apierrors.IsResourceExpired(err), "got %v", err)
	_, err = cms.List(ctx, metav1.ListOptions{ResourceVersion: rvA})
	assert.NoError(t, err, "not-older-than reads are still served")
}

// TestListKindFromTheScheme: given a scheme with kinds registered and no
// objects, List answers the scheme's list kind, or "<Kind>List", as
// client-go's fake does.
func TestListKindFromTheScheme(t *testing.T) {
	ctx := context.Background()
	scheme := runtime.NewScheme()
	apps := schema.GroupVersion{Group: "apps", Version: "v1"}
	scheme.AddKnownTypeWithName(apps.WithKind("Deployment"), &unstructured.Unstructured{})
	scheme.AddKnownTypeWithName(apps.WithKind("DeploymentList"), &unstructured.UnstructuredList{})
	widgets := schema.GroupVersion{Group: "example.com", Version: "v1"}
	scheme.AddKnownTypeWithName(widgets.WithKind("Widget"), &unstructured.Unstructured{})
	scheme.AddKnownTypeWithName(schema.GroupVersion{Group: "example.com", Version: runtime.APIVersionInternal}.WithKind("Gadget"), &unstructured.Unstructured{})

	c := NewSimpleDynamicClient(scheme)
	for _, tc := range []struct {
		gvr  schema.GroupVersionResource
		want string
	}{
		{deployGVR, "DeploymentList"},
		{widgets.WithResource("widgets"), "WidgetList"},
		{schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "gadgets"}, "List"},
	} {
		l, err := c.Resource(tc.gvr).List(ctx, metav1.ListOptions{})
		require.NoError(t, err)
		assert.Equal(t, tc.want, l.GetKind(), tc.gvr.String())
		assert.Equal(t, tc.gvr.GroupVersion().String(), l.GetAPIVersion())
	}

	// A list kind given for a resource wins over the scheme's.
	custom := NewSimpleDynamicClientWithCustomListKinds(scheme, map[schema.GroupVersionResource]string{deployGVR: "FancyList"})
	l, err := custom.Resource(deployGVR).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, "FancyList", l.GetKind())
}
