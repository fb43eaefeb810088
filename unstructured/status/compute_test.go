package status

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	au "github.com/anykube/anykube/unstructured"
)

// now is after every creationTimestamp in testdata by far more than
// scheduleGrace.
var now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func loadCases(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	f, err := os.Open("testdata/cases.yaml")
	require.NoError(t, err)
	defer f.Close()
	objs, err := au.ReadManifests(f, au.DecoderOptions{SourceName: "cases.yaml"})
	require.NoError(t, err)
	return objs
}

func TestComputeCases(t *testing.T) {
	for _, u := range loadCases(t) {
		t.Run(u.GetName(), func(t *testing.T) {
			ann := u.GetAnnotations()
			got, err := compute(u, now)
			require.NoError(t, err)
			assert.Equal(t, Status(ann["status.anykube.io/want"]), got.Status, "message %q", got.Message)
			assert.Equal(t, ann["status.anykube.io/want-reason"], got.Reason, "message %q", got.Message)
			if got.Reason != "" && got.Status != Failed {
				assert.NotEmpty(t, got.Message)
			}
		})
	}
}

// TestComputeCasesCoverEveryRule keeps testdata honest: every kind with a
// rule of its own has at least one case.
func TestComputeCasesCoverEveryRule(t *testing.T) {
	seen := map[string]bool{}
	for _, u := range loadCases(t) {
		key := u.GetKind()
		if g := u.GroupVersionKind().Group; g != "" {
			key = g + "/" + key
		}
		seen[key] = true
	}
	for key := range rules {
		if key == "extensions/Deployment" || key == "extensions/DaemonSet" || key == "extensions/ReplicaSet" {
			continue
		}
		assert.True(t, seen[key], "no case for %s", key)
	}
}

func TestComputeNil(t *testing.T) {
	got, err := Compute(nil)
	require.NoError(t, err)
	assert.Equal(t, NotFound, got.Status)
}

func TestComputePodUnschedulableWithinGrace(t *testing.T) {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "p", "creationTimestamp": now.Add(-5 * time.Second).Format(time.RFC3339)},
		"status": map[string]any{"phase": "Pending", "conditions": []any{
			map[string]any{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "no nodes"},
		}},
	}}
	got, err := compute(u, now)
	require.NoError(t, err)
	assert.Equal(t, InProgress, got.Status)
	assert.Equal(t, "PodNotScheduled", got.Reason)
	got, err = compute(u, now.Add(scheduleGrace))
	require.NoError(t, err)
	assert.Equal(t, Failed, got.Status)
	assert.Contains(t, got.Message, "no nodes")
}

func TestComputeMalformed(t *testing.T) {
	for name, obj := range map[string]map[string]any{
		"replicas string": {"apiVersion": "apps/v1", "kind": "Deployment", "spec": map[string]any{"replicas": "3"}},
		"conditions map":  {"apiVersion": "example.com/v1", "kind": "Widget", "status": map[string]any{"conditions": map[string]any{}}},
		"condition item":  {"apiVersion": "example.com/v1", "kind": "Widget", "status": map[string]any{"conditions": []any{"Ready"}}},
		"condition type":  {"apiVersion": "example.com/v1", "kind": "Widget", "status": map[string]any{"conditions": []any{map[string]any{"type": 1}}}},
		"generation":      {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": map[string]any{"generation": "2"}, "status": map[string]any{"observedGeneration": 1}},
	} {
		t.Run(name, func(t *testing.T) {
			obj["metadata"] = merge(obj["metadata"], map[string]any{"name": "w", "namespace": "ns"})
			got, err := Compute(&unstructured.Unstructured{Object: obj})
			assert.Equal(t, Unknown, got.Status)
			var se *Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, "ns", se.Namespace)
			assert.Equal(t, "w", se.Name)
			var fe *au.FieldError
			assert.True(t, errors.As(err, &fe), "cause %v", err)
			assert.Contains(t, err.Error(), "ns/w")
		})
	}
}

func merge(a any, b map[string]any) map[string]any {
	m, _ := a.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}

func TestResultString(t *testing.T) {
	assert.Equal(t, "Current", Result{Status: Current}.String())
	assert.Equal(t, "InProgress: 1 of 3 ready", Result{Status: InProgress, Message: "1 of 3 ready"}.String())
}
