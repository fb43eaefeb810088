package unstructured

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestMergeLabelsAndAnnotations(t *testing.T) {
	u := object("v1", "ConfigMap", "c", "")
	require.NoError(t, MergeLabels(u, map[string]string{"app": "web", "tier": "a"}))
	require.NoError(t, MergeLabels(u, map[string]string{"tier": "b", "env": "prod"}))
	assert.Equal(t, map[string]string{"app": "web", "tier": "b", "env": "prod"}, u.GetLabels())

	require.NoError(t, MergeAnnotations(u, map[string]string{"example.com/a": "1"}))
	assert.Equal(t, map[string]string{"example.com/a": "1"}, u.GetAnnotations())

	require.NoError(t, MergeLabels(u, nil))
	assert.Len(t, u.GetLabels(), 3)

	empty := &apiu.Unstructured{}
	require.NoError(t, MergeLabels(empty, nil))
	assert.Nil(t, empty.Object, "nothing to merge creates nothing")
}

func TestMergeLabelsRefusesMalformedMetadata(t *testing.T) {
	u := object("v1", "ConfigMap", "c", "")
	u.Object["metadata"].(map[string]any)["labels"] = map[string]any{"count": int64(3)}
	err := MergeLabels(u, map[string]string{"a": "b"})
	assert.ErrorIs(t, err, ErrFieldType)
	assert.ErrorContains(t, err, "metadata.labels.count")
	assert.Equal(t, map[string]any{"count": int64(3)}, u.Object["metadata"].(map[string]any)["labels"], "not overwritten")

	u.Object["metadata"] = "broken"
	assert.ErrorIs(t, MergeAnnotations(u, map[string]string{"a": "b"}), ErrFieldType)
	assert.Error(t, MergeLabels(nil, map[string]string{"a": "b"}))
}

func TestMergeLabelsWithNullEntryDoesNotDropLabels(t *testing.T) {
	u := object("v1", "ConfigMap", "c", "")
	u.Object["metadata"].(map[string]any)["labels"] = map[string]any{"keep": "me", "odd": nil}
	err := MergeLabels(u, map[string]string{"a": "b"})
	assert.ErrorIs(t, err, ErrFieldType)
	assert.NotErrorIs(t, err, ErrFieldNotFound)
	assert.Equal(t, map[string]any{"keep": "me", "odd": nil}, u.Object["metadata"].(map[string]any)["labels"])
}
