// Command get is `kubectl get` for any resource: built-in or custom, by
// plural, singular, short name, kind or category.
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
//
// This file is the lesson: the clients a generic tool needs, and the three
// steps of a get. resolve.go turns what the user typed into resources,
// fetch.go reads the objects, print.go prints them as kubectl does, and
// flags.go lets flags follow the arguments.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/table"
	"github.com/anykube/anykube/restmapper"
)

func main() {
	fs := flag.NewFlagSet("get", flag.ExitOnError)
	var q query
	fs.StringVar(&q.namespace, "n", "", "namespace (default: the kubeconfig context's)")
	fs.BoolVar(&q.allNamespaces, "A", false, "list across all namespaces")
	fs.StringVar(&q.selector, "l", "", "label selector, such as app=web")
	output := fs.String("o", "", "output format: yaml, json or name (default: a table)")
	args := parseInterspersed(fs, os.Args[1:])
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: get TYPE[.VERSION][.GROUP][,TYPE...] [NAME...] [-n NS | -A] [-l SELECTOR] [-o yaml|json|name]")
		os.Exit(2)
	}
	q.names = args[1:]
	if err := run(args[0], q, *output); err != nil {
		fmt.Fprintf(os.Stderr, "get: %v\n", err)
		os.Exit(1)
	}
}

func run(types string, q query, output string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	cfg, err := anykube.InferConfig()
	if err != nil {
		return err
	}
	if q.namespace == "" {
		if q.namespace, err = anykube.InferNamespace(); err != nil {
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

	// 1. What the user typed ("deploy,gz", "all") becomes resources.
	mappings, err := resolveTypes(ctx, types, categories, resolver)
	if err != nil {
		return err
	}
	if err := checkOutput(output); err != nil {
		return err
	}
	// 2. and 3. by default: the server's tables, printed as kubectl does.
	if output == "" {
		tc, err := table.NewForConfigAndClient(cfg, hc)
		if err != nil {
			return err
		}
		tables, err := fetchTables(ctx, tc, mappings, q)
		if err != nil {
			return err
		}
		if len(tables) == 0 {
			noResources(q)
			return nil
		}
		return showTables(tables, len(mappings) > 1, q.allNamespaces)
	}
	// 2. The objects, by name or by listing.
	objs, err := fetch(ctx, client, mappings, q)
	if err != nil {
		return err
	}
	// 3. Printed as YAML, JSON or names.
	if len(objs) == 0 {
		noResources(q)
		return nil
	}
	return show(objs, output)
}
