package metadatainformer

import (
	"fmt"
	"reflect"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func decoded(ns, name string, l map[string]string) *metav1.PartialObjectMetadata {
	// Fresh strings, as a decoder makes them.
	fresh := func(s string) string { return string([]byte(s)) }
	m := make(map[string]string, len(l))
	for k, v := range l {
		m[fresh(k)] = fresh(v)
	}
	return &metav1.PartialObjectMetadata{
		TypeMeta: metav1.TypeMeta{APIVersion: fresh("meta.k8s.io/v1"), Kind: fresh("PartialObjectMetadata")},
		ObjectMeta: metav1.ObjectMeta{
			Namespace: fresh(ns), Name: name, Labels: m,
			Annotations:   map[string]string{fresh("note"): fresh("x")},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "m"}},
		},
	}
}

func sameString(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }

func sameMap(a, b map[string]string) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

func TestStripperSharesLabelSetsAndStrings(t *testing.T) {
	s := newStripper()
	a, err := s.strip(decoded("ns", "a", map[string]string{"app": "web", "tier": "front"}))
	require.NoError(t, err)
	b, _ := s.strip(decoded("ns", "b", map[string]string{"tier": "front", "app": "web"}))
	c, _ := s.strip(decoded("ns", "c", map[string]string{"app": "web", "tier": "back"}))

	assert.Nil(t, a.ManagedFields)
	assert.Equal(t, map[string]string{"app": "web", "tier": "front"}, a.Labels)
	assert.True(t, sameMap(a.Labels, b.Labels), "the same set is one map")
	assert.False(t, sameMap(a.Labels, c.Labels), "another set is another map")
	assert.Equal(t, map[string]string{"app": "web", "tier": "back"}, c.Labels)
	assert.True(t, sameString(a.Namespace, c.Namespace))
	assert.True(t, sameString(a.Kind, c.Kind))
	assert.True(t, sameString(a.APIVersion, c.APIVersion))
	for k := range c.Annotations {
		for k2 := range a.Annotations {
			assert.True(t, sameString(k, k2), "annotation keys are shared")
		}
	}
	assert.Equal(t, map[string]string{"note": "x"}, c.Annotations)
	assert.Equal(t, "c", c.Name)

	// Pairs whose concatenations agree are still different sets.
	d, _ := s.strip(decoded("ns", "d", map[string]string{"a": "bc"}))
	e, _ := s.strip(decoded("ns", "e", map[string]string{"ab": "c"}))
	assert.Equal(t, map[string]string{"a": "bc"}, d.Labels)
	assert.Equal(t, map[string]string{"ab": "c"}, e.Labels)

	// No labels stay no labels.
	f, _ := s.strip(decoded("ns", "f", nil))
	assert.Empty(t, f.Labels)
}

func TestStripperTablesAreBounded(t *testing.T) {
	s := newStripper()
	for i := range maxLabelSets + 10 {
		obj, err := s.strip(decoded(fmt.Sprint("ns-", i), "x", map[string]string{"hash": fmt.Sprint(i)}))
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprint(i), obj.Labels["hash"])
	}
	assert.Len(t, s.labelSets, maxLabelSets)
	for i := range maxInterned {
		s.strip(decoded(fmt.Sprint("other-", i), "x", nil))
	}
	assert.Len(t, s.table, maxInterned)
	obj, _ := s.strip(decoded("past-the-bound", "x", map[string]string{"hash": "new"}))
	assert.Equal(t, "past-the-bound", obj.Namespace)
	assert.Equal(t, map[string]string{"hash": "new"}, obj.Labels)
}

func TestStripManagedFields(t *testing.T) {
	obj, err := StripManagedFields(decoded("ns", "a", nil))
	require.NoError(t, err)
	assert.Nil(t, obj.ManagedFields)
	obj, err = KeepEverything(decoded("ns", "a", nil))
	require.NoError(t, err)
	assert.Len(t, obj.ManagedFields, 1)
}
