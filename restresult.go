package anykube

import (
	"net/http"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/anykube/anykube/internal/rest"
)

// Result is the outcome of Request.Do: the answer's body, status and
// headers, or the error that ended the request.
type Result rest.Result

// in is the request layer's view of r.
func (r Result) in() rest.Result { return rest.Result(r) }

// Raw returns the body and the request's error. On a non-2xx answer both
// are set: the body is the server's, the error an *apierrors.StatusError.
func (r Result) Raw() ([]byte, error) { return r.in().Raw() }

// Error returns the request's error: nil for a 2xx answer, an
// *apierrors.StatusError for any other answer, or the builder, transport
// or context error that prevented one (see Request.Do).
func (r Result) Error() error { return r.in().Error() }

// StatusCode returns the HTTP status of the final answer, or 0 when there
// was none. (client-go's StatusCode stores it through a pointer instead.)
func (r Result) StatusCode() int { return r.in().StatusCode() }

// Header returns the headers of the final answer, or nil when there was
// none.
func (r Result) Header() http.Header { return r.in().Header() }

// ContentType returns the final answer's Content-Type header, or "".
func (r Result) ContentType() string { return r.in().ContentType() }

// Into decodes a 2xx JSON body into v, any value encoding/json could
// decode into (a struct with JSON tags, a map, an
// *unstructured.Unstructured), with the API server's rules: field names
// match case-sensitively and integers in interface values stay int64. It
// returns the request's error if there is one, and otherwise a
// *DecodeError naming the request when the body is empty, not JSON, or
// does not decode into v.
func (r Result) Into(v any) error { return r.in().Into(v) }

// Get decodes a 2xx JSON body into an *unstructured.Unstructured with the
// dynamic client's decoder; a list comes back as one object whose "items"
// field holds the items. The body must carry "kind" and "apiVersion", as
// every API object does; use Into for other JSON, such as /version. It
// returns the request's error if there is one, and otherwise a
// *DecodeError naming the request.
func (r Result) Get() (*unstructured.Unstructured, error) { return r.in().Object() }
