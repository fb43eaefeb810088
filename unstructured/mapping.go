package unstructured

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// MappingFor returns mapper's REST mapping for u's kind, which tells its
// resource name and whether it is namespaced.
//
// When u has a kind but no apiVersion, the mapper picks one: the kind's
// lower-cased name is looked up as a resource in every group, the match must
// be unique, and u's apiVersion is then set to its group and preferred
// version. Errors from the mapper are wrapped, so meta.IsNoMatchError and
// meta.IsAmbiguousError see through them.
func MappingFor(u *apiu.Unstructured, mapper meta.RESTMapper) (*meta.RESTMapping, error) {
	if u == nil {
		return nil, errors.New("mapping: nil object")
	}
	if mapper == nil {
		return nil, fmt.Errorf("mapping %s: nil RESTMapper", describe(u))
	}
	kind, err := metaString(u.Object, "kind", ErrMissingKind)
	if err != nil {
		return nil, fmt.Errorf("mapping %s: %w", describe(u), err)
	}
	if _, ok := u.Object["apiVersion"]; !ok || u.GetAPIVersion() == "" {
		gvk, err := mapper.KindFor(schema.GroupVersionResource{Resource: strings.ToLower(kind)})
		if err != nil {
			return nil, fmt.Errorf("mapping %s: finding an apiVersion for kind %s: %w", describe(u), kind, err)
		}
		if gvk.Kind != kind {
			return nil, fmt.Errorf("mapping %s: finding an apiVersion for kind %s: %w", describe(u), kind,
				&meta.NoKindMatchError{GroupKind: schema.GroupKind{Kind: kind}})
		}
		u.SetAPIVersion(gvk.GroupVersion().String())
	}
	gv, err := schema.ParseGroupVersion(u.GetAPIVersion())
	if err != nil {
		return nil, fmt.Errorf("mapping %s: %w", describe(u), err)
	}
	m, err := mapper.RESTMapping(gv.WithKind(kind).GroupKind(), gv.Version)
	if err != nil {
		return nil, fmt.Errorf("mapping %s: %w", describe(u), err)
	}
	return m, nil
}

// DefaultNamespace makes u's namespace what the API server will store: for
// a namespaced kind with no namespace it sets namespace (a namespace of ""
// leaves it unset); for a cluster-scoped kind it clears any namespace, as
// the server ignores it. It returns the mapping it used (see MappingFor,
// whose failures it shares), so the caller can go on to the resource.
func DefaultNamespace(u *apiu.Unstructured, mapper meta.RESTMapper, namespace string) (*meta.RESTMapping, error) {
	m, err := MappingFor(u, mapper)
	if err != nil {
		return nil, err
	}
	if m.Scope == nil {
		return nil, fmt.Errorf("default namespace of %s: the mapper gave no scope for %s", describe(u), m.GroupVersionKind)
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		if u.GetNamespace() == "" && namespace != "" {
			u.SetNamespace(namespace)
		}
		return m, nil
	}
	if _, err := GetValue(u, "metadata.namespace"); err == nil {
		_ = Remove(u, "metadata.namespace")
	}
	return m, nil
}
