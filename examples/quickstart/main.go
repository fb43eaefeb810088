// Command quickstart is the README's quick start, kept here so that it is
// built and run by the tests: kubeconfig, discovery, RESTMapper, the
// dynamic client, and the scale client, on a Deployment it applies first
// and deletes at the end.
package main

import (
	"context"
	"fmt"
	"log"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/scale"
)

func main() {
	ctx := context.Background()
	cfg, err := anykube.InferConfig() // $KUBECONFIG, ~/.kube/config or in-cluster
	check(err)
	ns, err := anykube.InferNamespace()
	check(err)
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	check(err)
	mapper := restmapper.NewLazyRESTMapper(disc, restmapper.LazyOptions{})
	defer mapper.Close() // stops its watches, if a miss started them
	m, err := mapper.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deployment"})
	check(err)

	client, err := dynamic.NewForConfig(cfg)
	check(err)
	deploys := client.Resource(m.Resource).Namespace(ns)
	_, err = deploys.Apply(ctx, "web", webDeployment(), metav1.ApplyOptions{FieldManager: "quickstart"})
	check(err)
	web, err := deploys.Get(ctx, "web", metav1.GetOptions{})
	check(err)
	replicas, _, _ := unstructured.NestedInt64(web.Object, "spec", "replicas")
	fmt.Printf("%s %s/%s has %d replica(s)\n", m.GroupVersionKind.Kind, ns, web.GetName(), replicas)

	scales, err := scale.NewForConfig(cfg, mapper, nil, scale.NewDiscoveryScaleKindResolver(disc))
	check(err)
	s, err := scale.SetReplicas(ctx, scales.Scales(ns), m.Resource, "web", 3, metav1.PatchOptions{})
	check(err)
	fmt.Printf("scaled to %d\n", s.Spec.Replicas)

	check(deploys.Delete(ctx, "web", metav1.DeleteOptions{}))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func webDeployment() *unstructured.Unstructured {
	labels := map[string]any{"app": "web"}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1",
		"kind":       "Deployment",
		"metadata":   map[string]any{"name": "web"},
		"spec": map[string]any{
			"replicas": int64(1),
			"selector": map[string]any{"matchLabels": labels},
			"template": map[string]any{
				"metadata": map[string]any{"labels": labels},
				"spec":     map[string]any{"containers": []any{map[string]any{"name": "web", "image": "nginx"}}},
			},
		},
	}}
}
