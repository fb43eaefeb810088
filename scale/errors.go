package scale

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/scale/internal/validate"
)

// ErrInvalidRequest is wrapped by the error a method returns when it refuses
// its input without sending anything: a nil Scale, an empty or invalid name,
// namespace or resource, an empty patch type. Test for it with errors.Is.
var ErrInvalidRequest = validate.ErrInvalidRequest

// Error reports a failure of one call that is not an answer from the API
// server: a refused input (wrapping ErrInvalidRequest), a resource the
// mapper cannot resolve (meta.IsNoMatchError sees through it), a resource
// without a scale subresource (a *NoScaleSubresourceError), a transport
// failure, a cancelled context or an answer that could not be decoded. It
// names the verb and the target so that a failure deep in a program can be
// traced to its call. Errors answered by the server are returned as
// *apierrors.StatusError instead, never wrapped in Error, so
// apierrors.IsConflict and the like work as with client-go.
type Error struct {
	// Verb is "get", "update" or "patch".
	Verb string
	// Resource is the resource as far as it is known: the caller's
	// GroupResource before mapping (Version empty), the mapped
	// GroupVersionResource after.
	Resource schema.GroupVersionResource
	// Namespace and Name are the call's target; Namespace is empty for
	// cluster-scoped resources.
	Namespace string
	Name      string
	// Err is the cause.
	Err error
}

// Error returns "scale: VERB RESOURCE [NAMESPACE/]NAME/scale: cause".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("scale: ")
	b.WriteString(e.Verb)
	b.WriteByte(' ')
	b.WriteString(resourceString(e.Resource))
	b.WriteByte(' ')
	if e.Namespace != "" {
		b.WriteString(e.Namespace)
		b.WriteByte('/')
	}
	b.WriteString(e.Name)
	b.WriteString("/scale: ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("unknown error")
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// NoScaleSubresourceError reports a resource that has no scale subresource:
// its group-version's discovery document lists no "<resource>/scale", or the
// server does not serve the group-version at all. When it stands for a 404
// answer to a /scale request, Err holds that answer, so apierrors.IsNotFound
// still reports true.
type NoScaleSubresourceError struct {
	// Resource is the resource that was asked about.
	Resource schema.GroupVersionResource
	// Err is the server's answer or discovery's error behind the finding,
	// or nil.
	Err error
}

// Error returns a message naming the resource.
func (e *NoScaleSubresourceError) Error() string {
	msg := fmt.Sprintf("%s has no scale subresource: discovery of %s lists no %s/scale",
		resourceString(e.Resource), e.Resource.GroupVersion().String(), e.Resource.Resource)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause, possibly nil.
func (e *NoScaleSubresourceError) Unwrap() error { return e.Err }

// UnsupportedScaleKindError reports a Scale flavour this package cannot
// read or write: discovery named one for a resource's scale subresource, or
// the server answered with one. The known ones are autoscaling/v1,
// extensions/v1beta1, apps/v1beta1 and apps/v1beta2, kind Scale.
type UnsupportedScaleKindError struct {
	// Kind is the unsupported group, version and kind.
	Kind schema.GroupVersionKind
}

// Error returns a message naming the flavour.
func (e *UnsupportedScaleKindError) Error() string {
	return fmt.Sprintf("unsupported scale flavour: apiVersion %q, kind %q (known: Scale of autoscaling/v1, extensions/v1beta1, apps/v1beta1, apps/v1beta2)",
		e.Kind.GroupVersion().String(), e.Kind.Kind)
}

// resourceString renders a GroupVersionResource the way kubectl names one:
// "deployments.v1.apps", "configmaps.v1" for the core group, and without the
// version when it is not known yet ("deployments.apps", "configmaps").
func resourceString(gvr schema.GroupVersionResource) string {
	parts := []string{gvr.Resource}
	if gvr.Version != "" {
		parts = append(parts, gvr.Version)
	}
	if gvr.Group != "" {
		parts = append(parts, gvr.Group)
	}
	return strings.Join(parts, ".")
}
