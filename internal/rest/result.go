package rest

import (
	"errors"
	"net/http"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/json"

	"github.com/anykube/anykube/internal/codec"
)

// Result is the outcome of Request.Do: the response body, status and
// headers, or the error that ended the request.
type Result struct {
	body       []byte
	statusCode int
	header     http.Header
	err        error

	// pooled is the buffer body lives in when DoDecode read it; nil for Do.
	pooled *[]byte

	// verb and path name the request in decode errors.
	verb string
	path string
}

// Raw returns the response body and the request's error. On a non-2xx
// answer both are set: the body is the server's, the error a
// *apierrors.StatusError.
func (r Result) Raw() ([]byte, error) { return r.body, r.err }

// Error returns the request's error: nil for a 2xx answer, a
// *apierrors.StatusError for any other answer, or the transport, context or
// builder error that prevented one.
func (r Result) Error() error { return r.err }

// StatusCode returns the HTTP status of the final response, or 0 when there
// was none.
func (r Result) StatusCode() int { return r.statusCode }

// Header returns the headers of the final response, or nil when there was
// none.
func (r Result) Header() http.Header { return r.header }

// ContentType returns the final response's Content-Type header, or "".
func (r Result) ContentType() string {
	if r.header == nil {
		return ""
	}
	return r.header.Get("Content-Type")
}

// Into decodes a 2xx JSON body into v, with the API server's JSON rules
// (case-sensitive field names, integers kept as int64 in interface values).
// It returns the request's error if there is one, and otherwise a
// *DecodeError naming the request when the body is empty, not JSON, or does
// not decode into v.
func (r Result) Into(v any) error {
	if r.err != nil {
		return r.err
	}
	ct := r.ContentType()
	fail := func(err error) error {
		return &DecodeError{Method: r.verb, Path: r.path, ContentType: ct, Err: err}
	}
	if !isJSON(ct) {
		return fail(errors.New("the response is not JSON"))
	}
	if len(r.body) == 0 {
		return fail(errors.New("the response body is empty"))
	}
	if err := json.UnmarshalCaseSensitivePreserveInts(r.body, v); err != nil {
		return fail(err)
	}
	return nil
}

// isJSON reports whether a Content-Type names JSON or a +json type; an
// absent one is given the benefit of the doubt.
func isJSON(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "" || mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// Object decodes a 2xx JSON body into an Unstructured, with the dynamic
// client's decoder: "kind" and "apiVersion" are required, and a list
// stays one object whose "items" is a slice. It returns the request's error
// if there is one, and otherwise a *DecodeError naming the request when the
// body is empty, not JSON, or not an object with a kind.
func (r Result) Object() (*unstructured.Unstructured, error) {
	if r.err != nil {
		return nil, r.err
	}
	ct := r.ContentType()
	fail := func(err error) error {
		return &DecodeError{Method: r.verb, Path: r.path, ContentType: ct, Err: err}
	}
	switch {
	case !isJSON(ct):
		return nil, fail(errors.New("the response is not JSON"))
	case len(r.body) == 0:
		return nil, fail(errors.New("the response body is empty"))
	}
	u, err := codec.DecodeObject(r.body)
	if err != nil {
		return nil, fail(err)
	}
	return u, nil
}
