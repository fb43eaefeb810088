package rest

import (
	"fmt"
	"strings"
)

// InvalidPathSegmentError reports a path segment that cannot be put into a
// request URL as given: empty where a value is required, "." or ".." (which
// would change the path's meaning), or containing "/" or "%" (which would
// add segments or escapes the caller did not intend). Do and Stream return
// it without sending anything.
type InvalidPathSegmentError struct {
	// Kind names the segment: "name", "namespace", "resource",
	// "subresource", "group" or "version".
	Kind string
	// Value is the rejected segment.
	Value string
	// Reason says what is wrong with it.
	Reason string
}

// Error returns a message naming the segment, its value and the problem.
func (e *InvalidPathSegmentError) Error() string {
	return fmt.Sprintf("invalid %s %q in request path: %s", e.Kind, e.Value, e.Reason)
}

// checkSegment returns an *InvalidPathSegmentError when value cannot be one
// segment of a request path, nil otherwise.
func checkSegment(kind, value string) error {
	var reason string
	switch {
	case value == "":
		reason = "must not be empty"
	case value == "." || value == "..":
		reason = "must not be \".\" or \"..\""
	case strings.ContainsRune(value, '/'):
		reason = "must not contain \"/\""
	case strings.ContainsRune(value, '%'):
		reason = "must not contain \"%\""
	default:
		return nil
	}
	return &InvalidPathSegmentError{Kind: kind, Value: value, Reason: reason}
}

// DecodeError reports a 2xx response body that could not be decoded into the
// value passed to Result.Into. It names the request so that a proxy answering
// with HTML, or a truncated body, can be traced to the call that got it. The
// body itself is not included: it may hold secrets.
type DecodeError struct {
	// Method and Path identify the request ("GET", "/api/v1/pods").
	Method string
	Path   string
	// ContentType is the response's Content-Type header, possibly empty.
	ContentType string
	// Err is the decoder's error.
	Err error
}

// Error returns a message naming the request, the content type and the cause.
func (e *DecodeError) Error() string {
	ct := e.ContentType
	if ct == "" {
		ct = "no content type"
	}
	return fmt.Sprintf("decoding response to %s %s (%s): %v", e.Method, e.Path, ct, e.Err)
}

// Unwrap returns the decoder's error.
func (e *DecodeError) Unwrap() error { return e.Err }

// ResponseTooLargeError reports an answer whose body grew past the limit
// (Config.MaxResponseBytes, or a per-request override) before it ended; the
// read was stopped and the connection closed. It is not retried: the same
// request would get the same answer.
type ResponseTooLargeError struct {
	// Method and Path name the request ("GET", "/api/v1/pods"). The query
	// is left out: a selector or continue token may carry a secret.
	Method string
	Path   string
	// Limit is the limit that was passed, in bytes.
	Limit int64
	// ContentLength is the size the server announced, or -1 when it
	// announced none (a chunked or compressed body, stopped once it grew
	// past Limit).
	ContentLength int64
}

// Error names the request and the limit, and the announced size when there
// was one.
func (e *ResponseTooLargeError) Error() string {
	if e.ContentLength >= 0 {
		return fmt.Sprintf("%s %s: the response body of %d bytes is larger than the limit of %d bytes (Config.MaxResponseBytes)", e.Method, e.Path, e.ContentLength, e.Limit)
	}
	return fmt.Sprintf("%s %s: the response body grew past the limit of %d bytes (Config.MaxResponseBytes) and was not read further", e.Method, e.Path, e.Limit)
}
