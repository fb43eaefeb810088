package informer

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/dynamic"
	"github.com/anykube/anykube/dynamic/lister"
)

// ListWatcherOf lists and watches the objects of one resource, in one
// namespace or all, for an informer of objects of type T.
type ListWatcherOf[T lister.Object] interface {
	// ListAll returns every object opts selects, read in pages of
	// opts.Limit, all at one resourceVersion, which it returns too. The
	// objects are the caller's, each in an allocation of its own, so
	// that caching some of them does not keep the others alive. Errors
	// are those of the client it calls.
	ListAll(ctx context.Context, opts metav1.ListOptions) (items []T, resourceVersion string, err error)
	// Watch streams changes from opts.ResourceVersion. ADDED, MODIFIED
	// and DELETED events carry a T; ERROR events a *metav1.Status (or a
	// Status as an unstructured object); BOOKMARK events an object whose
	// metadata meta.Accessor reads.
	Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
}

// SourceOf is where informers of objects of type T get them: the dynamic
// client for *unstructured.Unstructured, the metadata client for
// *metav1.PartialObjectMetadata.
type SourceOf[T lister.Object] struct {
	// ListWatch returns the ListWatcherOf resource in namespace ("" for
	// all namespaces, and for cluster-scoped resources). Required.
	ListWatch func(resource schema.GroupVersionResource, namespace string) ListWatcherOf[T]
	// DefaultTransform is the transform of informers whose
	// Options.Transform is nil; nil means objects are cached as received.
	DefaultTransform TransformFuncOf[T]
	// Unrecoverable, when set, reports whether an error of a list or a
	// watch is one that retrying cannot fix, beyond those the informer
	// knows (invalid requests, 400, 405, 406, 415, 422): such an error
	// ends the informer in PhaseFailed.
	Unrecoverable func(error) bool
}

// DynamicSource returns the SourceOf unstructured objects read through
// client, whose default transform is StripManagedFields.
func DynamicSource(client dynamic.Interface) SourceOf[*unstructured.Unstructured] {
	return SourceOf[*unstructured.Unstructured]{
		ListWatch: func(resource schema.GroupVersionResource, namespace string) ListWatcherOf[*unstructured.Unstructured] {
			if namespace == "" {
				return dynamicListWatcher{client.Resource(resource)}
			}
			return dynamicListWatcher{client.Resource(resource).Namespace(namespace)}
		},
		DefaultTransform: StripManagedFields,
	}
}

// dynamicListWatcher lists and watches through a dynamic client.
type dynamicListWatcher struct {
	ri dynamic.ResourceInterface
}

func (d dynamicListWatcher) ListAll(ctx context.Context, opts metav1.ListOptions) ([]*unstructured.Unstructured, string, error) {
	list, err := dynamic.ListAll(ctx, d.ri, opts)
	if err != nil {
		return nil, "", err
	}
	items := make([]*unstructured.Unstructured, len(list.Items))
	for i := range list.Items {
		// Each object gets its own small header, so that the list's
		// item array is not kept alive by whichever objects stay
		// cached longest.
		items[i] = &unstructured.Unstructured{Object: list.Items[i].Object}
		list.Items[i].Object = nil
	}
	return items, list.GetResourceVersion(), nil
}

func (d dynamicListWatcher) Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
	return d.ri.Watch(ctx, opts)
}
