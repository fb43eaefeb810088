package unstructured

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func withConditions(conds ...any) *apiu.Unstructured {
	return &apiu.Unstructured{Object: map[string]any{
		"apiVersion": "example.com/v1", "kind": "Widget",
		"status": map[string]any{"conditions": conds},
	}}
}

func TestFindCondition(t *testing.T) {
	u := withConditions(
		map[string]any{"type": "Ready", "status": "True", "reason": "Up", "message": "all good",
			"observedGeneration": int64(4), "lastTransitionTime": "2024-05-01T10:00:00Z", "lastProbeTime": nil},
		map[string]any{"type": "Degraded", "status": "False"},
		map[string]any{"type": "Progressing", "status": "Unknown"},
	)
	c, ok, err := FindCondition(u, "Ready")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, metav1.ConditionTrue, c.Status)
	assert.Equal(t, "Up", c.Reason)
	assert.Equal(t, "all good", c.Message)
	assert.Equal(t, int64(4), c.ObservedGeneration)
	assert.Equal(t, 10, c.LastTransitionTime.UTC().Hour())

	_, ok, err = FindCondition(u, "Missing")
	require.NoError(t, err)
	assert.False(t, ok)

	assert.True(t, IsConditionTrue(u, "Ready"))
	assert.False(t, IsConditionTrue(u, "Degraded"))
	assert.False(t, IsConditionTrue(u, "Progressing"))
	assert.False(t, IsConditionTrue(u, "Missing"))

	all, err := Conditions(u)
	require.NoError(t, err)
	assert.Len(t, all, 3)
}

func TestConditionsAbsent(t *testing.T) {
	for _, u := range []*apiu.Unstructured{
		{Object: map[string]any{"kind": "A"}},
		{Object: map[string]any{"status": map[string]any{}}},
		{Object: map[string]any{"status": map[string]any{"conditions": nil}}},
		nil,
	} {
		conds, err := Conditions(u)
		assert.NoError(t, err)
		assert.Empty(t, conds)
		assert.False(t, IsConditionTrue(u, "Ready"))
	}
}

func TestConditionsMalformed(t *testing.T) {
	cases := []struct {
		u  *apiu.Unstructured
		at string
	}{
		{&apiu.Unstructured{Object: map[string]any{"status": map[string]any{"conditions": "Ready"}}}, "status.conditions"},
		{&apiu.Unstructured{Object: map[string]any{"status": "broken"}}, "status"},
		{withConditions("Ready"), "status.conditions[0]"},
		{withConditions(map[string]any{"status": "True"}), "status.conditions[0].type"},
		{withConditions(map[string]any{"type": "Ready"}, map[string]any{"type": "X", "status": true}), "status.conditions[1].status"},
		{withConditions(map[string]any{"type": "Ready", "observedGeneration": "3"}), "status.conditions[0].observedGeneration"},
		{withConditions(map[string]any{"type": "Ready", "lastTransitionTime": "yesterday"}), "status.conditions[0].lastTransitionTime"},
	}
	for _, tc := range cases {
		t.Run(tc.at, func(t *testing.T) {
			_, _, err := FindCondition(tc.u, "Ready")
			fe := fieldErr(t, err)
			assert.Equal(t, tc.at, fe.At)
			assert.False(t, IsConditionTrue(tc.u, "Ready"))
		})
	}
}
