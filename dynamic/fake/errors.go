package fake

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The fake answers with the status errors the API server sends in the same
// situations, so that tests exercise the caller's real error handling.

func badRequest(msg string) error { return apierrors.NewBadRequest(msg) }

func notFound(gvr schema.GroupVersionResource, name string) error {
	return apierrors.NewNotFound(gvr.GroupResource(), name)
}

func conflict(gvr schema.GroupVersionResource, name, msg string) error {
	return apierrors.NewConflict(gvr.GroupResource(), name, errors.New(msg))
}

// errModified is the server's message for a stale resourceVersion.
const errModified = "the object has been modified; please apply your changes to the latest version and try again"

func notSupported(gvr schema.GroupVersionResource, verb string, subresources []string) error {
	return apierrors.NewMethodNotSupported(gvr.GroupResource(), fmt.Sprintf("%s on subresource %q (the fake emulates only \"status\"; use a reactor)", verb, strings.Join(subresources, "/")))
}

func invalidOptions(path, msg string) error {
	return apierrors.NewInvalid(schema.GroupKind{Group: metav1.GroupName, Kind: "Options"}, "", field.ErrorList{field.Invalid(field.NewPath(path), "", msg)})
}

func invalidObject(gvr schema.GroupVersionResource, kind, name, path, msg string) error {
	return apierrors.NewInvalid(schema.GroupKind{Group: gvr.Group, Kind: kind}, name, field.ErrorList{field.Invalid(field.NewPath(path), "", msg)})
}

func unsupportedMediaType(pt types.PatchType) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status:  metav1.StatusFailure,
		Code:    http.StatusUnsupportedMediaType,
		Reason:  metav1.StatusReasonUnsupportedMediaType,
		Message: fmt.Sprintf("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got %s)", pt),
	}}
}

// unprocessable is the server's answer to a patch that does not apply.
func unprocessable(msg string) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status:  metav1.StatusFailure,
		Code:    http.StatusUnprocessableEntity,
		Reason:  metav1.StatusReasonInvalid,
		Message: msg,
	}}
}

// tooLargeRV is the server's answer to a read at a resourceVersion it has
// not reached.
func tooLargeRV(rv string) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status:  metav1.StatusFailure,
		Code:    http.StatusGatewayTimeout,
		Reason:  metav1.StatusReasonTimeout,
		Message: fmt.Sprintf("Too large resource version: %s", rv),
		Details: &metav1.StatusDetails{
			Causes:            []metav1.StatusCause{{Type: metav1.CauseTypeResourceVersionTooLarge, Message: "Too large resource version"}},
			RetryAfterSeconds: 1,
		},
	}}
}
