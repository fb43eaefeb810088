package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/podlogs"
)

const demoName = "anykube-logs-demo"

// demoDeployment prints a numbered line every second.
var demoDeployment = &apiu.Unstructured{Object: map[string]any{
	"apiVersion": "apps/v1",
	"kind":       "Deployment",
	"metadata":   map[string]any{"name": demoName},
	"spec": map[string]any{
		"replicas": int64(2),
		"selector": map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": demoName}},
		"template": map[string]any{
			"metadata": map[string]any{"labels": map[string]any{"app.kubernetes.io/name": demoName}},
			"spec": map[string]any{"containers": []any{map[string]any{
				"name":    "ticker",
				"image":   "busybox:1.37",
				"command": []any{"sh", "-c", `i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 1; done`},
			}}},
		},
	},
}}

// demo creates the Deployment, follows its pods' logs for o.duration and
// deletes it.
func demo(o options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg, err := anykube.InferConfig()
	if err != nil {
		return err
	}
	if o.ns, err = anykube.InferNamespace(); err != nil {
		return err
	}
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	logs, err := podlogs.NewForConfig(cfg)
	if err != nil {
		return err
	}
	deployments := client.Resource(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}).Namespace(o.ns)
	deploy, err := deployments.Create(ctx, demoDeployment, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) { // left by an interrupted run
		deploy, err = deployments.Get(ctx, demoName, metav1.GetOptions{})
	}
	if err != nil {
		return err
	}
	fmt.Printf("Created deployment %s: 2 pods printing a line a second.\n", demoName)
	defer func() {
		if err := deployments.Delete(context.Background(), demoName, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			fmt.Fprintf(os.Stderr, "logs: deleting deployment %s: %v\n", demoName, err)
			return
		}
		fmt.Printf("Deleted deployment %s.\n", demoName)
	}()

	fmt.Printf("Following the logs of its pods for %v:\n", o.duration)
	follow, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	r, err := logs.StreamOwner(follow, deploy, multiOptions(o))
	if err != nil {
		return err
	}
	defer r.Close()
	out := &countingWriter{}
	_, err = io.Copy(out, r)
	if follow.Err() == nil && err != nil {
		return err
	}
	if out.n == 0 {
		fmt.Println("(nothing: no pod of it started in that time; a cluster without nodes runs none)")
	}
	return nil
}

// countingWriter writes to standard output and counts the bytes.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := os.Stdout.Write(p)
	w.n += int64(n)
	return n, err
}
