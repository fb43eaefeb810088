package lister

import (
	"errors"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Indexer is what a Lister reads: a keyed, indexed collection of objects.
// *Store implements it.
type Indexer interface {
	// GetByKey returns the object stored under a MetaNamespaceKey key.
	GetByKey(key string) (*unstructured.Unstructured, bool)
	// List returns every object.
	List() []*unstructured.Unstructured
	// ByIndex returns the objects filed under value in the named index,
	// or an error for an unknown index.
	ByIndex(indexName, value string) ([]*unstructured.Unstructured, error)
}

// Lister answers Get and List from an Indexer, in memory, for one
// resource, in every namespace. Its methods have the shapes of client-go's
// dynamiclister.Lister. Returned objects are shared with the cache: treat
// them as read-only.
type Lister interface {
	// List returns the objects whose labels selector matches, in every
	// namespace, in no particular order. A nil selector matches
	// everything. It does not fail; the error is there for client-go's
	// shape.
	List(selector labels.Selector) ([]*unstructured.Unstructured, error)
	// Get returns the cluster-scoped object named name, or an
	// apierrors NotFound error (apierrors.IsNotFound) naming the resource.
	// For a namespaced resource use Namespace(ns).Get.
	Get(name string) (*unstructured.Unstructured, error)
	// Namespace returns a lister for one namespace.
	Namespace(namespace string) NamespaceLister
}

// NamespaceLister answers Get and List for one namespace.
type NamespaceLister interface {
	// List returns the namespace's objects whose labels selector matches,
	// in no particular order. A nil selector matches everything. An
	// Indexer without NamespaceIndex is scanned whole; any other ByIndex
	// failure is returned.
	List(selector labels.Selector) ([]*unstructured.Unstructured, error)
	// Get returns the named object in the namespace, or an apierrors
	// NotFound error naming the resource.
	Get(name string) (*unstructured.Unstructured, error)
}

// New returns a Lister over indexer for resource, which names the resource
// in NotFound errors.
func New(indexer Indexer, resource schema.GroupVersionResource) Lister {
	return &lister{indexer: indexer, resource: resource}
}

type lister struct {
	indexer  Indexer
	resource schema.GroupVersionResource
}

func (l *lister) List(selector labels.Selector) ([]*unstructured.Unstructured, error) {
	return filter(l.indexer.List(), selector), nil
}

func (l *lister) Get(name string) (*unstructured.Unstructured, error) {
	obj, ok := l.indexer.GetByKey(name)
	if !ok {
		return nil, apierrors.NewNotFound(l.resource.GroupResource(), name)
	}
	return obj, nil
}

func (l *lister) Namespace(namespace string) NamespaceLister {
	return &namespaceLister{lister: l, namespace: namespace}
}

type namespaceLister struct {
	*lister
	namespace string
}

func (l *namespaceLister) List(selector labels.Selector) ([]*unstructured.Unstructured, error) {
	objs, err := l.indexer.ByIndex(NamespaceIndex, l.namespace)
	var unknown *UnknownIndexError
	if errors.As(err, &unknown) {
		// An Indexer without the namespace index is still usable, at
		// the cost of a full scan.
		all := l.indexer.List()
		objs = all[:0]
		for _, obj := range all {
			if obj.GetNamespace() == l.namespace {
				objs = append(objs, obj)
			}
		}
	} else if err != nil {
		return nil, err
	}
	return filter(objs, selector), nil
}

func (l *namespaceLister) Get(name string) (*unstructured.Unstructured, error) {
	obj, ok := l.indexer.GetByKey(ObjectKey(l.namespace, name))
	if !ok {
		return nil, apierrors.NewNotFound(l.resource.GroupResource(), name)
	}
	return obj, nil
}

// filter keeps, in place, the objects selector matches.
func filter(objs []*unstructured.Unstructured, selector labels.Selector) []*unstructured.Unstructured {
	if selector == nil || selector.Empty() {
		return objs
	}
	out := objs[:0]
	for _, obj := range objs {
		if matches(selector, obj) {
			out = append(out, obj)
		}
	}
	// Drop references past the end so the unused tail does not keep
	// filtered-out objects alive through the backing array.
	clear(objs[len(out):])
	return out
}
