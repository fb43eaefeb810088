package main

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/anykube/anykube/dynamic"
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
