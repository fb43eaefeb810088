package unstructured

import (
	"testing"

	"github.com/stretchr/testify/assert"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestStripServerFields(t *testing.T) {
	live := &apiu.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{
			"name": "web", "namespace": "shop", "generateName": "web-",
			"labels":                     map[string]any{"app": "web"},
			"annotations":                map[string]any{"kubectl.kubernetes.io/last-applied-configuration": "{}"},
			"finalizers":                 []any{"example.com/f"},
			"ownerReferences":            []any{map[string]any{"name": "o"}},
			"managedFields":              []any{map[string]any{"manager": "kubectl"}},
			"resourceVersion":            "123",
			"uid":                        "u-1",
			"creationTimestamp":          "2024-01-01T00:00:00Z",
			"generation":                 int64(4),
			"selfLink":                   "/apis/apps/v1/...",
			"deletionTimestamp":          "2024-01-02T00:00:00Z",
			"deletionGracePeriodSeconds": int64(30),
		},
		"spec":   map[string]any{"replicas": int64(2)},
		"status": map[string]any{"readyReplicas": int64(2)},
	}}
	before := live.DeepCopy()
	got := StripServerFields(live)
	assert.Equal(t, map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{
			"name": "web", "namespace": "shop", "generateName": "web-",
			"labels":          map[string]any{"app": "web"},
			"annotations":     map[string]any{"kubectl.kubernetes.io/last-applied-configuration": "{}"},
			"finalizers":      []any{"example.com/f"},
			"ownerReferences": []any{map[string]any{"name": "o"}},
		},
		"spec": map[string]any{"replicas": int64(2)},
	}, got.Object)
	assert.Equal(t, before.Object, live.Object, "the input is not modified")

	got.Object["spec"].(map[string]any)["replicas"] = int64(9)
	got.Object["metadata"].(map[string]any)["labels"].(map[string]any)["app"] = "x"
	assert.Equal(t, before.Object, live.Object, "the result shares nothing with the input")
}

func TestStripServerFieldsOddInputs(t *testing.T) {
	assert.Nil(t, StripServerFields(nil))
	assert.Equal(t, map[string]any{}, StripServerFields(&apiu.Unstructured{}).Object)
	odd := &apiu.Unstructured{Object: map[string]any{"metadata": "not a map", "x": int(1)}}
	assert.Equal(t, map[string]any{"metadata": "not a map", "x": int(1)}, StripServerFields(odd).Object)
}
