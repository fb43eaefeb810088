package lister

import (
	"errors"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// IndexerOf is what a ListerOf reads: a keyed, indexed collection of
// objects. *StoreOf[T] implements it.
type IndexerOf[T Object] interface {
	// GetByKey returns the object stored under a MetaNamespaceKey key.
	GetByKey(key string) (T, bool)
	// List returns every object.
	List() []T
	// ByIndex returns the objects filed under value in the named index,
	// or an error for an unknown index.
	ByIndex(indexName, value string) ([]T, error)
}

// ListerOf answers Get and List from an IndexerOf, in memory, for one
// resource, in every namespace. Its methods have the shapes of client-go's
// dynamiclister.Lister (and, for *metav1.PartialObjectMetadata, of its
// metadatalister.Lister). Returned objects are shared with the cache:
// treat them as read-only.
type ListerOf[T Object] interface {
	// List returns the objects whose labels selector matches, in every
	// namespace, in no particular order. A nil selector matches
	// everything. It does not fail; the error is there for client-go's
	// shape.
	List(selector labels.Selector) ([]T, error)
	// Get returns the cluster-scoped object named name, or an
	// apierrors NotFound error (apierrors.IsNotFound) naming the resource.
	// For a namespaced resource use Namespace(ns).Get.
	Get(name string) (T, error)
	// Namespace returns a lister for one namespace.
	Namespace(namespace string) NamespaceListerOf[T]
}

// NamespaceListerOf answers Get and List for one namespace.
type NamespaceListerOf[T Object] interface {
	// List returns the namespace's objects whose labels selector matches,
	// in no particular order. A nil selector matches everything. An
	// Indexer without NamespaceIndex is scanned whole; any other ByIndex
	// failure is returned.
	List(selector labels.Selector) ([]T, error)
	// Get returns the named object in the namespace, or an apierrors
	// NotFound error naming the resource.
	Get(name string) (T, error)
}

// Indexer is the IndexerOf unstructured objects; *Store implements it.
type Indexer = IndexerOf[*unstructured.Unstructured]

// Lister is the ListerOf unstructured objects, with the shape of
// client-go's dynamiclister.Lister.
type Lister = ListerOf[*unstructured.Unstructured]

// NamespaceLister is the NamespaceListerOf unstructured objects.
type NamespaceLister = NamespaceListerOf[*unstructured.Unstructured]

// New returns a Lister over indexer for resource, which names the resource
// in NotFound errors.
func New(indexer Indexer, resource schema.GroupVersionResource) Lister {
	return NewOf(indexer, resource)
}

// NewOf is New for objects of any type T.
func NewOf[T Object](indexer IndexerOf[T], resource schema.GroupVersionResource) ListerOf[T] {
	return &lister[T]{indexer: indexer, resource: resource}
}

type lister[T Object] struct {
	indexer  IndexerOf[T]
	resource schema.GroupVersionResource
}

func (l *lister[T]) List(selector labels.Selector) ([]T, error) {
	return filter(l.indexer.List(), selector), nil
}

func (l *lister[T]) Get(name string) (T, error) {
	obj, ok := l.indexer.GetByKey(name)
	if !ok {
		var none T
		return none, apierrors.NewNotFound(l.resource.GroupResource(), name)
	}
	return obj, nil
}

func (l *lister[T]) Namespace(namespace string) NamespaceListerOf[T] {
	return &namespaceLister[T]{lister: l, namespace: namespace}
}

type namespaceLister[T Object] struct {
	*lister[T]
	namespace string
}

func (l *namespaceLister[T]) List(selector labels.Selector) ([]T, error) {
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

func (l *namespaceLister[T]) Get(name string) (T, error) {
	obj, ok := l.indexer.GetByKey(ObjectKey(l.namespace, name))
	if !ok {
		var none T
		return none, apierrors.NewNotFound(l.resource.GroupResource(), name)
	}
	return obj, nil
}

// filter keeps, in place, the objects selector matches.
func filter[T Object](objs []T, selector labels.Selector) []T {
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
