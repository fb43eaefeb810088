package unstructured

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func object(apiVersion, kind, name, uid string) *apiu.Unstructured {
	u := &apiu.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind,
		"metadata": map[string]any{"name": name}}}
	if uid != "" {
		u.Object["metadata"].(map[string]any)["uid"] = uid
	}
	return u
}

func TestOwnerReferences(t *testing.T) {
	rs := object("apps/v1", "ReplicaSet", "web-1", "")
	dep := object("apps/v1", "Deployment", "web", "uid-dep")
	other := object("apps/v1", "Deployment", "other", "uid-other")

	ref, err := NewOwnerReference(dep, true)
	require.NoError(t, err)
	assert.Equal(t, "web", ref.Name)
	assert.True(t, *ref.Controller)
	assert.True(t, *ref.BlockOwnerDeletion)

	assert.False(t, IsOwnedBy(rs, dep))
	require.NoError(t, AddOwnerReference(rs, ref))
	assert.True(t, IsOwnedBy(rs, dep))
	assert.False(t, IsOwnedBy(rs, other))

	// Adding the same owner again replaces rather than duplicates.
	require.NoError(t, AddOwnerReference(rs, ref))
	refs, err := OwnerReferences(rs)
	require.NoError(t, err)
	assert.Len(t, refs, 1)

	// A second controller is refused, a plain owner is fine.
	otherCtl, err := NewOwnerReference(other, true)
	require.NoError(t, err)
	assert.ErrorContains(t, AddOwnerReference(rs, otherCtl), "already controlled by Deployment web")
	otherRef, err := NewOwnerReference(other, false)
	require.NoError(t, err)
	require.NoError(t, AddOwnerReference(rs, otherRef))
	assert.True(t, IsOwnedBy(rs, other))
	assert.Len(t, rs.GetOwnerReferences(), 2)

	removed, err := RemoveOwnerReference(rs, "uid-dep")
	require.NoError(t, err)
	assert.True(t, removed)
	assert.False(t, IsOwnedBy(rs, dep))
	removed, err = RemoveOwnerReference(rs, "uid-dep")
	require.NoError(t, err)
	assert.False(t, removed)
	removed, err = RemoveOwnerReference(rs, "uid-other")
	require.NoError(t, err)
	assert.True(t, removed)
	has, err := Has(rs, "metadata.ownerReferences")
	require.NoError(t, err)
	assert.False(t, has, "the last reference removed takes the list with it")
}

func TestIsOwnedByWithoutUID(t *testing.T) {
	// Owners from manifests have no UID yet: match by group, kind, name,
	// across versions.
	child := object("v1", "ConfigMap", "c", "")
	require.NoError(t, AddOwnerReference(child, metav1.OwnerReference{APIVersion: "example.com/v1beta1", Kind: "Widget", Name: "w"}))
	assert.True(t, IsOwnedBy(child, object("example.com/v1", "Widget", "w", "")))
	assert.False(t, IsOwnedBy(child, object("other.com/v1", "Widget", "w", "")))
	assert.False(t, IsOwnedBy(child, object("example.com/v1", "Widget", "x", "")))
	assert.False(t, IsOwnedBy(nil, child))
}

func TestOwnerReferenceErrors(t *testing.T) {
	_, err := NewOwnerReference(object("apps/v1", "Deployment", "web", ""), false)
	assert.ErrorContains(t, err, "no uid")
	_, err = NewOwnerReference(object("", "Deployment", "web", "u"), false)
	assert.ErrorIs(t, err, ErrMissingAPIVersion)
	_, err = NewOwnerReference(nil, false)
	assert.Error(t, err)

	assert.Error(t, AddOwnerReference(nil, metav1.OwnerReference{}))
	assert.Error(t, AddOwnerReference(object("v1", "A", "a", ""), metav1.OwnerReference{Kind: "B"}))

	bad := object("v1", "A", "a", "")
	bad.Object["metadata"].(map[string]any)["ownerReferences"] = []any{"not a map"}
	_, err = OwnerReferences(bad)
	assert.Equal(t, "metadata.ownerReferences[0]", fieldErr(t, err).At)
	assert.Error(t, AddOwnerReference(bad, metav1.OwnerReference{APIVersion: "v1", Kind: "B", Name: "b"}))
	_, err = RemoveOwnerReference(bad, "x")
	assert.Error(t, err)
	assert.Equal(t, []any{"not a map"}, bad.Object["metadata"].(map[string]any)["ownerReferences"], "left alone")

	bad.Object["metadata"].(map[string]any)["ownerReferences"] = []any{map[string]any{"name": int64(3)}}
	_, err = OwnerReferences(bad)
	assert.ErrorContains(t, err, "metadata.ownerReferences[0]")
}
