package wait

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	au "github.com/anykube/anykube/unstructured"
)

// Object names one object to wait for.
type Object struct {
	// Resource is the object's resource, such as apps/v1 deployments.
	Resource schema.GroupVersionResource
	// Kind is the object's kind, used only in messages; empty means the
	// resource name is shown instead.
	Kind string
	// Namespace is empty for a cluster-scoped object.
	Namespace string
	Name      string
}

// String formats o as "Kind namespace/name" (or "Kind name" when
// cluster-scoped).
func (o Object) String() string {
	kind := o.Kind
	if kind == "" {
		kind = o.Resource.GroupResource().String()
	}
	if o.Namespace == "" {
		return kind + " " + o.Name
	}
	return kind + " " + o.Namespace + "/" + o.Name
}

// ObjectsFor maps each of objs to the Object naming it, through mapper. It
// fails on the first object the mapper cannot map (wrapping the mapper's
// error, so meta.IsNoMatchError sees through) or that has no name. A
// namespaced object without a namespace is refused too: it could be in any.
func ObjectsFor(mapper meta.RESTMapper, objs ...*unstructured.Unstructured) ([]Object, error) {
	out := make([]Object, 0, len(objs))
	for _, u := range objs {
		m, err := au.MappingFor(u, mapper)
		if err != nil {
			return nil, fmt.Errorf("wait: %w", err)
		}
		o := Object{Resource: m.Resource, Kind: u.GetKind(), Name: u.GetName()}
		if m.Scope != nil && m.Scope.Name() == meta.RESTScopeNameNamespace {
			o.Namespace = u.GetNamespace()
			if o.Namespace == "" {
				return nil, fmt.Errorf("wait: %s %s: namespaced object without a namespace", u.GetKind(), u.GetName())
			}
		}
		if o.Name == "" {
			return nil, fmt.Errorf("wait: %s without a name", u.GetKind())
		}
		out = append(out, o)
	}
	return out, nil
}
