package scale_test

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/scale"
	"github.com/anykube/anykube/scale/fake"
)

// SetReplicas takes any ScaleInterface; here the fake's, which answers from
// a canned scale as a server would.
func ExampleSetReplicas() {
	deployments := schema.GroupResource{Group: "apps", Resource: "deployments"}
	scales := &fake.FakeScaleClient{}
	_ = scales.SetScale(deployments, &scale.Scale{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec:       scale.ScaleSpec{Replicas: 1},
		Status:     scale.ScaleStatus{Replicas: 1, Selector: "app=web"},
	})

	s, err := scale.SetReplicas(context.Background(), scales.Scales("default"), deployments.WithVersion("v1"), "web", 3, metav1.PatchOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Spec.Replicas, s.Status.Selector)
	for _, a := range scales.Actions() {
		fmt.Println(a.Verb, a.Resource.Resource, a.PatchType, string(a.Patch))
	}
	// Output:
	// 3 app=web
	// patch deployments application/merge-patch+json {"spec":{"replicas":3}}
}
