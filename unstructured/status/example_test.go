package status_test

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/anykube/anykube/unstructured/status"
)

func ExampleCompute() {
	deploy := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "web", "generation": int64(2)},
		"spec":     map[string]any{"replicas": int64(3)},
		"status": map[string]any{
			"observedGeneration": int64(2), "replicas": int64(3),
			"updatedReplicas": int64(3), "availableReplicas": int64(3), "readyReplicas": int64(1),
		},
	}}
	r, err := status.Compute(deploy)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Status, r.Reason, r.Message)
	// Output: InProgress LessReady 1 of 3 replicas ready
}
