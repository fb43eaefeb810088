package main

import (
	"context"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/table"
)

// query is what to fetch of each resource.
type query struct {
	names         []string // none means list them all
	namespace     string
	allNamespaces bool
	selector      string
}

// fetch reads the objects of each mapping: those named, or all of them
// matching the selector. Namespaced resources are read in q.namespace
// unless q.allNamespaces is set; cluster-scoped ones ignore it.
func fetch(ctx context.Context, client dynamic.Interface, mappings []*meta.RESTMapping, q query) ([]*apiu.Unstructured, error) {
	var objs []*apiu.Unstructured
	for _, m := range mappings {
		r := dynamic.ResourceInterface(client.Resource(m.Resource))
		if m.Scope.Name() == meta.RESTScopeNameNamespace && !q.allNamespaces {
			r = client.Resource(m.Resource).Namespace(q.namespace)
		}
		for _, name := range q.names {
			obj, err := r.Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return nil, err
			}
			objs = append(objs, obj)
		}
		if len(q.names) == 0 {
			// Items pages through long lists, 500 objects a request.
			for obj, err := range dynamic.Items(ctx, r, metav1.ListOptions{LabelSelector: q.selector}) {
				if err != nil {
					return nil, err
				}
				objs = append(objs, obj)
			}
		}
	}
	return objs, nil
}

// typeTable is one resource's objects as the server's table, and the type
// name ("deployment.apps") kubectl prefixes names with when several types
// are shown.
type typeTable struct {
	typeName string
	table    *metav1.Table
}

// fetchTables reads the objects of each mapping as the server's tables:
// the columns kubectl shows (a CRD's printer columns included), with each
// row's metadata for the NAMESPACE column. Resources with nothing to show
// are left out.
func fetchTables(ctx context.Context, client *table.Client, mappings []*meta.RESTMapping, q query) ([]typeTable, error) {
	var out []typeTable
	for _, m := range mappings {
		r := table.ResourceInterface(client.Resource(m.Resource))
		if m.Scope.Name() == meta.RESTScopeNameNamespace && !q.allNamespaces {
			r = client.Resource(m.Resource).Namespace(q.namespace)
		}
		var t *metav1.Table
		for _, name := range q.names {
			one, err := r.Get(ctx, name, metav1.GetOptions{}, metav1.IncludeMetadata)
			if err != nil {
				return nil, err
			}
			if t == nil {
				t = one
			} else {
				t.Rows = append(t.Rows, one.Rows...)
			}
		}
		if len(q.names) == 0 {
			opts := metav1.ListOptions{LabelSelector: q.selector, Limit: 500}
			for {
				page, err := r.List(ctx, opts, metav1.IncludeMetadata)
				if err != nil {
					return nil, err
				}
				if t == nil {
					t = page
				} else {
					t.Rows = append(t.Rows, page.Rows...)
				}
				if opts.Continue = page.Continue; opts.Continue == "" {
					break
				}
			}
		}
		if t != nil && len(t.Rows) > 0 {
			gk := m.GroupVersionKind.GroupKind()
			out = append(out, typeTable{typeName: strings.ToLower(gk.String()), table: t})
		}
	}
	return out, nil
}
