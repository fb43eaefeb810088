package lister

import "k8s.io/apimachinery/pkg/types"

// Object is what a StoreOf holds and a ListerOf returns: a pointer to an
// object with Kubernetes metadata, such as *unstructured.Unstructured or
// *metav1.PartialObjectMetadata. Keys and the namespace index come from
// its namespace and name, label selectors read its labels, and informers
// tell versions apart by uid and resourceVersion.
type Object interface {
	comparable
	GetNamespace() string
	GetName() string
	GetUID() types.UID
	GetResourceVersion() string
	// GetLabels must not copy for typed objects; an unstructured
	// object's labels are read in place instead.
	GetLabels() map[string]string
}
