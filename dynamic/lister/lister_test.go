package lister

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var cmGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

func filled(t *testing.T) *Store {
	t.Helper()
	s := newStore(t, nil)
	for _, o := range []*unstructured.Unstructured{
		cm("ns1", "a", map[string]string{"app": "web", "tier": "front"}),
		cm("ns1", "b", map[string]string{"app": "db"}),
		cm("ns2", "a", map[string]string{"app": "web"}),
		cm("ns2", "c", nil),
		cm("", "cluster", map[string]string{"app": "web"}),
	} {
		require.NoError(t, s.Add(o))
	}
	return s
}

func TestListerGetAndList(t *testing.T) {
	l := New(filled(t), cmGVR)

	all, err := l.List(labels.Everything())
	require.NoError(t, err)
	assert.Len(t, all, 5)
	all, err = l.List(nil)
	require.NoError(t, err)
	assert.Len(t, all, 5)

	web, err := l.List(labels.SelectorFromSet(labels.Set{"app": "web"}))
	require.NoError(t, err)
	assert.Equal(t, []string{"cluster", "ns1/a", "ns2/a"}, names(web))

	sel, err := labels.Parse("app in (web,db),!tier")
	require.NoError(t, err)
	got, _ := l.List(sel)
	assert.Equal(t, []string{"cluster", "ns1/b", "ns2/a"}, names(got))

	obj, err := l.Get("cluster")
	require.NoError(t, err)
	assert.Equal(t, "cluster", obj.GetName())
	_, err = l.Get("a") // namespaced objects are not found by name alone
	require.True(t, apierrors.IsNotFound(err), "%v", err)
	assert.Contains(t, err.Error(), `configmaps "a" not found`)
}

func TestNamespaceLister(t *testing.T) {
	l := New(filled(t), cmGVR)
	ns1 := l.Namespace("ns1")
	got, err := ns1.List(labels.Everything())
	require.NoError(t, err)
	assert.Equal(t, []string{"ns1/a", "ns1/b"}, names(got))
	got, _ = ns1.List(labels.SelectorFromSet(labels.Set{"app": "db"}))
	assert.Equal(t, []string{"ns1/b"}, names(got))

	obj, err := ns1.Get("a")
	require.NoError(t, err)
	assert.Equal(t, "ns1", obj.GetNamespace())
	_, err = ns1.Get("c")
	require.True(t, apierrors.IsNotFound(err))
	var se *apierrors.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "configmaps", se.ErrStatus.Details.Kind)

	none, err := l.Namespace("missing").List(nil)
	require.NoError(t, err)
	assert.Empty(t, none)
}

// sliceIndexer has no namespace index: the lister must scan.
type sliceIndexer []*unstructured.Unstructured

func (s sliceIndexer) GetByKey(key string) (*unstructured.Unstructured, bool) {
	for _, o := range s {
		if MetaNamespaceKey(o) == key {
			return o, true
		}
	}
	return nil, false
}

func (s sliceIndexer) List() []*unstructured.Unstructured {
	return append([]*unstructured.Unstructured(nil), s...)
}

func (s sliceIndexer) ByIndex(name, _ string) ([]*unstructured.Unstructured, error) {
	return nil, &UnknownIndexError{Index: name}
}

func TestNamespaceListerWithoutIndex(t *testing.T) {
	l := New(sliceIndexer(filled(t).List()), cmGVR)
	got, err := l.Namespace("ns2").List(nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"ns2/a", "ns2/c"}, names(got))
}

func TestListFilterDoesNotTouchStore(t *testing.T) {
	s := filled(t)
	l := New(s, cmGVR)
	_, _ = l.List(labels.SelectorFromSet(labels.Set{"app": "none"}))
	assert.Equal(t, 5, s.Len())
	all, _ := l.List(nil)
	assert.Len(t, all, 5)
}

func TestRawLabels(t *testing.T) {
	o := cm("ns", "a", map[string]string{"k": "v"})
	l := objectLabels(o)
	assert.True(t, l.Has("k"))
	assert.Equal(t, "v", l.Get("k"))
	assert.False(t, l.Has("x"))
	// A malformed label value does not match and does not panic.
	o.Object["metadata"].(map[string]any)["labels"] = map[string]any{"k": 3}
	assert.False(t, objectLabels(o).Has("k"))
	assert.False(t, objectLabels(&unstructured.Unstructured{Object: map[string]any{}}).Has("k"))
}

// TestListerOfTypedObjects runs a store, an index and a lister over
// PartialObjectMetadata, whose labels are read from the struct's map.
func TestListerOfTypedObjects(t *testing.T) {
	pom := func(ns, name string, l map[string]string) *metav1.PartialObjectMetadata {
		return &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: l}}
	}
	s, err := NewStoreOf(IndexersOf[*metav1.PartialObjectMetadata]{"app": LabelIndexFuncOf[*metav1.PartialObjectMetadata]("app")})
	require.NoError(t, err)
	require.NoError(t, s.Add(pom("ns1", "a", map[string]string{"app": "web"})))
	require.NoError(t, s.Add(pom("ns1", "b", map[string]string{"app": "db"})))
	require.NoError(t, s.Add(pom("ns2", "a", map[string]string{"app": "web"})))

	l := NewOf[*metav1.PartialObjectMetadata](s, cmGVR)
	web, err := l.List(labels.SelectorFromSet(labels.Set{"app": "web"}))
	require.NoError(t, err)
	assert.Len(t, web, 2)
	got, err := l.Namespace("ns1").List(labels.SelectorFromSet(labels.Set{"app": "db"}))
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "b", got[0].Name)
	obj, err := l.Namespace("ns2").Get("a")
	require.NoError(t, err)
	assert.Equal(t, "ns2", obj.Namespace)
	_, err = l.Namespace("ns2").Get("b")
	assert.True(t, apierrors.IsNotFound(err), "%v", err)
	byApp, err := s.ByIndex("app", "web")
	require.NoError(t, err)
	assert.Len(t, byApp, 2)
}
