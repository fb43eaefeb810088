package scale

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// ScalesGetter gives the ScaleInterface of one namespace.
type ScalesGetter interface {
	// Scales returns a client for the scale subresources of objects in
	// namespace; "" is for cluster-scoped resources. It never fails.
	Scales(namespace string) ScaleInterface
}

// ScaleInterface reads and changes the scale subresource of any resource
// that has one, built-in or custom, without knowing its type. Errors
// answered by the server are *apierrors.StatusError; every other failure is
// an *Error naming the call.
type ScaleInterface interface {
	// Get returns the scale of the object name of resource, whose version
	// is chosen by the client's PreferredResourceMapper. Whatever flavour
	// of Scale the server answers with is returned as autoscaling/v1's
	// shape. A resource without a scale subresource gives an *Error
	// wrapping a *NoScaleSubresourceError.
	Get(ctx context.Context, resource schema.GroupResource, name string, opts metav1.GetOptions) (*Scale, error)

	// Update replaces the scale of the object scale.Name of resource,
	// sending it in the flavour the ScaleKindResolver names. A
	// resourceVersion in scale makes it conditional: a stale one gives a
	// Conflict (apierrors.IsConflict). It returns the scale the server
	// stored.
	Update(ctx context.Context, resource schema.GroupResource, scale *Scale, opts metav1.UpdateOptions) (*Scale, error)

	// Patch applies data, of patch type pt, to the scale of the object name
	// of resource, and returns the result. An empty resource version is
	// filled in by the client's PreferredResourceMapper; client-go's
	// client would send it as is. SetReplicas is the common case.
	Patch(ctx context.Context, resource schema.GroupVersionResource, name string, pt types.PatchType, data []byte, opts metav1.PatchOptions) (*Scale, error)
}

// PreferredResourceMapper chooses the version of a resource. Every
// meta.RESTMapper is one, such as the restmapper package's mappers.
type PreferredResourceMapper interface {
	// ResourceFor returns the fully specified resource matching the
	// partial one given (here, always without a version), or an error
	// when none or several match.
	ResourceFor(resource schema.GroupVersionResource) (schema.GroupVersionResource, error)
}

var _ PreferredResourceMapper = meta.RESTMapper(nil)

// ScaleKindResolver names the Scale flavour a resource's scale subresource
// reads and writes.
type ScaleKindResolver interface {
	// ScaleForResource returns the group, version and kind of the Scale
	// served by resource's scale subresource, such as autoscaling/v1 Scale.
	// It returns a *NoScaleSubresourceError when resource has none.
	ScaleForResource(resource schema.GroupVersionResource) (scaleVersion schema.GroupVersionKind, err error)
}

// APIPathResolverFunc returns the root under which kind's group is served:
// "/api" for the core group, "/apis" for the others on every Kubernetes
// server. An empty answer means the standard root.
type APIPathResolverFunc func(kind schema.GroupVersionKind) string

// LegacyAPIPathResolverFunc is the standard APIPathResolverFunc: "/api" for
// the core group, "/apis" otherwise.
func LegacyAPIPathResolverFunc(kind schema.GroupVersionKind) string {
	if kind.Group == "" {
		return "/api"
	}
	return "/apis"
}
