// Package call holds what the clients of dynamic, dynamic/metadata and
// dynamic/table do alike for each method call: validate its target, build
// its request, send it and sort the answer's failures into the server's
// own errors and the client's. Each client wraps the client's failures in
// its own error type.
package call

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/dynamic/internal/validate"
	"github.com/anykube/anykube/internal/rest"
)

// Call describes one method call on a resource: enough to validate it,
// build its request and name it in errors.
type Call struct {
	Verb         string
	Name         string
	Subresources []string
}

// Target is the resource and namespace (empty: cluster-wide or cluster
// scoped) a client calls.
type Target struct {
	Resource  schema.GroupVersionResource
	Namespace string
}

// Check validates what every request of c puts in its path, requiring a
// name when named is set. The error wraps validate.ErrInvalidRequest.
func (t Target) Check(c Call, named bool) error {
	err := validate.Resource(t.Resource)
	if err == nil {
		err = validate.Namespace(t.Namespace)
	}
	if err == nil && named {
		err = validate.Name(c.Name)
	}
	if err == nil {
		err = validate.Subresources(c.Subresources)
	}
	return err
}

// Request starts the request for c with the given HTTP method on rc.
func (t Target) Request(rc *rest.Client, c Call, method string) *rest.Request {
	req := rc.Verb(method).GroupVersion(t.Resource.GroupVersion()).Namespace(t.Namespace).Resource(t.Resource.Resource)
	if c.Name != "" {
		req = req.Name(c.Name)
	}
	if len(c.Subresources) > 0 {
		req = req.SubResource(c.Subresources...)
	}
	return req
}

// Do sends req and hands a 2xx body to decode, which must not keep it: the
// request layer reuses the buffer. A nil decode ignores the body. The
// server's errors come back as the *apierrors.StatusError the request layer
// made; every other failure, decode's included (wrapped by DecodeError),
// goes through fail, which wraps it in the client's error type.
func Do(ctx context.Context, req *rest.Request, decode func([]byte) error, fail func(error) error) error {
	var decodeErr error
	err := req.DoDecode(ctx, func(body []byte, ct string) error {
		if decode == nil {
			return nil
		}
		if err := decode(body); err != nil {
			decodeErr = DecodeError(ct, err)
			return decodeErr
		}
		return nil
	})
	switch {
	case err == nil:
		return nil
	case decodeErr != nil:
		return fail(decodeErr)
	}
	var se *apierrors.StatusError
	if errors.As(err, &se) {
		return se
	}
	return fail(err)
}

// DecodeError says what could not be decoded; the body itself is left
// out, as it may hold secrets.
func DecodeError(contentType string, err error) error {
	if contentType == "" {
		contentType = "no content type"
	}
	return fmt.Errorf("decoding the response (%s): %w", contentType, err)
}
