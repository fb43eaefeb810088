// Command get is `kubectl get` for any resource, in one short file:
// built-in or custom, by plural, singular, short name, kind or category.
//
//	get TYPE[.VERSION][.GROUP][,TYPE...] [NAME...] [-n NS | -A] [-l SELECTOR] [-o yaml|json|name]
//
//	get deploy                      Deployments in the current namespace
//	get deployments.v1.apps web -o yaml
//	get all -A                      everything in the "all" category
//	get crd,ns                      several types at once
//
// It reads the cluster from $KUBECONFIG (or ~/.kube/config, or the
// in-cluster service account), like the other examples.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/unstructured"
)

func main() {
	fs := flag.NewFlagSet("get", flag.ExitOnError)
	ns := fs.String("n", "", "namespace (default: the kubeconfig context's)")
	all := fs.Bool("A", false, "list across all namespaces")
	selector := fs.String("l", "", "label selector, such as app=web")
	output := fs.String("o", "", "output format: yaml, json or name (default: a table)")
	args := parseInterspersed(fs, os.Args[1:])
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: get TYPE[.VERSION][.GROUP][,TYPE...] [NAME...] [-n NS | -A] [-l SELECTOR] [-o yaml|json|name]")
		os.Exit(2)
	}
	if err := run(args[0], args[1:], *ns, *all, *selector, *output); err != nil {
		fmt.Fprintf(os.Stderr, "get: %v\n", err)
		os.Exit(1)
	}
}

func run(types string, names []string, ns string, allNamespaces bool, selector, output string) error {
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
	// One HTTP client, so discovery and the dynamic client share connections.
	hc, err := anykube.HTTPClientFor(cfg)
	if err != nil {
		return err
	}
	disc, err := discovery.NewDiscoveryClientForConfigAndClient(cfg, hc)
	if err != nil {
		return err
	}
	cached := memory.NewMemCacheClient(disc) // the one discovery round this program makes
	mapper := restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(cached), cached, nil)
	resolver := restmapper.NewResolver(mapper)
	categories := restmapper.NewDiscoveryCategoryExpander(cached.WithContext(ctx))
	client, err := dynamic.NewForConfigAndClient(cfg, hc)
	if err != nil {
		return err
	}

	// "deploy,svc" names two types; "all" names every type in the category.
	var mappings []*meta.RESTMapping
	for _, arg := range strings.Split(types, ",") {
		args := []string{arg}
		if grs, ok := categories.Expand(arg); ok {
			args = args[:0]
			for _, gr := range grs {
				args = append(args, gr.String()) // "deployments.apps"
			}
		}
		for _, a := range args {
			m, err := resolver.Resolve(ctx, a)
			if meta.IsNoMatchError(err) {
				return fmt.Errorf("the server has no resource type %q", a)
			} else if err != nil {
				return err // ambiguous ("name it TYPE.GROUP"), or discovery failed
			}
			mappings = append(mappings, m)
		}
	}

	var objs []*apiu.Unstructured
	for _, m := range mappings {
		r := dynamic.ResourceInterface(client.Resource(m.Resource))
		if m.Scope.Name() == meta.RESTScopeNameNamespace && !allNamespaces {
			r = client.Resource(m.Resource).Namespace(ns)
		}
		for _, name := range names {
			obj, err := r.Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			objs = append(objs, obj)
		}
		if len(names) == 0 {
			// Items pages through long lists, 500 objects a request.
			for obj, err := range dynamic.Items(ctx, r, metav1.ListOptions{LabelSelector: selector}) {
				if err != nil {
					return err
				}
				objs = append(objs, obj)
			}
		}
	}
	if len(objs) == 0 {
		where := "in " + ns + " namespace"
		if allNamespaces {
			where = "in any namespace"
		}
		fmt.Fprintf(os.Stderr, "No resources found %s.\n", where)
		return nil
	}
	return show(objs, output, len(mappings) > 1, allNamespaces)
}

func show(objs []*apiu.Unstructured, output string, qualify, withNamespace bool) error {
	for _, o := range objs {
		o.SetManagedFields(nil) // bookkeeping nobody reads; kubectl hides it too
	}
	switch output {
	case "yaml":
		return unstructured.WriteYAML(os.Stdout, objs...)
	case "json":
		return unstructured.WriteJSON(os.Stdout, objs...)
	case "name":
		for _, o := range objs {
			fmt.Println(typeName(o) + "/" + o.GetName())
		}
		return nil
	case "":
	default:
		return fmt.Errorf("-o %q: want yaml, json or name", output)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 3, ' ', 0)
	if withNamespace {
		fmt.Fprint(tw, "NAMESPACE\t")
	}
	fmt.Fprintln(tw, "NAME\tAGE")
	for _, o := range objs {
		name := o.GetName()
		if qualify { // several types in one table: say which one
			name = typeName(o) + "/" + name
		}
		if withNamespace {
			fmt.Fprint(tw, o.GetNamespace()+"\t")
		}
		fmt.Fprintf(tw, "%s\t%s\n", name, duration.HumanDuration(time.Since(o.GetCreationTimestamp().Time)))
	}
	return tw.Flush()
}

// typeName is kubectl's "kind.group": "deployment.apps", "service".
func typeName(o *apiu.Unstructured) string {
	gk := o.GroupVersionKind().GroupKind()
	return strings.ToLower(gk.String())
}

// parseInterspersed lets flags come after positional arguments, as kubectl
// users type them ("get deploy web -n prod"); the flag package stops at the
// first non-flag.
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
