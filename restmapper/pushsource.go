package restmapper

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/dynamic/metadata"
)

// This file is what a LazyRESTMapper's push watches read: the metadata
// view of CustomResourceDefinitions and APIServices, each object cut down
// to its identity. Push needs only an object's name (a CRD is named
// <plural>.<group>, an APIService <version>.<group>), and the retrying
// watch it runs on needs the name, uid and resourceVersion to resume and
// relist. Watching full objects would keep every CRD's OpenAPI schema in
// memory for as long as the mapper lives, and move them over the network
// on every list and change.

// metadataSource is the dynamic.ListWatcher a RetryWatcher reads to list
// and watch a resource through the metadata view.
type metadataSource struct {
	md metadata.ResourceInterface
}

// List lists the metadata view and returns each object's identity; it
// fails as the metadata client does.
func (s metadataSource) List(ctx context.Context, opts metav1.ListOptions) (*unstructured.UnstructuredList, error) {
	l, err := s.md.List(ctx, opts)
	if err != nil {
		return nil, err
	}
	out := &unstructured.UnstructuredList{Object: map[string]any{}, Items: make([]unstructured.Unstructured, len(l.Items))}
	out.SetAPIVersion(l.APIVersion)
	out.SetKind(l.Kind)
	out.SetResourceVersion(l.ResourceVersion)
	out.SetContinue(l.Continue)
	out.SetRemainingItemCount(l.RemainingItemCount)
	for i := range l.Items {
		out.Items[i] = identity(&l.Items[i], false)
	}
	return out, nil
}

// Watch watches the metadata view; its events carry each object's
// identity, ERROR events the server's Status. It fails as the metadata
// client does.
func (s metadataSource) Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
	w, err := s.md.Watch(ctx, opts)
	if err != nil {
		return nil, err
	}
	return watch.Filter(w, func(ev watch.Event) (watch.Event, bool) {
		if m, ok := ev.Object.(*metav1.PartialObjectMetadata); ok {
			u := identity(m, ev.Type == watch.Bookmark)
			ev.Object = &u
		}
		return ev, true
	}), nil
}

// identity returns what a RetryWatcher and push read of m: its kind,
// name, namespace, uid and resourceVersion, and for a bookmark its
// annotations (which mark the end of initial events). managedFields and
// the rest are dropped: a CRD's managedFields spell out every field of its
// schema.
func identity(m *metav1.PartialObjectMetadata, bookmark bool) unstructured.Unstructured {
	meta := map[string]any{"name": m.Name}
	if m.Namespace != "" {
		meta["namespace"] = m.Namespace
	}
	if m.UID != "" {
		meta["uid"] = string(m.UID)
	}
	if m.ResourceVersion != "" {
		meta["resourceVersion"] = m.ResourceVersion
	}
	if bookmark && len(m.Annotations) > 0 {
		a := make(map[string]any, len(m.Annotations))
		for k, v := range m.Annotations {
			a[k] = v
		}
		meta["annotations"] = a
	}
	return unstructured.Unstructured{Object: map[string]any{"apiVersion": m.APIVersion, "kind": m.Kind, "metadata": meta}}
}
