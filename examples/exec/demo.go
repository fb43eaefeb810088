package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/podexec"
)

const demoPod = "anykube-exec-demo"

var podsGVR = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// runDemo creates a pod, runs commands in it, and deletes it.
func runDemo(ns string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pe, ns, cfg, err := client(ns)
	if err != nil {
		return err
	}
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	pods := dc.Resource(podsGVR).Namespace(ns)
	if err := createPod(ctx, pods); err != nil {
		return err
	}
	defer deletePod(pods)

	// stdin that ends, stdout and stderr apart, a non-zero exit code.
	script := `cat; echo "to stderr" >&2; exit 3`
	fmt.Printf("$ sh -c '%s'   (stdin: \"hello from stdin\")\n", script)
	var stdout, stderr bytes.Buffer
	err = pe.Exec(ctx, ns, demoPod, []string{"sh", "-c", script}, podexec.Options{
		Stdin: strings.NewReader("hello from stdin\n"), Stdout: &stdout, Stderr: &stderr,
	})
	var exit *podexec.ExitError
	if !errors.As(err, &exit) {
		return fmt.Errorf("expected an exit code, got %v", err)
	}
	fmt.Printf("stdout: %sstderr: %sexit code: %d\n", stdout.String(), stderr.String(), exit.Code)

	// A terminal of a given size.
	script = `for i in $(seq 50); do s=$(stty size); [ "$s" = "24 100" ] && break; sleep 0.1; done; [ -t 1 ] && echo "on a terminal of $s rows and columns"`
	fmt.Println("$ sh -c 'stty size'   (on a terminal of 100x24)")
	sizes := make(chan podexec.TerminalSize, 1)
	sizes <- podexec.TerminalSize{Width: 100, Height: 24}
	var out bytes.Buffer
	if err := pe.Exec(ctx, ns, demoPod, []string{"sh", "-c", script}, podexec.Options{Stdout: &out, TTY: true, Resize: sizes}); err != nil {
		return err
	}
	fmt.Print(strings.ReplaceAll(out.String(), "\r\n", "\n"))

	// The same over SPDY, which servers before Kubernetes 1.30 speak.
	fmt.Println("$ echo over SPDY   (--spdy)")
	out.Reset()
	if err := pe.Exec(ctx, ns, demoPod, []string{"echo", "over SPDY"}, podexec.Options{Stdout: &out, Protocol: podexec.ProtocolSPDY}); err != nil {
		return err
	}
	fmt.Print(out.String())
	return nil
}

// createPod creates the demo pod and waits until it runs. busybox has the
// shell the commands need; the pod sleeps until it is deleted.
func createPod(ctx context.Context, pods dynamic.ResourceInterface) error {
	pod := &apiu.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": demoPod, "labels": map[string]any{"app.kubernetes.io/managed-by": "anykube-demo"}},
		"spec": map[string]any{
			"terminationGracePeriodSeconds": int64(0),
			"containers": []any{map[string]any{
				"name": "main", "image": "busybox:1.36", "command": []any{"sleep", "3600"},
			}},
		},
	}}
	if _, err := pods.Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		return err
	}
	fmt.Printf("Created pod %s; waiting for it to run.\n", demoPod)
	for {
		p, err := pods.Get(ctx, demoPod, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if phase, _, _ := apiu.NestedString(p.Object, "status", "phase"); phase == "Running" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pod %s did not run: %w", demoPod, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// deletePod deletes the demo pod at once and waits until it is gone, so
// that the demo can run again.
func deletePod(pods dynamic.ResourceInterface) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := pods.Delete(ctx, demoPod, metav1.DeleteOptions{GracePeriodSeconds: new(int64)})
	for err == nil {
		_, err = pods.Get(ctx, demoPod, metav1.GetOptions{})
		time.Sleep(100 * time.Millisecond)
	}
	if apierrors.IsNotFound(err) {
		fmt.Printf("Deleted pod %s.\n", demoPod)
		return
	}
	fmt.Printf("Deleting pod %s: %v\n", demoPod, err)
}
