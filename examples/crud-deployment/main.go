// Command crud-deployment creates, reads, updates, lists and deletes a
// Deployment with the dynamic client: client-go's classic
// dynamic-create-update-delete-deployment program, without the prompts, with
// the update done as a read-modify-write that survives conflicts, and with
// the Deployment deleted even when a step fails.
//
//	crud-deployment [-n NAMESPACE] [--name NAME]
//
// It reads the cluster from $KUBECONFIG (or ~/.kube/config, or the
// in-cluster service account).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/unstructured"
)

var deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}

func main() {
	ns := flag.String("n", "", "namespace (default: the kubeconfig context's)")
	name := flag.String("name", "anykube-demo", "the Deployment's name")
	flag.Parse()
	if err := run(*ns, *name); err != nil {
		fmt.Fprintf(os.Stderr, "crud-deployment: %v\n", err)
		os.Exit(1)
	}
}

func run(ns, name string) (err error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	cfg, err := anykube.InferConfig()
	if err != nil {
		return err
	}
	if ns == "" {
		if ns, err = anykube.InferNamespace(); err != nil {
			return err
		}
	}
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	deploys := client.Resource(deployments).Namespace(ns)

	// Create.
	fmt.Printf("Creating deployment %s/%s...\n", ns, name)
	created, err := deploys.Create(ctx, deployment(name), metav1.CreateOptions{})
	if err != nil {
		return err
	}
	fmt.Printf("Created deployment %q (uid %s, resourceVersion %s).\n", created.GetName(), created.GetUID(), created.GetResourceVersion())
	defer func() {
		// Delete, even when a step below failed. Background propagation lets
		// the garbage collector remove the ReplicaSets and their pods after
		// the Deployment is gone; Foreground would keep the Deployment until
		// they are, and forever on a cluster without a controller-manager.
		fmt.Println("Deleting deployment...")
		policy := metav1.DeletePropagationBackground
		if derr := deploys.Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &policy}); derr != nil {
			err = errors.Join(err, derr)
			return
		}
		fmt.Println("Deleted deployment.")
	}()

	// Get, and read fields with paths that say what is wrong when they fail.
	got, err := deploys.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	replicas, err := unstructured.GetInt64(got, "spec.replicas")
	if err != nil {
		return err
	}
	image, err := unstructured.GetString(got, "spec.template.spec.containers[name=web].image")
	if err != nil {
		return err
	}
	fmt.Printf("Got deployment: %d replicas of %s.\n", replicas, image)

	// The controllers make a ReplicaSet and its pods; kubelets run them.
	// Watch the Deployment's status follow its spec.
	if err := waitRollout(ctx, client, ns, name); err != nil {
		return err
	}

	// Update: a read-modify-write loop. Another writer (here, the
	// deployment controller updating status) may change the object between
	// our Get and our Update; the server then answers 409 Conflict and
	// UpdateWithRetry starts over from a fresh Get.
	fmt.Println("Updating deployment: 1 replica, image nginx:1.27...")
	updated, err := dynamic.UpdateWithRetry(ctx, deploys, name, func(d *apiu.Unstructured) error {
		if err := unstructured.Set(d, "spec.replicas", 1); err != nil {
			return err
		}
		return unstructured.Set(d, "spec.template.spec.containers[name=web].image", "nginx:1.27")
	}, metav1.UpdateOptions{})
	if err != nil {
		return err
	}
	fmt.Printf("Updated deployment (generation %d, resourceVersion %s).\n", updated.GetGeneration(), updated.GetResourceVersion())
	if err := waitRollout(ctx, client, ns, name); err != nil {
		return err
	}

	// The same update with a stale copy shows what the loop protects
	// against: the server refuses to overwrite a newer version.
	stale := got.DeepCopy()
	if err := unstructured.Set(stale, "spec.replicas", 5); err != nil {
		return err
	}
	_, err = deploys.Update(ctx, stale, metav1.UpdateOptions{})
	if !apierrors.IsConflict(err) {
		return fmt.Errorf("an update from a stale copy should conflict, got %v", err)
	}
	fmt.Printf("Updating from the stale copy fails, as it should: %v\n", err)

	// List, selecting by label.
	list, err := deploys.List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=anykube-demo"})
	if err != nil {
		return err
	}
	fmt.Printf("Listing deployments in namespace %q labelled app.kubernetes.io/managed-by=anykube-demo:\n", ns)
	for _, d := range list.Items {
		r, _ := unstructured.GetInt64(&d, "spec.replicas")
		fmt.Printf(" * %s (replicas: %d)\n", d.GetName(), r)
	}
	return nil
}

// deployment returns the Deployment to create, written as a Go map the way
// it would be written in YAML.
func deployment(name string) *apiu.Unstructured {
	labels := map[string]any{"app": name}
	return &apiu.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1",
		"kind":       "Deployment",
		"metadata": map[string]any{
			"name":   name,
			"labels": map[string]any{"app.kubernetes.io/managed-by": "anykube-demo"},
		},
		"spec": map[string]any{
			"replicas": int64(2),
			"selector": map[string]any{"matchLabels": labels},
			"template": map[string]any{
				"metadata": map[string]any{"labels": labels},
				"spec": map[string]any{
					"containers": []any{map[string]any{
						"name":  "web",
						"image": "nginx:1.26",
						"ports": []any{map[string]any{"name": "http", "containerPort": int64(80)}},
					}},
				},
			},
		},
	}}
}
