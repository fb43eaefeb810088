package dynamic_test

import (
	"context"
	"fmt"
	"log"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/fake"
)

// exampleConfigMap returns a ConfigMap in namespace default.
func exampleConfigMap(name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("v1")
	u.SetKind("ConfigMap")
	u.SetNamespace("default")
	u.SetName(name)
	return u
}

// The dynamic client works on any resource, named by its group, version
// and plural name; errors answered by the server are apimachinery's, so
// apierrors.IsNotFound and the like work as with client-go.
func ExampleNewForConfig() {
	cfg, err := anykube.InferConfig()
	if err != nil {
		log.Fatal(err)
	}
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	configMaps := schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	cms := client.Resource(configMaps).Namespace("default")

	cm := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1",
		"kind":       "ConfigMap",
		"metadata":   map[string]any{"name": "settings"},
		"data":       map[string]any{"mode": "fast"},
	}}
	_, err = cms.Create(ctx, cm, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		fmt.Println("already there")
	} else if err != nil {
		log.Fatal(err)
	}
	got, err := cms.Get(ctx, "settings", metav1.GetOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.GetResourceVersion())
}

// UpdateWithRetry is the read-modify-write loop: when another writer got in
// between the read and the write, the server answers 409 Conflict and the
// loop starts over from a fresh read.
func ExampleUpdateWithRetry() {
	web := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "web", "namespace": "default"},
		"spec":     map[string]any{"replicas": int64(1)},
	}}
	client := fake.NewSimpleDynamicClient(nil, web)
	deployments := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	deploys := client.Resource(deployments).Namespace("default")

	// Another writer changes the Deployment just before our first update.
	first := true
	client.PrependReactor("update", "deployments", func(fake.Action) (bool, runtime.Object, error) {
		if first {
			first = false
			_, err := deploys.Patch(context.Background(), "web", types.MergePatchType, []byte(`{"metadata":{"labels":{"team":"a"}}}`), metav1.PatchOptions{})
			return false, nil, err
		}
		return false, nil, nil
	})

	updated, err := dynamic.UpdateWithRetry(context.Background(), deploys, "web", func(d *unstructured.Unstructured) error {
		return unstructured.SetNestedField(d.Object, int64(3), "spec", "replicas")
	}, metav1.UpdateOptions{})
	if err != nil {
		log.Fatal(err)
	}
	replicas, _, _ := unstructured.NestedInt64(updated.Object, "spec", "replicas")
	updates := 0
	for _, a := range client.Actions() {
		if a.Verb == "update" {
			updates++
		}
	}
	fmt.Println("replicas:", replicas, "labels:", updated.GetLabels(), "updates sent:", updates)
	// Output:
	// replicas: 3 labels: map[team:a] updates sent: 2
}

// Items walks a long list in pages, one request per page, as one sequence.
func ExampleItems() {
	client := fake.NewSimpleDynamicClient(nil,
		exampleConfigMap("a"), exampleConfigMap("b"), exampleConfigMap("c"), exampleConfigMap("d"), exampleConfigMap("e"))
	cms := client.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace("default")

	for cm, err := range dynamic.Items(context.Background(), cms, metav1.ListOptions{Limit: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Print(cm.GetName(), " ")
	}
	fmt.Println("in", len(client.Actions()), "requests")
	// Output:
	// a b c d e in 3 requests
}

// A RetryWatcher outlives its connections: when the watch drops, it
// watches again from the last resourceVersion it delivered, so the change
// made while it was away arrives, once.
func ExampleNewRetryWatcher() {
	client := fake.NewSimpleDynamicClient(nil, exampleConfigMap("before"))
	cms := client.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace("default")
	ctx := context.Background()

	w, err := dynamic.NewRetryWatcher(ctx, cms, metav1.ListOptions{}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Stop()
	show := func(ev watch.Event) {
		fmt.Println(ev.Type, ev.Object.(*unstructured.Unstructured).GetName())
	}

	show(<-w.ResultChan()) // the current state: ADDED before
	if _, err := cms.Create(ctx, exampleConfigMap("a"), metav1.CreateOptions{}); err != nil {
		log.Fatal(err)
	}
	show(<-w.ResultChan())

	client.StopWatches() // the connection drops...
	if _, err := cms.Create(ctx, exampleConfigMap("b"), metav1.CreateOptions{}); err != nil {
		log.Fatal(err)
	}
	show(<-w.ResultChan()) // ...and nothing is lost
	// Output:
	// ADDED before
	// ADDED a
	// ADDED b
}
