package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/unstructured"
)

var pods = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// rolloutTimeout bounds the wait for pods: on a cluster where nothing runs
// them (no controller-manager, no nodes) the example goes on without.
const rolloutTimeout = 30 * time.Second

// waitRollout watches the Deployment until its status says the current
// spec is rolled out (every replica updated and ready, no old ones left),
// printing the ready count as it changes, then lists its pods. After
// rolloutTimeout it says so and returns nil.
func waitRollout(ctx context.Context, client dynamic.Interface, ns, name string) error {
	ctx, cancel := context.WithTimeout(ctx, rolloutTimeout)
	defer cancel()
	w, err := client.Resource(deployments).Namespace(ns).Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name})
	if err != nil {
		return err
	}
	defer w.Stop()
	last := int64(-1)
	for {
		var ev watch.Event
		var ok bool
		select {
		case ev, ok = <-w.ResultChan():
		case <-ctx.Done():
		}
		if !ok {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				fmt.Printf("  not rolled out after %s: is a controller-manager running, and are there nodes?\n", rolloutTimeout)
				return nil
			}
			return fmt.Errorf("watching deployment %s: the watch ended early", name)
		}
		if ev.Type == watch.Error {
			return fmt.Errorf("watching deployment %s: %v", name, ev.Object)
		}
		d, isObj := ev.Object.(*apiu.Unstructured)
		if !isObj {
			continue
		}
		want, _ := unstructured.GetInt64(d, "spec.replicas")
		ready, _ := unstructured.GetInt64(d, "status.readyReplicas")
		if ready != last {
			fmt.Printf("  ready pods: %d of %d\n", ready, want)
			last = ready
		}
		if rolledOut(d, want) {
			return printPods(ctx, client, d)
		}
	}
}

// rolledOut reports whether the controller has seen the current spec and
// every replica runs it, ready, with no old replica left.
func rolledOut(d *apiu.Unstructured, want int64) bool {
	observed, _ := unstructured.GetInt64(d, "status.observedGeneration")
	total, _ := unstructured.GetInt64(d, "status.replicas")
	updated, _ := unstructured.GetInt64(d, "status.updatedReplicas")
	ready, _ := unstructured.GetInt64(d, "status.readyReplicas")
	return observed >= d.GetGeneration() && total == want && updated == want && ready == want
}

// printPods lists the pods the Deployment selects, with phase and node.
func printPods(ctx context.Context, client dynamic.Interface, d *apiu.Unstructured) error {
	selector, err := metav1.LabelSelectorAsSelector(labelSelector(d))
	if err != nil {
		return err
	}
	list, err := client.Resource(pods).Namespace(d.GetNamespace()).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return err
	}
	for _, p := range list.Items {
		if p.GetDeletionTimestamp() != nil {
			continue
		}
		phase, _ := unstructured.GetString(&p, "status.phase")
		node, _ := unstructured.GetString(&p, "spec.nodeName")
		image, _ := unstructured.GetString(&p, "spec.containers[0].image")
		fmt.Printf("  pod %s: %s on %s (%s)\n", p.GetName(), phase, node, image)
	}
	return nil
}

// labelSelector reads spec.selector.matchLabels (all a Deployment made by
// this example uses).
func labelSelector(d *apiu.Unstructured) *metav1.LabelSelector {
	labels, _, _ := apiu.NestedStringMap(d.Object, "spec", "selector", "matchLabels")
	return &metav1.LabelSelector{MatchLabels: labels}
}
