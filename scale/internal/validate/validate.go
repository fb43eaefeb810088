// Package validate holds the checks the scale client makes before it sends
// anything, shared with scale/fake so that the fake refuses exactly what the
// real client refuses, with the same errors.
package validate

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/types"
)

// ErrInvalidRequest is wrapped by every error these checks return: the
// request was refused before being sent.
var ErrInvalidRequest = errors.New("invalid request")

// Invalid returns an error wrapping ErrInvalidRequest.
func Invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidRequest, fmt.Sprintf(format, args...))
}

// Segment checks that value can be one path segment of a request. The API
// server refuses ".", "..", and names containing "/" or "%"; letting them
// through would address another path than the caller meant. what names the
// segment in the error.
func Segment(what, value string) error {
	if value == "" {
		return Invalid("%s must not be empty", what)
	}
	if msgs := content.IsPathSegmentName(value); len(msgs) > 0 {
		return Invalid("%s %q: %s", what, value, strings.Join(msgs, "; "))
	}
	return nil
}

// Target checks what every scale call puts in its path: the namespace
// (empty for cluster-scoped resources), the resource and the object name.
func Target(namespace, resource, name string) error {
	if namespace != "" {
		if err := Segment("namespace", namespace); err != nil {
			return err
		}
	}
	if err := Segment("resource", resource); err != nil {
		return err
	}
	return Segment("name", name)
}

// PatchType checks that a patch names its type, which becomes the request's
// Content-Type; the server cannot guess it.
func PatchType(pt types.PatchType) error {
	if pt == "" {
		return Invalid("patch type must not be empty")
	}
	return nil
}
