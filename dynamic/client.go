package dynamic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic/internal/call"
	"github.com/anykube/anykube/dynamic/internal/validate"
	"github.com/anykube/anykube/internal/codec"
	"github.com/anykube/anykube/internal/rest"
)

// DynamicClient is the dynamic.Interface that talks to an API server. It is
// safe for concurrent use; build one per Config and share it.
type DynamicClient struct {
	rest *rest.Client
}

var _ Interface = (*DynamicClient)(nil)

// NewForConfig returns a client for the server cfg describes, with cfg's
// TLS settings, credentials, rate limits and timeout. It is
// NewForConfigAndClient with the client anykube.HTTPClientFor(cfg) builds,
// and fails when that does or when cfg.Host is not a usable address.
func NewForConfig(cfg *anykube.Config) (*DynamicClient, error) {
	hc, err := anykube.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("dynamic: %w", err)
	}
	return NewForConfigAndClient(cfg, hc)
}

// NewForConfigAndClient returns a client for the server cfg describes that
// sends its requests through httpClient, which takes precedence over cfg's
// transport settings (TLS and credentials must already be in it); cfg still
// gives the address, rate limits, timeout and warning handler. Sharing one
// httpClient between clients shares its connections. It fails when cfg or
// httpClient is nil or cfg.Host is not a usable address.
func NewForConfigAndClient(cfg *anykube.Config, httpClient *http.Client) (*DynamicClient, error) {
	arc, err := anykube.RESTClientForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("dynamic: %w", err)
	}
	// The public client is the request layer under another name.
	rc := (*rest.Client)(arc)
	return New(rc), nil
}

// New returns a client sending its requests through an existing REST
// client, for anykube's own packages that already hold one. It never fails.
func New(c *rest.Client) *DynamicClient {
	return &DynamicClient{rest: c}
}

// Resource returns a client for resource, cluster-wide; see Interface.
func (c *DynamicClient) Resource(resource schema.GroupVersionResource) NamespaceableResourceInterface {
	return &resourceClient{c: c, gvr: resource}
}

// resourceClient is DynamicClient's client for one resource. It is a value
// that Namespace copies, so it holds no lock.
type resourceClient struct {
	c         *DynamicClient
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

// do sends req and hands a 2xx body to decode, which must not keep it: the
// REST layer reuses the buffer. The server's errors come back as the
// *apierrors.StatusError the REST layer made; anything else, decode's
// failures included, is wrapped in *Error. A nil decode ignores the body.
func (r *resourceClient) do(ctx context.Context, c call.Call, req *rest.Request, decode func([]byte) error) error {
	return call.Do(ctx, req, decode, func(err error) error { return r.fail(c, err) })
}

// object sends req and decodes the object it answers with.
func (r *resourceClient) object(ctx context.Context, c call.Call, req *rest.Request) (*unstructured.Unstructured, error) {
	var obj *unstructured.Unstructured
	err := r.do(ctx, c, req, func(body []byte) (err error) {
		obj, err = codec.DecodeObject(body)
		return err
	})
	if err != nil {
		return nil, err
	}
	return obj, nil
}

// encode turns an object into a request body.
func (r *resourceClient) encode(c call.Call, v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, r.fail(c, fmt.Errorf("encoding the request body: %w", err))
	}
	return data, nil
}

func (r *resourceClient) Create(ctx context.Context, obj *unstructured.Unstructured, opts metav1.CreateOptions, subresources ...string) (*unstructured.Unstructured, error) {
	c := call.Call{Verb: "create", Subresources: subresources}
	if err := validate.Object(obj); err != nil {
		return nil, r.fail(c, err)
	}
	// A subresource is created under an existing object, named by obj.
	named := len(subresources) > 0
	if named {
		c.Name = obj.GetName()
	}
	if err := r.check(c, named); err != nil {
		return nil, err
	}
	body, err := r.encode(c, obj.Object)
	if err != nil {
		return nil, err
	}
	return r.object(ctx, c, r.request(c, http.MethodPost).Params(&opts).Body(body))
}

func (r *resourceClient) Update(ctx context.Context, obj *unstructured.Unstructured, opts metav1.UpdateOptions, subresources ...string) (*unstructured.Unstructured, error) {
	c := call.Call{Verb: "update", Subresources: subresources}
	if err := validate.Object(obj); err != nil {
		return nil, r.fail(c, err)
	}
	c.Name = obj.GetName()
	if err := r.check(c, true); err != nil {
		return nil, err
	}
	body, err := r.encode(c, obj.Object)
	if err != nil {
		return nil, err
	}
	return r.object(ctx, c, r.request(c, http.MethodPut).Params(&opts).Body(body))
}

func (r *resourceClient) UpdateStatus(ctx context.Context, obj *unstructured.Unstructured, opts metav1.UpdateOptions) (*unstructured.Unstructured, error) {
	return r.Update(ctx, obj, opts, "status")
}

// deleteOptionsBody encodes DeleteOptions with their kind, as the server
// reads a body it may have to tell apart from other kinds.
func (r *resourceClient) deleteOptionsBody(c call.Call, opts metav1.DeleteOptions) ([]byte, error) {
	opts.TypeMeta = metav1.TypeMeta{APIVersion: "meta.k8s.io/v1", Kind: "DeleteOptions"}
	return r.encode(c, &opts)
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

func (r *resourceClient) Get(ctx context.Context, name string, opts metav1.GetOptions, subresources ...string) (*unstructured.Unstructured, error) {
	c := call.Call{Verb: "get", Name: name, Subresources: subresources}
	if err := r.check(c, true); err != nil {
		return nil, err
	}
	return r.object(ctx, c, r.request(c, http.MethodGet).Params(&opts))
}

func (r *resourceClient) List(ctx context.Context, opts metav1.ListOptions) (*unstructured.UnstructuredList, error) {
	c := call.Call{Verb: "list"}
	if err := r.check(c, false); err != nil {
		return nil, err
	}
	opts.Watch = false
	var list *unstructured.UnstructuredList
	err := r.do(ctx, c, r.request(c, http.MethodGet).Params(&opts), func(body []byte) (err error) {
		list, err = codec.DecodeList(body)
		return err
	})
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
	body, _, err := r.request(c, http.MethodGet).Params(&opts).LongRunning().Stream(ctx)
	if err != nil {
		var se *apierrors.StatusError
		if errors.As(err, &se) {
			return nil, se
		}
		return nil, r.fail(c, err)
	}
	return rest.NewStreamWatcher(ctx, body, func(err error) error { return r.fail(c, err) }), nil
}

func (r *resourceClient) Patch(ctx context.Context, name string, pt types.PatchType, data []byte, opts metav1.PatchOptions, subresources ...string) (*unstructured.Unstructured, error) {
	c := call.Call{Verb: "patch", Name: name, Subresources: subresources}
	if err := r.check(c, true); err != nil {
		return nil, err
	}
	if pt == "" {
		return nil, r.fail(c, fmt.Errorf("%w: patch type is empty", ErrInvalidRequest))
	}
	return r.object(ctx, c, r.request(c, http.MethodPatch).SetHeader("Content-Type", string(pt)).Params(&opts).Body(data))
}
