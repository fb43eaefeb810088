// Command apply is `kubectl apply --server-side -f FILE`: it reads a
// multi-document manifest, maps each document's kind to its resource
// through the RESTMapper, and server-side applies it. A CRD and instances of
// it may share the file: after applying a CRD, apply waits until it is
// Established, and the lazy mapper picks up the new kind by itself.
//
//	apply -f FILE [-n NAMESPACE] [--field-manager NAME] [--then-delete]
//
// FILE "-" reads standard input. Namespaced objects without a namespace go
// to -n, or to the kubeconfig context's namespace. --then-delete deletes
// everything again, last document first, so a demo leaves nothing behind.
//
// It reads the cluster from $KUBECONFIG (or ~/.kube/config, or the
// in-cluster service account).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/unstructured"
)

func main() {
	file := flag.String("f", "", "manifest file, or - for standard input")
	ns := flag.String("n", "", "namespace for namespaced objects that name none (default: the kubeconfig context's)")
	manager := flag.String("field-manager", "anykube-apply", "the field manager that owns the applied fields")
	thenDelete := flag.Bool("then-delete", false, "delete the objects again after applying them")
	flag.Parse()
	if *file == "" {
		fmt.Fprintln(os.Stderr, "usage: apply -f FILE [-n NAMESPACE] [--field-manager NAME] [--then-delete]")
		os.Exit(2)
	}
	if err := run(*file, *ns, *manager, *thenDelete); err != nil {
		fmt.Fprintf(os.Stderr, "apply: %v\n", err)
		os.Exit(1)
	}
}

func run(file, ns, manager string, thenDelete bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// Read every document first: a mistake in the last one applies nothing.
	var in io.Reader = os.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	objs, err := unstructured.ReadManifests(in, unstructured.DecoderOptions{SourceName: file})
	if err != nil {
		return err // names the file, the document and the line
	}

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
	// The lazy mapper asks discovery only about the groups the file uses,
	// and reloads a group when a kind is missing from it: a CRD applied a
	// moment ago maps without restarting anything.
	mapper := restmapper.NewLazyRESTMapper(disc, restmapper.LazyOptions{NegativeTTL: 200 * time.Millisecond})

	var applied []resourceAndName
	newGroups := map[string]bool{} // groups of the CRDs applied so far
	for _, obj := range objs {
		m, err := mapWhenServed(ctx, mapper, obj, ns, newGroups[obj.GroupVersionKind().Group])
		if meta.IsNoMatchError(err) {
			return fmt.Errorf("%w (is its CRD installed?)", err)
		} else if err != nil {
			return err
		}
		r := resourceFor(client, m, obj.GetNamespace())
		out, err := r.Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: manager, Force: true})
		if err != nil {
			return err
		}
		fmt.Printf("%s serverside-applied (resourceVersion %s)\n", describe(out), out.GetResourceVersion())
		applied = append(applied, resourceAndName{r, describe(out), out.GetName()})

		if m.GroupVersionKind.Kind == "CustomResourceDefinition" {
			if err := waitEstablished(ctx, r, out.GetName()); err != nil {
				return err
			}
			group, _ := unstructured.GetString(out, "spec.group")
			newGroups[group] = true
		}
	}

	if !thenDelete {
		return nil
	}
	slices.Reverse(applied) // instances before their CRD, as kubectl delete -f does
	for _, a := range applied {
		// Background: the garbage collector removes dependents later, so
		// this does not wait for a controller-manager that may not run.
		policy := metav1.DeletePropagationBackground
		if err := a.r.Delete(ctx, a.name, metav1.DeleteOptions{PropagationPolicy: &policy}); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
		fmt.Printf("%s deleted\n", a.what)
	}
	return nil
}

type resourceAndName struct {
	r          dynamic.ResourceInterface
	what, name string
}

// mapWhenServed defaults obj's namespace and returns its mapping. When
// wait is set (a CRD of obj's group was just applied), a kind that does not
// map yet is asked about again for a few seconds: discovery serves a new
// CRD a moment after it is Established.
func mapWhenServed(ctx context.Context, mapper meta.RESTMapper, obj *apiu.Unstructured, ns string, wait bool) (*meta.RESTMapping, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, err := unstructured.DefaultNamespace(obj, mapper, ns)
		if err == nil || !wait || !meta.IsNoMatchError(err) || time.Now().After(deadline) {
			return m, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func resourceFor(client dynamic.Interface, m *meta.RESTMapping, ns string) dynamic.ResourceInterface {
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return client.Resource(m.Resource).Namespace(ns)
	}
	return client.Resource(m.Resource)
}

// waitEstablished polls a CRD until its Established condition is True.
func waitEstablished(ctx context.Context, crds dynamic.ResourceInterface, name string) error {
	for {
		crd, err := crds.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if unstructured.IsConditionTrue(crd, "Established") {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("CRD %s is not Established: %w", name, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// describe is kubectl's "kind.group/name": "deployment.apps/web".
func describe(u *apiu.Unstructured) string {
	return strings.ToLower(u.GroupVersionKind().GroupKind().String()) + "/" + u.GetName()
}
