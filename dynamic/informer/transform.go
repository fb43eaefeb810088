package informer

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/anykube/anykube/dynamic/lister"
)

// TransformFuncOf changes an object before it is cached and handed to
// handlers: typically to drop what the program never reads, to save
// memory. It receives a freshly decoded object that nothing else holds, so
// it may change it in place and return it. It must keep the object's
// apiVersion, kind, name, namespace, uid and resourceVersion, by which the
// informer tells changes apart. An error leaves the object as received.
type TransformFuncOf[T lister.Object] func(obj T) (T, error)

// TransformFunc is the TransformFuncOf unstructured objects.
type TransformFunc = TransformFuncOf[*unstructured.Unstructured]

// StripManagedFields is the default transform: it deletes
// metadata.managedFields, the server-side apply bookkeeping that is often
// the largest part of a small object and that controllers seldom read. It
// never fails.
func StripManagedFields(obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	if md, ok := obj.Object["metadata"].(map[string]any); ok {
		delete(md, "managedFields")
	}
	return obj, nil
}

// KeepEverything is a transform that leaves objects as the server sent
// them; set it as Options.Transform to keep managedFields.
func KeepEverything(obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	return obj, nil
}
