package metadata

import (
	"errors"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/dynamic/internal/validate"
)

// ErrInvalidRequest is wrapped by the error a method returns when it refuses
// its input without sending anything (an invalid name, namespace or
// subresource, an empty patch type). It is the dynamic client's, so one
// errors.Is test covers both.
var ErrInvalidRequest = validate.ErrInvalidRequest

// ErrViewUnsupported is wrapped by the *Error a call returns when the server
// answered with something other than the metadata view (a full object, as
// some aggregated APIs do when they ignore the Accept header's "as="
// parameter) and the client was not told to fall back to full objects.
var ErrViewUnsupported = errors.New("the server did not answer with the metadata view (PartialObjectMetadata)")

// IsViewUnsupported reports whether err says the server cannot give the
// metadata view for a resource: either it refused it (406 Not Acceptable)
// or answered with full objects to a client that does not fall back.
// Retrying with Options.FallbackToFull, or with the dynamic client, is the
// way around both.
func IsViewUnsupported(err error) bool {
	return errors.Is(err, ErrViewUnsupported) || apierrors.IsNotAcceptable(err)
}

// Error reports a failure of one call that is not an answer from the API
// server: a refused input (wrapping ErrInvalidRequest), a transport failure,
// a response that could not be decoded or was not the metadata view
// (wrapping ErrViewUnsupported), or a cancelled context. Errors answered by
// the server are returned as *apierrors.StatusError instead.
type Error struct {
	// Verb is the API verb: "get", "list", "watch", "patch", "delete" or
	// "deletecollection".
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

// Error returns "metadata: VERB RESOURCE [NAMESPACE/]NAME[/SUB]: cause", or
// "metadata: VERB RESOURCE in namespace NAMESPACE: cause" for calls on a
// collection.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("metadata: ")
	b.WriteString(e.Verb)
	b.WriteByte(' ')
	b.WriteString(e.Resource.Resource)
	b.WriteByte('.')
	b.WriteString(e.Resource.Version)
	if e.Resource.Group != "" {
		b.WriteByte('.')
		b.WriteString(e.Resource.Group)
	}
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
