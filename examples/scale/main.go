// Command scale reads and sets the replicas of anything with a scale
// subresource, built-in or custom, through the polymorphic scale client,
// like `kubectl scale`.
//
//	scale TYPE[.VERSION][.GROUP] NAME [--replicas N] [-n NAMESPACE]
//	scale --demo [-n NAMESPACE]
//
// Without --replicas it prints the current scale. --demo creates a
// Deployment and a custom resource whose CRD declares a scale subresource,
// scales both, shows what happens with a resource that has none, and
// deletes what it created.
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
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/scale"
	"github.com/anykube/anykube/unstructured"
)

// clients is what both modes need.
type clients struct {
	dynamic  dynamic.Interface
	mapper   meta.RESTMapper
	resolver *restmapper.Resolver
	scales   scale.ScalesGetter
}

func main() {
	ns := flag.String("n", "", "namespace (default: the kubeconfig context's)")
	var replicas *int32 // nil: only print the scale
	flag.Func("replicas", "the desired number of replicas (default: only print the scale)", func(s string) error {
		n, err := strconv.ParseInt(s, 10, 32)
		replicas = new(int32(n))
		return err
	})
	demo := flag.Bool("demo", false, "scale a Deployment and a custom resource it creates, then clean up")
	args := parseInterspersed(flag.CommandLine, os.Args[1:])
	if !*demo && len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: scale TYPE[.VERSION][.GROUP] NAME [--replicas N] [-n NAMESPACE] | scale --demo")
		os.Exit(2)
	}
	if err := run(*demo, args, *ns, replicas); err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err) // the scale client's errors start with "scale:"
		os.Exit(1)
	}
}

func run(demo bool, args []string, ns string, replicas *int32) error {
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
	var c clients
	if c.dynamic, err = dynamic.NewForConfig(cfg); err != nil {
		return err
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}
	// The mapper picks the version of the resource to scale; the kind
	// resolver reads from discovery which flavour of Scale its /scale
	// serves (autoscaling/v1 on every current server). Both reload on a
	// miss, so a CRD installed a moment ago works.
	cached := memory.NewMemCacheClient(disc)
	c.mapper = restmapper.NewShortcutExpander(restmapper.NewLazyRESTMapper(disc, restmapper.LazyOptions{NegativeTTL: 200 * time.Millisecond}), cached, nil)
	c.resolver = restmapper.NewResolver(c.mapper)
	if c.scales, err = scale.NewForConfig(cfg, c.mapper, nil, scale.NewDiscoveryScaleKindResolver(cached)); err != nil {
		return err
	}
	if demo {
		return runDemo(ctx, c, ns)
	}

	m, err := c.resolver.Resolve(ctx, args[0])
	if err != nil {
		return err
	}
	if m.Scope.Name() != meta.RESTScopeNameNamespace {
		ns = ""
	}
	gr := m.Resource.GroupResource()
	if replicas != nil {
		// One merge patch: no read-modify-write, so no conflict to retry.
		// The server checks the number (a negative one is Invalid).
		if _, err := scale.SetReplicas(ctx, c.scales.Scales(ns), m.Resource, args[1], *replicas, metav1.PatchOptions{}); err != nil {
			return err
		}
	}
	s, err := c.scales.Scales(ns).Get(ctx, gr, args[1], metav1.GetOptions{})
	if err != nil {
		return err
	}
	printScale(gr, s)
	return nil
}

func printScale(gr schema.GroupResource, s *scale.Scale) {
	fmt.Printf("%s/%s: spec.replicas=%d status.replicas=%d selector=%q\n", gr, s.Name, s.Spec.Replicas, s.Status.Replicas, s.Status.Selector)
}

func runDemo(ctx context.Context, c clients, ns string) (err error) {
	objs, err := unstructured.ReadManifests(strings.NewReader(demoManifests), unstructured.DecoderOptions{SourceName: "demo"})
	if err != nil {
		return err
	}
	// Create the CRD, the Deployment and the custom resource (waiting for
	// the CRD's kind to be served before creating the last), and delete
	// them all at the end, whatever happens in between.
	for _, obj := range objs {
		r, err := create(ctx, c, obj, ns)
		if err != nil {
			return err
		}
		fmt.Printf("Created %s %s.\n", strings.ToLower(obj.GetKind()), obj.GetName())
		defer func(name string) {
			if derr := r.Delete(context.Background(), name, metav1.DeleteOptions{}); derr != nil {
				err = errors.Join(err, derr)
			}
		}(obj.GetName())
	}

	deployments := schema.GroupResource{Group: "apps", Resource: "deployments"}
	fmt.Println("Scaling the Deployment with Get and Update (Update fails with a Conflict if the Deployment changed in between):")
	s, err := c.scales.Scales(ns).Get(ctx, deployments, "anykube-scale-demo", metav1.GetOptions{})
	if err != nil {
		return err
	}
	printScale(deployments, s)
	s.Spec.Replicas = 5
	if s, err = c.scales.Scales(ns).Update(ctx, deployments, s, metav1.UpdateOptions{}); err != nil {
		return err
	}
	printScale(deployments, s)
	if err := waitStatusReplicas(ctx, c.scales.Scales(ns), deployments, s.Name, s.Spec.Replicas); err != nil {
		return err
	}

	fmt.Println("Scaling the custom resource with SetReplicas (one merge patch):")
	crons := schema.GroupVersionResource{Group: "demo.anykube.io", Resource: "crontabs"} // the mapper picks the version
	if s, err = scale.SetReplicas(ctx, c.scales.Scales(ns), crons, "anykube-scale-demo", 3, metav1.PatchOptions{}); err != nil {
		return err
	}
	printScale(crons.GroupResource(), s)
	fmt.Println("  (no controller runs CronTabs, so nothing updates their status)")

	fmt.Println("Scaling a ConfigMap, which has no scale subresource:")
	_, err = c.scales.Scales(ns).Get(ctx, schema.GroupResource{Resource: "configmaps"}, "anything", metav1.GetOptions{})
	var none *scale.NoScaleSubresourceError
	if !errors.As(err, &none) {
		return fmt.Errorf("want a NoScaleSubresourceError, got %v", err)
	}
	fmt.Printf("  %v\n", err)
	return nil
}

// waitStatusReplicas reads the scale until status.replicas reaches want, as
// the controllers create the pods, and prints it when it does. Where no
// controller runs it says so after 30 seconds and returns nil.
func waitStatusReplicas(ctx context.Context, scales scale.ScaleInterface, gr schema.GroupResource, name string, want int32) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		s, err := scales.Get(ctx, gr, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if s.Status.Replicas == want {
			fmt.Print("  the controllers followed: ")
			printScale(gr, s)
			return nil
		}
		if time.Now().After(deadline) {
			fmt.Printf("  status.replicas is still %d after 30s: is a controller-manager running?\n", s.Status.Replicas)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// create maps obj's kind (retrying for a few seconds: a CRD created just
// before may not be served yet), defaults its namespace and creates it.
func create(ctx context.Context, c clients, obj *apiu.Unstructured, ns string) (dynamic.ResourceInterface, error) {
	var m *meta.RESTMapping
	var err error
	for range 50 {
		if m, err = unstructured.DefaultNamespace(obj, c.mapper, ns); !meta.IsNoMatchError(err) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		return nil, err
	}
	r := dynamic.ResourceInterface(c.dynamic.Resource(m.Resource))
	if obj.GetNamespace() != "" {
		r = c.dynamic.Resource(m.Resource).Namespace(obj.GetNamespace())
	}
	_, err = r.Create(ctx, obj, metav1.CreateOptions{})
	return r, err
}

const demoManifests = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.demo.anykube.io
spec:
  group: demo.anykube.io
  scope: Namespaced
  names: {kind: CronTab, listKind: CronTabList, plural: crontabs, singular: crontab}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.selector
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: anykube-scale-demo
spec:
  replicas: 1
  selector:
    matchLabels: {app: anykube-scale-demo}
  template:
    metadata:
      labels: {app: anykube-scale-demo}
    spec:
      containers:
      - {name: web, image: nginx:1.27}
---
apiVersion: demo.anykube.io/v1
kind: CronTab
metadata:
  name: anykube-scale-demo
spec:
  schedule: "*/5 * * * *"
  replicas: 1
`

// parseInterspersed lets flags come after positional arguments, as kubectl
// users type them ("scale deploy web --replicas 3"); the flag package stops
// at the first non-flag.
func parseInterspersed(fs *flag.FlagSet, rest []string) []string {
	var args []string
	for len(rest) > 0 {
		_ = fs.Parse(rest) // ExitOnError: a bad flag exits with usage
		rest = fs.Args()
		if len(rest) > 0 {
			args, rest = append(args, rest[0]), rest[1:]
		}
	}
	return args
}
