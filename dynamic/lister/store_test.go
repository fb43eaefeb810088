package lister

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func cm(ns, name string, labels map[string]string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap"}}
	u.SetNamespace(ns)
	u.SetName(name)
	if labels != nil {
		u.SetLabels(labels)
	}
	return u
}

func names(objs []*unstructured.Unstructured) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, MetaNamespaceKey(o))
	}
	slices.Sort(out)
	return out
}

func newStore(t *testing.T, ix Indexers) *Store {
	t.Helper()
	s, err := NewStore(ix)
	require.NoError(t, err)
	return s
}

func TestKeys(t *testing.T) {
	assert.Equal(t, "ns/a", MetaNamespaceKey(cm("ns", "a", nil)))
	assert.Equal(t, "a", MetaNamespaceKey(cm("", "a", nil)))
	for key, want := range map[string][2]string{"ns/a": {"ns", "a"}, "a": {"", "a"}} {
		ns, name, err := SplitMetaNamespaceKey(key)
		require.NoError(t, err)
		assert.Equal(t, want, [2]string{ns, name})
	}
	for _, bad := range []string{"", "a/b/c", "ns/", "/"} {
		_, _, err := SplitMetaNamespaceKey(bad)
		assert.Error(t, err, bad)
	}
}

func TestStoreAddUpdateDelete(t *testing.T) {
	s := newStore(t, nil)
	a := cm("ns1", "a", nil)
	require.NoError(t, s.Add(a))
	require.NoError(t, s.Add(cm("ns2", "b", nil)))
	require.NoError(t, s.Add(cm("", "c", nil)))
	assert.Equal(t, 3, s.Len())
	got, ok := s.GetByKey("ns1/a")
	require.True(t, ok)
	assert.Same(t, a, got)

	a2 := cm("ns1", "a", map[string]string{"v": "2"})
	old, existed, err := s.Upsert(a2)
	require.NoError(t, err)
	assert.True(t, existed)
	assert.Same(t, a, old)
	got, _ = s.Get(a)
	assert.Same(t, a2, got)
	assert.Equal(t, 3, s.Len())

	old, existed = s.DeleteKey("ns1/a")
	assert.True(t, existed)
	assert.Same(t, a2, old)
	_, existed = s.DeleteKey("ns1/a")
	assert.False(t, existed)
	require.NoError(t, s.Delete(cm("ns2", "b", nil)))
	assert.Equal(t, []string{"c"}, names(s.List()))
	assert.Equal(t, []string{"c"}, s.ListKeys())

	inNS, err := s.ByIndex(NamespaceIndex, "ns1")
	require.NoError(t, err)
	assert.Empty(t, inNS)
	assert.Equal(t, []string{""}, s.IndexValues(NamespaceIndex), "empty namespace sets are dropped")
}

func TestStoreNamespaceIndexFollowsUpdates(t *testing.T) {
	s := newStore(t, nil)
	for i := range 5 {
		require.NoError(t, s.Add(cm(fmt.Sprintf("ns%d", i%2), fmt.Sprintf("o%d", i), nil)))
	}
	even, err := s.ByIndex(NamespaceIndex, "ns0")
	require.NoError(t, err)
	assert.Equal(t, []string{"ns0/o0", "ns0/o2", "ns0/o4"}, names(even))
	keys, err := s.IndexKeys(NamespaceIndex, "ns1")
	require.NoError(t, err)
	slices.Sort(keys)
	assert.Equal(t, []string{"ns1/o1", "ns1/o3"}, keys)
}

func TestStoreCustomIndex(t *testing.T) {
	s := newStore(t, Indexers{"app": LabelIndexFunc("app")})
	require.NoError(t, s.Add(cm("ns", "a", map[string]string{"app": "web"})))
	require.NoError(t, s.Add(cm("ns", "b", map[string]string{"app": "web"})))
	require.NoError(t, s.Add(cm("ns", "c", map[string]string{"app": "db"})))
	require.NoError(t, s.Add(cm("ns", "d", nil)))

	web, err := s.ByIndex("app", "web")
	require.NoError(t, err)
	assert.Equal(t, []string{"ns/a", "ns/b"}, names(web))

	// Moving an object to another value unfiles it from the old one.
	require.NoError(t, s.Update(cm("ns", "b", map[string]string{"app": "db"})))
	web, _ = s.ByIndex("app", "web")
	db, _ := s.ByIndex("app", "db")
	assert.Equal(t, []string{"ns/a"}, names(web))
	assert.Equal(t, []string{"ns/b", "ns/c"}, names(db))

	same, err := s.Index("app", cm("other", "x", map[string]string{"app": "db"}))
	require.NoError(t, err)
	assert.Equal(t, []string{"ns/b", "ns/c"}, names(same))
	vals := s.IndexValues("app")
	slices.Sort(vals)
	assert.Equal(t, []string{"db", "web"}, vals)

	_, err = s.ByIndex("nope", "x")
	var unknown *UnknownIndexError
	require.ErrorAs(t, err, &unknown)
	assert.Equal(t, "nope", unknown.Index)
	_, err = s.IndexKeys("nope", "x")
	require.ErrorAs(t, err, &unknown)
	_, err = s.Index("nope", cm("ns", "a", nil))
	require.ErrorAs(t, err, &unknown)
}

func TestStoreMultiValueIndex(t *testing.T) {
	byLabelKeys := func(obj *unstructured.Unstructured) ([]string, error) {
		return slices.Sorted(func(yield func(string) bool) {
			for k := range obj.GetLabels() {
				if !yield(k) {
					return
				}
			}
		}), nil
	}
	s := newStore(t, Indexers{"keys": byLabelKeys})
	require.NoError(t, s.Add(cm("ns", "a", map[string]string{"x": "1", "y": "1"})))
	require.NoError(t, s.Add(cm("ns", "b", map[string]string{"y": "1"})))
	got, err := s.Index("keys", cm("ns", "q", map[string]string{"x": "", "y": ""}))
	require.NoError(t, err)
	assert.Equal(t, []string{"ns/a", "ns/b"}, names(got), "each object once")
	require.NoError(t, s.Delete(cm("ns", "a", nil)))
	got, _ = s.ByIndex("keys", "x")
	assert.Empty(t, got)
}

func TestStoreFailingIndexKeepsObject(t *testing.T) {
	boom := errors.New("boom")
	flaky := func(obj *unstructured.Unstructured) ([]string, error) {
		if obj.GetLabels()["bad"] == "true" {
			return nil, boom
		}
		return []string{obj.GetLabels()["k"]}, nil
	}
	s := newStore(t, Indexers{"k": flaky})
	require.NoError(t, s.Add(cm("ns", "a", map[string]string{"k": "v"})))

	err := s.Add(cm("ns", "a", map[string]string{"k": "v", "bad": "true"}))
	var ie *IndexError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "k", ie.Index)
	assert.Equal(t, "ns/a", ie.Key)
	assert.ErrorIs(t, err, boom)
	// Stored, in the namespace index, absent from the failing one.
	got, ok := s.GetByKey("ns/a")
	require.True(t, ok)
	assert.Equal(t, "true", got.GetLabels()["bad"])
	inNS, _ := s.ByIndex(NamespaceIndex, "ns")
	assert.Len(t, inNS, 1)
	byK, _ := s.ByIndex("k", "v")
	assert.Empty(t, byK)

	// Deleting an object whose index function fails still unfiles it.
	require.NoError(t, s.Add(cm("ns", "b", map[string]string{"k": "v"})))
	s.mu.Lock()
	s.items["ns/b"] = cm("ns", "b", map[string]string{"k": "v", "bad": "true"})
	s.mu.Unlock()
	s.DeleteKey("ns/b")
	byK, _ = s.ByIndex("k", "v")
	assert.Empty(t, byK)
	assert.Empty(t, s.IndexValues("k"))
}

func TestStoreAddIndexersLater(t *testing.T) {
	s := newStore(t, nil)
	require.NoError(t, s.Add(cm("ns", "a", map[string]string{"app": "web"})))
	require.NoError(t, s.AddIndexers(Indexers{"app": LabelIndexFunc("app")}))
	web, err := s.ByIndex("app", "web")
	require.NoError(t, err)
	assert.Len(t, web, 1)

	assert.Error(t, s.AddIndexers(Indexers{"app": LabelIndexFunc("x")}), "duplicate name")
	assert.Error(t, s.AddIndexers(Indexers{NamespaceIndex: MetaNamespaceIndexFunc}), "namespace index is built in")
	assert.Error(t, s.AddIndexers(Indexers{"nil": nil}))
	_, err = NewStore(Indexers{NamespaceIndex: MetaNamespaceIndexFunc})
	assert.Error(t, err)
	assert.Len(t, s.Indexers(), 2)
}

func TestStoreReplace(t *testing.T) {
	s := newStore(t, Indexers{"app": LabelIndexFunc("app")})
	require.NoError(t, s.Add(cm("ns", "old", map[string]string{"app": "web"})))
	require.NoError(t, s.Replace([]*unstructured.Unstructured{
		cm("ns", "a", map[string]string{"app": "db"}),
		cm("ns2", "b", nil),
	}))
	assert.Equal(t, []string{"ns/a", "ns2/b"}, names(s.List()))
	web, _ := s.ByIndex("app", "web")
	assert.Empty(t, web)
	db, _ := s.ByIndex("app", "db")
	assert.Len(t, db, 1)
	ns2, _ := s.ByIndex(NamespaceIndex, "ns2")
	assert.Len(t, ns2, 1)
}

// TestStoreConcurrent runs writers and readers at once; -race checks the
// locking and the final state checks that no write was lost.
func TestStoreConcurrent(t *testing.T) {
	s := newStore(t, Indexers{"app": LabelIndexFunc("app")})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				o := cm(fmt.Sprintf("ns%d", w), fmt.Sprintf("o%d", i), map[string]string{"app": fmt.Sprint(i % 3)})
				assert.NoError(t, s.Add(o))
				if i%2 == 0 {
					assert.NoError(t, s.Delete(o))
				}
			}
		})
		wg.Go(func() {
			for range 200 {
				s.List()
				_, _ = s.ByIndex("app", "1")
				_, _ = s.ByIndex(NamespaceIndex, "ns1")
				s.GetByKey("ns0/o1")
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 400, s.Len())
	for w := range 4 {
		inNS, _ := s.ByIndex(NamespaceIndex, fmt.Sprintf("ns%d", w))
		assert.Len(t, inNS, 100)
	}
	total := 0
	for _, v := range []string{"0", "1", "2"} {
		objs, _ := s.ByIndex("app", v)
		total += len(objs)
	}
	assert.Equal(t, 400, total)
}
