package dynamic

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/dynamic/internal/validate"
)

// ErrInvalidRequest is wrapped by the error a method returns when it refuses
// its input without sending anything: an invalid name, namespace or
// subresource, an object without apiVersion or kind, an Apply without a
// field manager or with managedFields. Test for it with errors.Is.
var ErrInvalidRequest = validate.ErrInvalidRequest

// Error reports a failure of one call that is not an answer from the API
// server: a refused input (wrapping ErrInvalidRequest), a transport failure,
// a response that could not be decoded, or a cancelled context. It names the
// verb and the resource so a failure deep in a program can be traced to its
// call. Errors answered by the server are returned as
// *apierrors.StatusError instead, never wrapped in Error.
type Error struct {
	// Verb is the API verb: "get", "list", "watch", "create", "update",
	// "patch", "apply", "delete" or "deletecollection".
	Verb string
	// Resource is the resource the client was made for.
	Resource schema.GroupVersionResource
	// Namespace, Name and Subresource are the call's target; each may be
	// empty.
	Namespace   string
	Name        string
	Subresource string
	// Err is the cause.
	Err error
}

// Error returns "dynamic: VERB RESOURCE [NAMESPACE/]NAME[/SUB]: cause", or
// "dynamic: VERB RESOURCE in namespace NAMESPACE: cause" for calls on a
// collection.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("dynamic: ")
	b.WriteString(e.Verb)
	b.WriteByte(' ')
	b.WriteString(resourceString(e.Resource))
	switch {
	case e.Name != "":
		b.WriteByte(' ')
		if e.Namespace != "" {
			b.WriteString(e.Namespace)
			b.WriteByte('/')
		}
		b.WriteString(e.Name)
		if e.Subresource != "" {
			b.WriteByte('/')
			b.WriteString(e.Subresource)
		}
	case e.Namespace != "":
		b.WriteString(" in namespace ")
		b.WriteString(e.Namespace)
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("unknown error")
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// resourceString renders a GroupVersionResource the way kubectl names one:
// "deployments.v1.apps", or "configmaps.v1" for the core group.
func resourceString(gvr schema.GroupVersionResource) string {
	if gvr.Group == "" {
		return fmt.Sprintf("%s.%s", gvr.Resource, gvr.Version)
	}
	return fmt.Sprintf("%s.%s.%s", gvr.Resource, gvr.Version, gvr.Group)
}
