package table

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/json"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic/internal/call"
	"github.com/anykube/anykube/dynamic/internal/validate"
	"github.com/anykube/anykube/internal/rest"
)

// accept asks for the Table view only: a server that cannot give it
// answers 406 Not Acceptable rather than with full objects, which a
// Table client could not print.
const accept = "application/json;as=Table;g=meta.k8s.io;v=v1"

// ErrInvalidRequest is wrapped by the error a method returns when it refuses
// its input without sending anything. It is the dynamic client's.
var ErrInvalidRequest = validate.ErrInvalidRequest

// ErrNotTable is wrapped by the *Error a call returns when a 2xx answer is
// not a meta.k8s.io/v1 Table (a server that ignored the Accept header's
// "as=" parameter).
var ErrNotTable = errors.New("the server did not answer with a Table")

// Client gets objects as tables. It is safe for concurrent use.
type Client struct {
	rest *rest.Client
}

// NewForConfig returns a client for the server cfg describes. It fails when
// anykube.HTTPClientFor(cfg) does or when cfg.Host is not a usable address.
func NewForConfig(cfg *anykube.Config) (*Client, error) {
	hc, err := anykube.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("table: %w", err)
	}
	return NewForConfigAndClient(cfg, hc)
}

// NewForConfigAndClient returns a client for the server cfg describes that
// sends its requests through httpClient. It fails when cfg or httpClient is
// nil or cfg.Host is not a usable address.
func NewForConfigAndClient(cfg *anykube.Config, httpClient *http.Client) (*Client, error) {
	arc, err := anykube.RESTClientForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("table: %w", err)
	}
	return New((*rest.Client)(arc)), nil
}

// New returns a client sending its requests through an existing REST
// client, for anykube's own packages. It never fails.
func New(c *rest.Client) *Client { return &Client{rest: c} }

// Resource returns a client for resource, cluster-wide or across all
// namespaces. It never fails; an unknown resource is a NotFound error on
// the first call.
func (c *Client) Resource(resource schema.GroupVersionResource) NamespaceableResourceInterface {
	return &resourceClient{c: c, gvr: resource}
}

// NamespaceableResourceInterface is a ResourceInterface that can be
// narrowed to one namespace.
type NamespaceableResourceInterface interface {
	// Namespace returns a client for the resource in namespace ns, a copy.
	Namespace(ns string) ResourceInterface
	ResourceInterface
}

// ResourceInterface gets one resource's objects as tables. include says
// what each row's Object holds: metav1.IncludeNone, IncludeMetadata (a
// PartialObjectMetadata, the server's default when include is empty) or
// IncludeObject (the whole object).
//
// Input is validated first (an error wrapping ErrInvalidRequest, nothing
// sent). The server's errors are its *apierrors.StatusError, unwrapped (406
// Not Acceptable from a server without tables); every other failure is a
// *Error naming the verb and the resource, wrapping ErrNotTable when the
// answer was something else than a Table.
type ResourceInterface interface {
	// Get returns the named object as a one-row table.
	Get(ctx context.Context, name string, opts metav1.GetOptions, include metav1.IncludeObjectPolicy) (*metav1.Table, error)
	// List returns the objects opts selects as a table, one page of them
	// when opts.Limit is set (the table's Continue gives the next).
	List(ctx context.Context, opts metav1.ListOptions, include metav1.IncludeObjectPolicy) (*metav1.Table, error)
}

type resourceClient struct {
	c         *Client
	gvr       schema.GroupVersionResource
	namespace string
}

func (r *resourceClient) Namespace(ns string) ResourceInterface {
	cp := *r
	cp.namespace = ns
	return &cp
}

func (r *resourceClient) fail(c call.Call, err error) error {
	return &Error{Verb: c.Verb, Resource: r.gvr, Namespace: r.namespace, Name: c.Name, Err: err}
}

func (r *resourceClient) Get(ctx context.Context, name string, opts metav1.GetOptions, include metav1.IncludeObjectPolicy) (*metav1.Table, error) {
	return r.table(ctx, call.Call{Verb: "get", Name: name}, true, &opts, include)
}

func (r *resourceClient) List(ctx context.Context, opts metav1.ListOptions, include metav1.IncludeObjectPolicy) (*metav1.Table, error) {
	opts.Watch = false
	return r.table(ctx, call.Call{Verb: "list"}, false, &opts, include)
}

// table validates c (with a name when named is set), sends its GET for
// the Table view with opts as parameters and decodes the answer. The rows' objects are copied out of
// the body, which the request layer reuses (RawExtension's decoding
// copies).
func (r *resourceClient) table(ctx context.Context, c call.Call, named bool, opts any, include metav1.IncludeObjectPolicy) (*metav1.Table, error) {
	t := call.Target{Resource: r.gvr, Namespace: r.namespace}
	if err := t.Check(c, named); err != nil {
		return nil, r.fail(c, err)
	}
	req := t.Request(r.c.rest, c, http.MethodGet).Params(opts).SetHeader("Accept", accept)
	if include != "" {
		req = req.Param("includeObject", string(include))
	}
	tb := new(metav1.Table)
	err := call.Do(ctx, req, func(body []byte) error {
		return json.UnmarshalCaseSensitivePreserveInts(body, tb)
	}, func(err error) error { return r.fail(c, err) })
	if err == nil && (tb.Kind != "Table" || tb.APIVersion != "meta.k8s.io/v1") {
		err = r.fail(c, fmt.Errorf("%w: got apiVersion %q kind %q", ErrNotTable, tb.APIVersion, tb.Kind))
	}
	if err != nil {
		return nil, err
	}
	return tb, nil
}

// Error reports a failure of one call that is not an answer from the API
// server. Errors answered by the server are *apierrors.StatusError instead.
type Error struct {
	// Verb is "get" or "list".
	Verb string
	// Resource is the resource the client was made for.
	Resource schema.GroupVersionResource
	// Namespace and Name are the call's target; either may be empty.
	Namespace, Name string
	// Err is the cause.
	Err error
}

// Error returns "table: VERB RESOURCE [NAMESPACE/]NAME: cause".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("table: " + e.Verb + " " + e.Resource.Resource + "." + e.Resource.Version)
	if e.Resource.Group != "" {
		b.WriteString("." + e.Resource.Group)
	}
	switch {
	case e.Name != "" && e.Namespace != "":
		b.WriteString(" " + e.Namespace + "/" + e.Name)
	case e.Name != "":
		b.WriteString(" " + e.Name)
	case e.Namespace != "":
		b.WriteString(" in namespace " + e.Namespace)
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("unknown error")
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }
