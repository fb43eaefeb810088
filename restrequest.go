package anykube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/internal/rest"
)

// Request is one call of a RESTClient being built: chain the methods that
// say what to send, then call Do, DoRaw, Stream or Watch once. A Request is
// used by one goroutine.
//
// The builder methods never fail on their own: the first invalid input (an
// empty or "."/".." name, a namespace or name containing "/" or "%", an
// option struct that cannot be encoded) is kept and returned by Do, DoRaw,
// Stream or Watch, which then send nothing. So a chain needs no error
// checks in the middle, and a bad name can never reach another path.
//
// The path is built from, in order: the root (AbsPath, or Group and Version:
// /api/v1 for the core group, /apis/GROUP/VERSION for the others), Prefix,
// /namespaces/NAMESPACE, the resource, the name, SubResource and Suffix.
//
// A request is sent again after a 429, a 503 that carries Retry-After, and,
// for GET, HEAD and OPTIONS only, after a 503 or 504 without it or a
// connection lost before the whole answer arrived; never twice for a write
// the server may have carried out. The wait is the server's Retry-After
// (capped at 10s) or a backoff from 250ms to 4s; at most 5 retries unless
// MaxRetries says otherwise. Every attempt waits on the client-side rate
// limiter.
type Request rest.Request

// in is the request layer's view of r.
func (r *Request) in() *rest.Request { return (*rest.Request)(r) }

// AbsPath sets the root of the path, joined from segments, in place of the
// /api/v1 or /apis/G/V root of Group and Version: "/healthz", "/version",
// "/metrics", "/openapi/v2", "/apis". A namespace, resource, name and
// subresource, if set, are appended to it. The segments may contain
// slashes; "." and ".." are cleaned away and cannot climb above
// Config.Host's own path; a trailing slash is kept.
func (r *Request) AbsPath(segments ...string) *Request {
	r.in().AbsPath(segments...)
	return r
}

// Group sets the API group of the root; "" is the core group, served under
// /api. Version must be set too. An invalid group is recorded as the
// request's error.
func (r *Request) Group(group string) *Request {
	r.in().Group(group)
	return r
}

// Version sets the API version of the root: /api/VERSION for the core
// group, /apis/GROUP/VERSION for the others. An invalid version is recorded
// as the request's error.
func (r *Request) Version(version string) *Request {
	r.in().Version(version)
	return r
}

// GroupVersion sets the group and version at once.
func (r *Request) GroupVersion(gv schema.GroupVersion) *Request {
	r.in().GroupVersion(gv)
	return r
}

// Prefix appends segments to the root (AbsPath, or the /api/v1 or /apis/G/V
// of Group and Version), before the namespace: Prefix("watch") gives
// /api/v1/watch/namespaces/... Without a root, the prefix is the root:
// Prefix("/api/v1") does what Version("v1") does. The segments may contain
// slashes; "." and ".." cannot climb above the root.
func (r *Request) Prefix(segments ...string) *Request {
	r.in().Prefix(segments...)
	return r
}

// Suffix appends segments after everything else, as in
// Resource("pods").Name("web").SubResource("proxy").Suffix("metrics").
// The segments may contain slashes; "." and ".." cannot climb above what
// comes before them.
func (r *Request) Suffix(segments ...string) *Request {
	r.in().Suffix(segments...)
	return r
}

// Namespace puts /namespaces/NAMESPACE before the resource. An empty
// namespace is left out of the path, which lists or watches across all
// namespaces. A namespace that is "." or "..", or contains "/" or "%", is
// recorded as the request's error.
func (r *Request) Namespace(namespace string) *Request {
	r.in().Namespace(namespace)
	return r
}

// NamespaceIfScoped is Namespace(namespace) when scoped is true, and does
// nothing otherwise, for code that handles namespaced and cluster-scoped
// resources alike.
func (r *Request) NamespaceIfScoped(namespace string, scoped bool) *Request {
	if scoped {
		r.in().Namespace(namespace)
	}
	return r
}

// Resource sets the resource, by its plural name ("pods", "deployments").
// An empty or invalid resource is recorded as the request's error.
func (r *Request) Resource(resource string) *Request {
	r.in().Resource(resource)
	return r
}

// Name sets the object's name. An empty name is recorded as the request's
// error rather than left out: a request meant for one object must never
// silently become one for the whole collection. So is a name that is "."
// or "..", or contains "/" or "%".
func (r *Request) Name(name string) *Request {
	r.in().Name(name)
	return r
}

// SubResource appends subresource segments after the name: "status",
// "scale", "log", "eviction", "proxy". Each must be a valid segment; an
// invalid one is recorded as the request's error. Use Suffix for a path
// below the subresource.
func (r *Request) SubResource(subresources ...string) *Request {
	r.in().SubResource(subresources...)
	return r
}

// Param adds a query parameter; repeated calls with the same name add
// values.
func (r *Request) Param(name, value string) *Request {
	r.in().Param(name, value)
	return r
}

// VersionedParams adds the fields of an option struct as query parameters
// named by their JSON tags, the way the API server reads them:
// metav1.ListOptions, GetOptions, CreateOptions, PatchOptions,
// DeleteOptions, podlogs.PodLogOptions, or any struct of the same kind.
// Fields tagged omitempty are left out when zero, set pointers are always
// sent (so a false *bool is sent), slices repeat the name, and embedded and
// nested structs are flattened. opts may be a struct or a pointer to one; a
// nil pointer adds nothing. Anything else is recorded as the request's
// error. Unlike client-go's, it takes no codec: the JSON tags are the
// encoding.
func (r *Request) VersionedParams(opts any) *Request {
	r.in().Params(opts)
	return r
}

// SetHeader sets a request header, replacing earlier values. Without an
// Accept header, requests ask for application/json; without a
// Content-Type, a body is sent as application/json.
func (r *Request) SetHeader(key string, values ...string) *Request {
	r.in().SetHeader(key, values...)
	return r
}

// Body sets the request body from obj:
//
//   - []byte is sent as is; it is not copied and must not change until the
//     request is done.
//   - an io.Reader is read to its end now, so that the body can be sent
//     again on a retry; a read error is recorded as the request's error.
//   - nil sends no body.
//   - a string is refused (recorded as the request's error): client-go
//     reads a string as a file name, and sending the name instead would
//     fail in a confusing way. Pass []byte(s), or the opened file.
//   - anything else (an *unstructured.Unstructured, a map, a struct with
//     JSON tags) is encoded as JSON; an encoding error is recorded as the
//     request's error.
func (r *Request) Body(obj any) *Request {
	switch v := obj.(type) {
	case nil:
		return r
	case []byte:
		r.in().Body(v)
	case io.Reader:
		r.in().BodyReader(v)
	case string:
		r.in().Fail(errors.New("request body: a string is not accepted (client-go would read a file of that name); pass []byte, or an io.Reader such as an opened file"))
	default:
		data, err := json.Marshal(v)
		if err != nil {
			r.in().Fail(fmt.Errorf("encoding the request body (%T) as JSON: %w", obj, err))
			return r
		}
		r.in().Body(data)
	}
	return r
}

// Timeout bounds the whole request, retries and waits included, in place of
// Config.Timeout. It applies to Stream and Watch too, which Config.Timeout
// does not bound: the caller asked for it. Zero removes any bound but the
// context's.
func (r *Request) Timeout(d time.Duration) *Request {
	r.in().Timeout(d)
	return r
}

// MaxRetries sets how many times the request may be sent again after a
// retryable failure (see Request); zero turns retries off, negative values
// count as zero.
func (r *Request) MaxRetries(n int) *Request {
	r.in().MaxRetries(n)
	return r
}

// URL returns the URL the request would be sent to, for logging and tests.
// Builder errors are not reported here; the URL then holds only what was
// valid.
func (r *Request) URL() *url.URL { return r.in().URL() }

// Do sends the request and reads the whole answer. The Result's Error is
// nil for a 2xx answer; an *apierrors.StatusError for any other (the
// server's Status, or one made from the HTTP code when the body is not a
// Status, so apierrors.IsNotFound and friends work); the recorded builder
// error, with nothing sent; or an error naming the method and URL that
// wraps the transport failure or the context's error (errors.Is(err,
// context.DeadlineExceeded) holds when Timeout or Config.Timeout ran out).
func (r *Request) Do(ctx context.Context) Result {
	return Result(r.in().Do(ctx))
}

// DoRaw sends the request like Do and returns the body and Do's error. On
// a non-2xx answer both are set: the body is what the server sent.
func (r *Request) DoRaw(ctx context.Context) ([]byte, error) {
	return r.in().Do(ctx).Raw()
}

// Stream sends the request and, on a 2xx answer, returns the body unread,
// for logs, proxied responses and anything too large to hold. The caller
// must close it. Config.Timeout does not apply, since a stream such as a
// followed log lasts as long as it is read; Timeout, if set, and ctx still
// end it. On any other outcome the body is nil and the error is what Do's
// Result would hold.
func (r *Request) Stream(ctx context.Context) (io.ReadCloser, error) {
	body, _, err := r.in().LongRunning().Stream(ctx)
	return body, err
}

// Watch sends the request as a watch and decodes the stream of events it
// answers with. It adds watch=true unless a "watch" parameter is already
// set (client-go's Watch sends the request as built, so callers pass
// ListOptions{Watch: true}; either way works here).
//
// Events carry *unstructured.Unstructured objects, except ERROR events,
// which carry the *metav1.Status the server sent (apierrors.FromObject
// turns it into an error). A stream that breaks off (cut mid-event, a frame
// that is not JSON, a connection reset) ends with one ERROR event of code
// 500 naming the request and the cause, never silently; a stream the
// server ends cleanly, or that Stop or ctx ends, closes the channel. Like
// Stream, it is not bounded by Config.Timeout. The error, when the watch
// cannot start, is what Do's Result would hold.
func (r *Request) Watch(ctx context.Context) (watch.Interface, error) {
	in := r.in()
	if !in.HasParam("watch") {
		in.Param("watch", "true")
	}
	u := in.URL()
	body, _, err := in.LongRunning().Stream(ctx)
	if err != nil {
		return nil, err
	}
	return rest.NewStreamWatcher(ctx, body, func(err error) error {
		return fmt.Errorf("watch %s: %w", u, err)
	}), nil
}
