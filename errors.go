package anykube

import (
	"errors"
	"fmt"
	"strings"

	"github.com/anykube/anykube/internal/rest"
	"github.com/anykube/anykube/internal/transport"
)

// ErrNotInCluster is returned (wrapped) by InClusterConfig when the process
// does not run in a pod: the service environment variables or the
// service-account token are absent. Test for it with errors.Is.
var ErrNotInCluster = errors.New("not running inside a Kubernetes cluster")

// ErrNoConfig is returned (wrapped, with the list of what was tried) by
// InferConfig when neither a kubeconfig file nor an in-cluster
// configuration is found, and by LoadKubeconfig when no kubeconfig file is.
var ErrNoConfig = errors.New("no Kubernetes client configuration found")

// ErrNoCurrentContext is returned by LoadKubeconfig when no context was asked
// for and none of the files sets current-context.
var ErrNoCurrentContext = errors.New("kubeconfig: no context given and current-context is not set")

// KubeconfigParseError reports a kubeconfig file that is not valid YAML or
// has a field of the wrong type.
type KubeconfigParseError struct {
	// Path is the file.
	Path string
	// Line is the 1-based line of the first problem, or 0 when unknown.
	Line int
	// Err is the parser's error. Scalar values it would quote are removed,
	// since a misplaced credential could be one.
	Err error
}

// Error names the file and, through the parser's message, the line.
func (e *KubeconfigParseError) Error() string {
	return fmt.Sprintf("kubeconfig %s: %v", e.Path, e.Err)
}

// Unwrap returns the parser's error.
func (e *KubeconfigParseError) Unwrap() error { return e.Err }

// KubeconfigNotFoundError reports a context, cluster or user that is asked
// for or named by the chosen context but defined in none of the files.
type KubeconfigNotFoundError struct {
	// Kind is "context", "cluster" or "user".
	Kind string
	// Name is the missing entry's name.
	Name string
	// Context is the context that named the missing cluster or user; it is
	// empty when the missing entry is the context itself.
	Context string
	// Files are the kubeconfig files searched.
	Files []string
}

// Error names the missing entry and where it was looked for.
func (e *KubeconfigNotFoundError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kubeconfig: %s %q", e.Kind, e.Name)
	if e.Context != "" {
		fmt.Fprintf(&b, " (named by context %q)", e.Context)
	}
	b.WriteString(" not found")
	if len(e.Files) > 0 {
		fmt.Fprintf(&b, " in %s", strings.Join(e.Files, ", "))
	}
	return b.String()
}

// KubeconfigFieldError reports a kubeconfig field whose value cannot be
// used: *-data that is not base64, a proxy-url that does not parse, a file
// that a field refers to and that cannot be read. It names the field and
// the entry, and the file path when the field holds one, never a
// credential.
type KubeconfigFieldError struct {
	// Kubeconfig is the file the entry came from.
	Kubeconfig string
	// Kind is "cluster" or "user"; Name is the entry's name.
	Kind, Name string
	// Field is the YAML key, such as "client-certificate".
	Field string
	// Path is the file the field refers to, when it refers to one.
	Path string
	// Err is the cause, such as an *fs.PathError for a missing file.
	Err error
}

// Error names the kubeconfig, the entry, the field and the referenced path.
func (e *KubeconfigFieldError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kubeconfig %s: %s %q: %s", e.Kubeconfig, e.Kind, e.Name, e.Field)
	if e.Path != "" {
		fmt.Fprintf(&b, " %s", e.Path)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

// Unwrap returns the cause.
func (e *KubeconfigFieldError) Unwrap() error { return e.Err }

// InvalidPathSegmentError reports a namespace, resource, name, subresource,
// group or version that a Request refused to put into its path: empty where
// a value is required, "." or "..", or containing "/" or "%". Its fields
// are Kind (which segment: "name", "namespace", ...), Value and Reason.
// Request.Do, Stream and Watch return it without sending anything.
type InvalidPathSegmentError = rest.InvalidPathSegmentError

// DecodeError reports a 2xx body that Result.Into or Result.Get could not
// decode: its fields are Method and Path (the request), ContentType and
// Err (the decoder's error, also returned by Unwrap). The body itself is
// left out, since it may hold secrets.
type DecodeError = rest.DecodeError

// RedirectError reports a redirect that a transport from TransportFor (or a
// client from HTTPClientFor) refused to follow because it leads to another
// host than the request was sent to, or from https to http: the request
// would have carried the Config's credentials there, or in clear text. It
// names the redirect's status, where the request was sent and the target
// (scheme, host and path, never user info or query). Requests sent through
// anykube's clients return it wrapped; test for it with errors.As.
type RedirectError = transport.RedirectError

// ResponseTooLargeError reports an answer whose body grew past the limit
// (Config.MaxResponseBytes, or a per-request override) before it ended; the
// read was stopped and the connection closed. It is not retried: the same
// request would get the same answer. Its fields are Method and Path (the
// request, without its query, which may carry a secret), Limit, and
// ContentLength (the size the server announced, or -1 for none).
type ResponseTooLargeError = rest.ResponseTooLargeError
