package status

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Error is returned by Compute when a field its rules read is malformed. It
// names the object and wraps the cause, a *unstructured.FieldError from
// anykube's unstructured package, so errors.As reaches the path and the
// type found. Field values are never printed, as they may be secrets.
type Error struct {
	// Kind, Namespace and Name identify the object; Namespace is empty for
	// a cluster-scoped one.
	Kind      string
	Namespace string
	Name      string
	Err       error
}

func (e *Error) Error() string {
	name := e.Name
	if e.Namespace != "" {
		name = e.Namespace + "/" + e.Name
	}
	return fmt.Sprintf("status of %s %s: %v", e.Kind, name, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func newError(u *unstructured.Unstructured, err error) *Error {
	return &Error{Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName(), Err: err}
}
