package metadata

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic/internal/call"
	"github.com/anykube/anykube/internal/rest"
)

// The media types asked for. The metadata view is named by the "as", "g"
// and "v" parameters; plain JSON after it lets a server that cannot give
// the view answer with the full object instead of 406, which only a client
// that falls back asks for.
const (
	acceptObject     = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"
	acceptList       = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
	acceptFullSuffix = ",application/json"
)

// The view's kinds, as the server names them in its answers.
const (
	viewAPIVersion = "meta.k8s.io/v1"
	viewKind       = "PartialObjectMetadata"
	viewListKind   = "PartialObjectMetadataList"
)

// Options change how a Client treats servers without the metadata view.
// The zero value is the default.
type Options struct {
	// FallbackToFull, when true, makes the client accept full objects from
	// a server that does not give the metadata view (an aggregated API
	// that ignores "as=", or one that would answer 406 to the view alone):
	// it asks for plain JSON as a second choice and keeps only the
	// metadata of what comes back. The objects then keep the full
	// object's apiVersion and kind (such as "v1" "Pod", or "PodList" on a
	// list) where the view's are "meta.k8s.io/v1" "PartialObjectMetadata",
	// so a caller can tell; the whole object still crossed the network
	// and was parsed.
	//
	// When false (the default) such an answer is an error: a *Error
	// wrapping ErrViewUnsupported for a full object, the server's 406
	// StatusError otherwise (IsViewUnsupported covers both). Falling back
	// is off by default because the caller chose this client to avoid
	// full objects, and a silent fallback would hide a list of thousands
	// of them.
	FallbackToFull bool
}

// Client is the metadata Interface that talks to an API server. It is safe
// for concurrent use; build one per Config and share it.
type Client struct {
	rest *rest.Client
	opts Options
}

var _ Interface = (*Client)(nil)

// NewForConfig returns a client for the server cfg describes, with cfg's
// TLS settings, credentials, rate limits and timeout, and the default
// Options. It fails when anykube.HTTPClientFor(cfg) does or when cfg.Host
// is not a usable address.
func NewForConfig(cfg *anykube.Config) (*Client, error) {
	hc, err := anykube.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	return NewForConfigAndClient(cfg, hc)
}

// NewForConfigAndClient returns a client for the server cfg describes that
// sends its requests through httpClient, which takes precedence over cfg's
// transport settings; cfg still gives the address, rate limits, timeout and
// warning handler. It fails when cfg or httpClient is nil or cfg.Host is not
// a usable address.
func NewForConfigAndClient(cfg *anykube.Config, httpClient *http.Client) (*Client, error) {
	arc, err := anykube.RESTClientForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	// The public client is the request layer under another name.
	return New((*rest.Client)(arc)), nil
}

// New returns a client sending its requests through an existing REST
// client, for anykube's own packages that already hold one. It never fails.
func New(c *rest.Client) *Client {
	return &Client{rest: c}
}

// WithOptions returns a copy of c using opts; c is unchanged. It never
// fails.
func (c *Client) WithOptions(opts Options) *Client {
	cp := *c
	cp.opts = opts
	return &cp
}

// Resource returns a client for resource, cluster-wide; see Interface.
func (c *Client) Resource(resource schema.GroupVersionResource) NamespaceableResourceInterface {
	return &resourceClient{c: c, gvr: resource}
}

// resourceClient is Client's client for one resource. It is a value that
// Namespace copies, so it holds no lock.
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

// fail wraps a failure that is not the server's answer.
func (r *resourceClient) fail(c call.Call, err error) error {
	return &Error{Verb: c.Verb, Resource: r.gvr, Namespace: r.namespace, Name: c.Name, Subresource: strings.Join(c.Subresources, "/"), Err: err}
}

// check validates what every request of c puts in its path. A name is
// required when named is true.
func (r *resourceClient) check(c call.Call, named bool) error {
	if err := r.target().Check(c, named); err != nil {
		return r.fail(c, err)
	}
	return nil
}

// target is what the client calls.
func (r *resourceClient) target() call.Target {
	return call.Target{Resource: r.gvr, Namespace: r.namespace}
}

// request starts the request for c with the given HTTP method.
func (r *resourceClient) request(c call.Call, method string) *rest.Request {
	return r.target().Request(r.c.rest, c, method)
}

// accept returns the Accept header for the view, with plain JSON as a
// second choice when the client falls back.
func (r *resourceClient) accept(view string) string {
	if r.c.opts.FallbackToFull {
		return view + acceptFullSuffix
	}
	return view
}

// do sends req and hands a 2xx body to decode, which must not keep it: the
// REST layer reuses the buffer. The server's errors come back as the
// *apierrors.StatusError the REST layer made; anything else, decode's
// failures included, is wrapped in *Error. A nil decode ignores the body.
func (r *resourceClient) do(ctx context.Context, c call.Call, req *rest.Request, decode func([]byte) error) error {
	return call.Do(ctx, req, decode, func(err error) error { return r.fail(c, err) })
}

// checkView accepts an answer of the view's kind, and a full object's only
// when the client falls back.
func (r *resourceClient) checkView(tm metav1.TypeMeta, want string) error {
	if tm.Kind == want && tm.APIVersion == viewAPIVersion {
		return nil
	}
	if r.c.opts.FallbackToFull {
		return nil
	}
	return fmt.Errorf("%w: got apiVersion %q kind %q", ErrViewUnsupported, tm.APIVersion, tm.Kind)
}

// object sends req and decodes the metadata of the object it answers with.
func (r *resourceClient) object(ctx context.Context, c call.Call, req *rest.Request) (*metav1.PartialObjectMetadata, error) {
	obj := new(metav1.PartialObjectMetadata)
	var viewErr error
	err := r.do(ctx, c, req.SetHeader("Accept", r.accept(acceptObject)), func(body []byte) error {
		if err := decodeObject(body, obj); err != nil {
			return err
		}
		viewErr = r.checkView(obj.TypeMeta, viewKind)
		return nil
	})
	if err == nil && viewErr != nil {
		err = r.fail(c, viewErr)
	}
	if err != nil {
		return nil, err
	}
	return obj, nil
}

// deleteOptionsBody encodes DeleteOptions with their kind, as the server
// reads a body it may have to tell apart from other kinds.
func (r *resourceClient) deleteOptionsBody(c call.Call, opts metav1.DeleteOptions) ([]byte, error) {
	opts.TypeMeta = metav1.TypeMeta{APIVersion: "meta.k8s.io/v1", Kind: "DeleteOptions"}
	data, err := json.Marshal(&opts)
	if err != nil {
		return nil, r.fail(c, fmt.Errorf("encoding the request body: %w", err))
	}
	return data, nil
}

func (r *resourceClient) Delete(ctx context.Context, name string, opts metav1.DeleteOptions, subresources ...string) error {
	c := call.Call{Verb: "delete", Name: name, Subresources: subresources}
	if err := r.check(c, true); err != nil {
		return err
	}
	body, err := r.deleteOptionsBody(c, opts)
	if err != nil {
		return err
	}
	return r.do(ctx, c, r.request(c, http.MethodDelete).Body(body), nil)
}

func (r *resourceClient) DeleteCollection(ctx context.Context, opts metav1.DeleteOptions, listOptions metav1.ListOptions) error {
	c := call.Call{Verb: "deletecollection"}
	if err := r.check(c, false); err != nil {
		return err
	}
	body, err := r.deleteOptionsBody(c, opts)
	if err != nil {
		return err
	}
	return r.do(ctx, c, r.request(c, http.MethodDelete).Params(&listOptions).Body(body), nil)
}

func (r *resourceClient) Get(ctx context.Context, name string, opts metav1.GetOptions, subresources ...string) (*metav1.PartialObjectMetadata, error) {
	c := call.Call{Verb: "get", Name: name, Subresources: subresources}
	if err := r.check(c, true); err != nil {
		return nil, err
	}
	return r.object(ctx, c, r.request(c, http.MethodGet).Params(&opts))
}

func (r *resourceClient) List(ctx context.Context, opts metav1.ListOptions) (*metav1.PartialObjectMetadataList, error) {
	c := call.Call{Verb: "list"}
	if err := r.check(c, false); err != nil {
		return nil, err
	}
	opts.Watch = false
	list := new(metav1.PartialObjectMetadataList)
	var viewErr error
	req := r.request(c, http.MethodGet).Params(&opts).SetHeader("Accept", r.accept(acceptList))
	err := r.do(ctx, c, req, func(body []byte) error {
		if err := decodeList(body, list); err != nil {
			return err
		}
		viewErr = r.checkView(list.TypeMeta, viewListKind)
		return nil
	})
	if err == nil && viewErr != nil {
		err = r.fail(c, viewErr)
	}
	if err != nil {
		return nil, err
	}
	return list, nil
}

func (r *resourceClient) Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
	c := call.Call{Verb: "watch"}
	if err := r.check(c, false); err != nil {
		return nil, err
	}
	opts.Watch = true
	req := r.request(c, http.MethodGet).Params(&opts).SetHeader("Accept", r.accept(acceptObject)).LongRunning()
	body, _, err := req.Stream(ctx)
	if err != nil {
		var se *apierrors.StatusError
		if errors.As(err, &se) {
			return nil, se
		}
		return nil, r.fail(c, err)
	}
	wrap := func(err error) error { return r.fail(c, err) }
	return rest.NewFrameWatcher(ctx, body, wrap, eventDecoder(r.c.opts.FallbackToFull)), nil
}

func (r *resourceClient) Patch(ctx context.Context, name string, pt types.PatchType, data []byte, opts metav1.PatchOptions, subresources ...string) (*metav1.PartialObjectMetadata, error) {
	c := call.Call{Verb: "patch", Name: name, Subresources: subresources}
	if err := r.check(c, true); err != nil {
		return nil, err
	}
	if pt == "" {
		return nil, r.fail(c, fmt.Errorf("%w: patch type is empty", ErrInvalidRequest))
	}
	return r.object(ctx, c, r.request(c, http.MethodPatch).SetHeader("Content-Type", string(pt)).Params(&opts).Body(data))
}
