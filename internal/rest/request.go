package rest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Request is one API call being built. Its methods record what to send and
// return the Request for chaining; the first invalid input is kept and
// returned by Do or Stream, which then send nothing. A Request is used by one
// goroutine and sent once.
type Request struct {
	c    *Client
	verb string

	// The path is root + prefix + namespace + resource + name +
	// subresource + suffix, where root is absPath when set, else derived
	// from group and version.
	absPath     string
	absSet      bool
	group       string
	version     string
	gvSet       bool
	namespace   string
	resource    string
	resourceSet bool
	name        string
	nameSet     bool
	subresource string
	prefix      string // cleaned, without leading or trailing slash
	suffix      string // cleaned, without leading or trailing slash

	params  url.Values
	headers http.Header
	body    []byte
	hasBody bool

	timeout     time.Duration
	timeoutSet  bool
	longRunning bool
	noRateLimit bool
	maxRetries  int
	// maxBody overrides the Client's limit when maxBodySet; 0 is none.
	maxBody    int64
	maxBodySet bool

	err error
}

// fail records err unless an earlier error is already recorded.
func (r *Request) fail(err error) *Request {
	if r.err == nil {
		r.err = err
	}
	return r
}

// Fail records err as a builder mistake, for callers that check their own
// input while building: Do and Stream return it, unless an earlier one is
// recorded, and send nothing.
func (r *Request) Fail(err error) *Request { return r.fail(err) }

// HasParam reports whether a query parameter named key has been added.
func (r *Request) HasParam(key string) bool {
	_, ok := r.params[key]
	return ok
}

// AbsPath sets the root of the request path, joined from segments, in place
// of the /api/v1 or /apis/G/V root that Group and Version would give; a
// namespace, resource, name and subresource are still appended to it. Use it
// for paths outside resources: "/version", "/apis", "/openapi/v2". The
// segments may contain slashes; "." and ".." are cleaned away and cannot
// climb above Config.Host's path prefix.
func (r *Request) AbsPath(segments ...string) *Request {
	p := path.Join(append([]string{"/"}, segments...)...)
	// Keep a trailing slash the caller asked for; some servers route on it.
	if n := len(segments); n > 0 && strings.HasSuffix(segments[n-1], "/") && p != "/" {
		p += "/"
	}
	r.absPath, r.absSet = p, true
	return r
}

// Group sets the API group; "" is the core group, served under /api.
// Version must be set too.
func (r *Request) Group(group string) *Request {
	if group != "" {
		if err := checkSegment("group", group); err != nil {
			return r.fail(err)
		}
	}
	r.group, r.gvSet = group, true
	return r
}

// Version sets the API version of the path root: /api/V for the core group,
// /apis/G/V for the others.
func (r *Request) Version(version string) *Request {
	if err := checkSegment("version", version); err != nil {
		return r.fail(err)
	}
	r.version, r.gvSet = version, true
	return r
}

// GroupVersion sets the group and version at once.
func (r *Request) GroupVersion(gv schema.GroupVersion) *Request {
	return r.Group(gv.Group).Version(gv.Version)
}

// Namespace puts /namespaces/NS before the resource. An empty namespace is
// left out of the path, which lists or watches across all namespaces.
func (r *Request) Namespace(namespace string) *Request {
	if namespace == "" {
		r.namespace = ""
		return r
	}
	if err := checkSegment("namespace", namespace); err != nil {
		return r.fail(err)
	}
	r.namespace = namespace
	return r
}

// Resource sets the resource (its plural name, such as "deployments").
func (r *Request) Resource(resource string) *Request {
	if err := checkSegment("resource", resource); err != nil {
		return r.fail(err)
	}
	r.resource, r.resourceSet = resource, true
	return r
}

// Name sets the object's name. An empty name is an error: a request meant for
// one object must not silently become one for the whole collection.
func (r *Request) Name(name string) *Request {
	if err := checkSegment("name", name); err != nil {
		return r.fail(err)
	}
	r.name, r.nameSet = name, true
	return r
}

// SubResource appends subresource path segments after the name, such as
// "status" or "scale". Each part must be a valid segment.
func (r *Request) SubResource(parts ...string) *Request {
	for _, p := range parts {
		if err := checkSegment("subresource", p); err != nil {
			return r.fail(err)
		}
	}
	r.subresource = strings.Join(parts, "/")
	return r
}

// Prefix appends segments to the root of the path (AbsPath, or the
// /api/v1 or /apis/G/V of Group and Version), before the namespace and
// resource: Prefix("watch") gives /api/v1/watch/... With neither AbsPath
// nor a version, the prefix is the root. The segments may contain slashes;
// "." and ".." are cleaned away and cannot climb above the root.
func (r *Request) Prefix(segments ...string) *Request {
	r.prefix = joinRelative(r.prefix, segments)
	return r
}

// Suffix appends segments after the subresource (or whatever comes last),
// as in SubResource("proxy").Suffix("metrics"). The segments may contain
// slashes; "." and ".." are cleaned away and cannot climb above what comes
// before them.
func (r *Request) Suffix(segments ...string) *Request {
	r.suffix = joinRelative(r.suffix, segments)
	return r
}

// joinRelative appends segments to base and cleans the result as a path
// of its own, so that ".." stops at its start; it has no leading or
// trailing slash.
func joinRelative(base string, segments []string) string {
	p := path.Join(append([]string{"/", base}, segments...)...)
	return strings.TrimPrefix(p, "/")
}

// Param adds a query parameter; repeated calls with the same key add values.
func (r *Request) Param(key, value string) *Request {
	if r.params == nil {
		r.params = make(url.Values, 4)
	}
	r.params[key] = append(r.params[key], value)
	return r
}

// SetHeader sets a request header, replacing earlier values for key.
func (r *Request) SetHeader(key string, values ...string) *Request {
	if r.headers == nil {
		r.headers = make(http.Header, 2)
	}
	r.headers[http.CanonicalHeaderKey(key)] = values
	return r
}

// Body sets the request body. The slice is not copied and must not change
// until the request is done; it is sent again as is on a retry. Without a
// Content-Type header, the body is sent as application/json.
func (r *Request) Body(data []byte) *Request {
	r.body, r.hasBody = data, true
	return r
}

// BodyReader reads rd to its end now and sends what it read as the body, so
// that the body can be sent again on a retry. A read error is recorded and
// returned by Do or Stream.
func (r *Request) BodyReader(rd io.Reader) *Request {
	data, err := io.ReadAll(rd)
	if err != nil {
		return r.fail(fmt.Errorf("reading request body: %w", err))
	}
	return r.Body(data)
}

// Timeout bounds the whole request, retries and waits included, replacing
// Config.Timeout. It applies to long-running requests too: the caller asked
// for it. Zero removes any bound.
func (r *Request) Timeout(d time.Duration) *Request {
	r.timeout, r.timeoutSet = d, true
	return r
}

// LongRunning marks a watch or other stream that lasts as long as its
// context: Config.Timeout (and any http.Client.Timeout) does not apply.
func (r *Request) LongRunning() *Request {
	r.longRunning = true
	return r
}

// NoRateLimit sends the request without waiting on the client-side rate
// limiter, for callers such as discovery that bound their own concurrency.
func (r *Request) NoRateLimit() *Request {
	r.noRateLimit = true
	return r
}

// MaxRetries sets how many times the request may be sent again after a
// retryable failure; zero turns retries off. Negative values count as zero.
func (r *Request) MaxRetries(n int) *Request {
	r.maxRetries = max(n, 0)
	return r
}

// MaxResponseBytes bounds the body of this request's 2xx answer, in place
// of Config.MaxResponseBytes: n > 0 is the limit, n < 0 removes it, zero
// goes back to the Config's. Past the limit the read stops and Do (or
// DoDecode) fails with an *ResponseTooLargeError. Stream does not
// apply it: a stream's reader bounds what it reads.
func (r *Request) MaxResponseBytes(n int64) *Request {
	if n == 0 {
		r.maxBody, r.maxBodySet = 0, false
		return r
	}
	r.maxBody, r.maxBodySet = max(n, 0), true
	return r
}

// errNoRoot is returned when a resource-shaped path has nothing to hang on.
var errNoRoot = errors.New("request has a namespace, resource or name but neither a version nor an absolute path or prefix to put them under")

// buildPath returns the request path below the Config.Host prefix.
func (r *Request) buildPath() (string, error) {
	var b strings.Builder
	b.Grow(64)
	switch {
	case r.absSet:
		b.WriteString(r.absPath)
	case r.gvSet:
		if r.version == "" {
			return "", &InvalidPathSegmentError{Kind: "version", Reason: "must not be empty"}
		}
		if r.group == "" {
			b.WriteString("/api/")
		} else {
			b.WriteString("/apis/")
			b.WriteString(r.group)
			b.WriteByte('/')
		}
		b.WriteString(r.version)
	case r.prefix == "" && (r.namespace != "" || r.resourceSet || r.nameSet):
		return "", errNoRoot
	}
	if (r.nameSet || r.subresource != "") && !r.resourceSet {
		return "", errors.New("request has a name or subresource but no resource")
	}
	// A root of "/" must not double the slash before what follows it.
	trim := func() {
		if s := b.String(); strings.HasSuffix(s, "/") {
			b.Reset()
			b.WriteString(strings.TrimSuffix(s, "/"))
		}
	}
	if r.prefix != "" {
		trim()
		b.WriteByte('/')
		b.WriteString(r.prefix)
	}
	if r.namespace != "" || r.resourceSet {
		trim()
	}
	if r.namespace != "" {
		b.WriteString("/namespaces/")
		b.WriteString(r.namespace)
	}
	if r.resourceSet {
		b.WriteByte('/')
		b.WriteString(r.resource)
	}
	if r.nameSet {
		b.WriteByte('/')
		b.WriteString(r.name)
	}
	if r.subresource != "" {
		b.WriteByte('/')
		b.WriteString(r.subresource)
	}
	if r.suffix != "" {
		trim()
		b.WriteByte('/')
		b.WriteString(r.suffix)
	}
	return b.String(), nil
}

// URL returns the URL the request will be sent to. Builder errors are not
// reported here (Do and Stream report them); the URL then holds only what was
// valid.
func (r *Request) URL() *url.URL {
	u, _ := r.url()
	return u
}

func (r *Request) url() (*url.URL, error) {
	p, err := r.buildPath()
	u := r.c.base
	u.Path = r.c.prefix + p
	if u.Path == "" {
		u.Path = "/"
	}
	if len(r.params) > 0 {
		u.RawQuery = r.params.Encode()
	}
	return &u, err
}

// bodyReader returns a fresh reader over the body for one attempt, or nil.
func (r *Request) bodyReader() io.Reader {
	if !r.hasBody {
		return nil
	}
	return bytes.NewReader(r.body)
}
