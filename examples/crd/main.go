// Command crd installs a CustomResourceDefinition, waits until it is
// Established and its kind maps, creates, patches, applies and lists
// instances of it, replays their history with a watch, and deletes the CRD
// again: the life of a custom resource, with no generated types.
//
//	crd [-n NAMESPACE]
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
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/unstructured"
)

const crdManifest = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.demo.anykube.io
spec:
  group: demo.anykube.io
  scope: Namespaced
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget, shortNames: [wdg]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              color: {type: string}
              size: {type: integer, minimum: 1}
          status:
            type: object
            properties:
              phase: {type: string}
`

var crds = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

func main() {
	ns := flag.String("n", "", "namespace for the Widgets (default: the kubeconfig context's)")
	flag.Parse()
	if err := run(*ns); err != nil {
		fmt.Fprintf(os.Stderr, "crd: %v\n", err)
		os.Exit(1)
	}
}

func run(ns string) (err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
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
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}
	// The lazy mapper loads only the groups it is asked about and reloads a
	// group on a miss, so it sees a CRD created a second ago. It remembers a
	// miss for a while so that a loop cannot hammer the server; this program
	// waits for a kind it has just created, so it keeps misses briefly.
	mapper := restmapper.NewLazyRESTMapper(disc, restmapper.LazyOptions{NegativeTTL: 200 * time.Millisecond})

	// Install the CRD with server-side apply, which creates it or leaves an
	// identical one alone, so a second run works too.
	objs, err := unstructured.ReadManifests(strings.NewReader(crdManifest), unstructured.DecoderOptions{SourceName: "crd"})
	if err != nil {
		return err
	}
	crd := objs[0]
	fmt.Printf("Installing CRD %s...\n", crd.GetName())
	if _, err := client.Resource(crds).Apply(ctx, crd.GetName(), crd, metav1.ApplyOptions{FieldManager: "anykube-demo", Force: true}); err != nil {
		return err
	}
	defer func() { err = errors.Join(err, deleteCRD(client, crd.GetName())) }()

	// Wait for Established: a watch on the one object, which starts with
	// its current state, then sends each change.
	start := time.Now()
	w, err := client.Resource(crds).Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + crd.GetName()})
	if err != nil {
		return err
	}
	established := false
	for ev := range w.ResultChan() {
		if u, ok := ev.Object.(*apiu.Unstructured); ok && unstructured.IsConditionTrue(u, "Established") {
			established = true
			break
		}
	}
	w.Stop()
	if !established {
		return fmt.Errorf("CRD %s: watch ended before it was Established", crd.GetName())
	}
	fmt.Printf("CRD is Established after %s.\n", time.Since(start).Round(time.Millisecond))

	// Discovery serves the new group a moment after Established; ask the
	// mapper until it maps the kind.
	var widgets schema.GroupVersionResource
	for {
		m, err := mapper.RESTMapping(schema.GroupKind{Group: "demo.anykube.io", Kind: "Widget"})
		if err == nil {
			widgets = m.Resource
			break
		}
		if ctx.Err() != nil {
			return fmt.Errorf("kind Widget never mapped: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Printf("Kind Widget maps to resource %q of %s after %s.\n", widgets.Resource, widgets.GroupVersion(), time.Since(start).Round(time.Millisecond))
	ws := client.Resource(widgets).Namespace(ns)

	// Remember where history starts, to replay it with a watch at the end.
	before, err := ws.List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}

	for _, x := range []struct {
		name, color string
		size        int64
	}{{"small", "red", 1}, {"large", "blue", 10}} {
		obj := widget(x.name)
		if err := unstructured.Set(obj, "spec", map[string]any{"color": x.color, "size": x.size}); err != nil {
			return err
		}
		if _, err := ws.Create(ctx, obj, metav1.CreateOptions{}); err != nil {
			return err
		}
		fmt.Printf("Created widget %s.\n", x.name)
	}

	// A JSON merge patch changes only the fields it names.
	if _, err := ws.Patch(ctx, "small", types.MergePatchType, []byte(`{"spec":{"size":2}}`), metav1.PatchOptions{}); err != nil {
		return err
	}
	fmt.Println("Patched widget small: size 2.")

	// Server-side apply: send the fields this manager owns; the server
	// merges them and tracks who owns what.
	applied := widget("large")
	if err := unstructured.Set(applied, "spec.color", "green"); err != nil {
		return err
	}
	if _, err := ws.Apply(ctx, "large", applied, metav1.ApplyOptions{FieldManager: "anykube-demo", Force: true}); err != nil {
		return err
	}
	// Status has its own subresource: writes to the object ignore it.
	status := widget("large")
	if err := unstructured.Set(status, "status.phase", "Ready"); err != nil {
		return err
	}
	if _, err := ws.ApplyStatus(ctx, "large", status, metav1.ApplyOptions{FieldManager: "anykube-demo", Force: true}); err != nil {
		return err
	}
	fmt.Println("Applied widget large: color green, status Ready.")

	list, err := ws.List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	fmt.Printf("Widgets in namespace %q:\n", ns)
	for _, x := range list.Items {
		color, _ := unstructured.GetString(&x, "spec.color")
		size, _ := unstructured.GetInt64(&x, "spec.size")
		phase, _ := unstructured.GetString(&x, "status.phase")
		fmt.Printf(" * %-6s color=%-5s size=%-2d phase=%s\n", x.GetName(), color, size, phase)
	}

	for _, x := range list.Items {
		if err := ws.Delete(ctx, x.GetName(), metav1.DeleteOptions{}); err != nil {
			return err
		}
	}
	fmt.Println("Deleted the widgets.")

	// A watch from the resourceVersion of the first list replays every
	// change since, in order.
	fmt.Printf("Replaying history with a watch from resourceVersion %s:\n", before.GetResourceVersion())
	w, err = ws.Watch(ctx, metav1.ListOptions{ResourceVersion: before.GetResourceVersion()})
	if err != nil {
		return err
	}
	defer w.Stop()
	for deleted := 0; deleted < len(list.Items); {
		ev, ok := <-w.ResultChan()
		if !ok {
			return fmt.Errorf("watch ended early")
		}
		u, ok := ev.Object.(*apiu.Unstructured)
		if !ok || ev.Type == watch.Error {
			return fmt.Errorf("watch failed: %v", apierrors.FromObject(ev.Object))
		}
		size, _ := unstructured.GetInt64(u, "spec.size")
		color, _ := unstructured.GetString(u, "spec.color")
		phase, _ := unstructured.GetString(u, "status.phase")
		fmt.Printf(" %-8s %-6s color=%-5s size=%-2d phase=%s\n", ev.Type, u.GetName(), color, size, phase)
		if ev.Type == watch.Deleted {
			deleted++
		}
	}
	return nil
}

// widget returns a Widget with only its identity set.
func widget(name string) *apiu.Unstructured {
	u := &apiu.Unstructured{}
	u.SetAPIVersion("demo.anykube.io/v1")
	u.SetKind("Widget")
	u.SetName(name)
	return u
}

// deleteCRD deletes the CRD and waits until it is gone: the API server
// first deletes every instance, then the definition.
func deleteCRD(client dynamic.Interface, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fmt.Printf("Deleting CRD %s...\n", name)
	if err := client.Resource(crds).Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
		return err
	}
	for {
		_, err := client.Resource(crds).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			fmt.Println("CRD deleted.")
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("CRD %s still there after a minute", name)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
