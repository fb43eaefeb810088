package scale

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/internal/rest"
	"github.com/anykube/anykube/scale/internal/validate"
)

// client is the ScalesGetter NewForConfig returns. It is immutable after
// construction, so it needs no lock; safety for concurrent use comes from
// the REST client, the mapper and the kind resolver.
type client struct {
	rest     *rest.Client
	mapper   PreferredResourceMapper
	paths    APIPathResolverFunc
	resolver ScaleKindResolver
}

var _ ScalesGetter = (*client)(nil)

// NewForConfig returns a ScalesGetter for the server cfg describes, with
// cfg's TLS settings, credentials, rate limits and timeout. mapper chooses
// the version of the resources named in Get and Update, pathResolver the
// API root of each group (nil means the standard /api and /apis, as does
// LegacyAPIPathResolverFunc), and kindResolver the flavour of Scale that
// Update sends (NewDiscoveryScaleKindResolver gives one).
//
// cfg is only read, never changed (client-go's NewForConfig changes the
// Config it is given); clients built from the same *Config share its rate
// limiter. NewForConfig fails when cfg, mapper or kindResolver is nil, when
// anykube.HTTPClientFor(cfg) fails, or when cfg.Host is not a usable address.
func NewForConfig(cfg *anykube.Config, mapper PreferredResourceMapper, pathResolver APIPathResolverFunc, kindResolver ScaleKindResolver) (ScalesGetter, error) {
	if cfg == nil {
		return nil, errors.New("scale: nil *anykube.Config")
	}
	hc, err := anykube.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("scale: %w", err)
	}
	return NewForConfigAndClient(cfg, hc, mapper, pathResolver, kindResolver)
}

// NewForConfigAndClient is NewForConfig sending its requests through
// httpClient, which takes precedence over cfg's transport settings (TLS and
// credentials must already be in it); cfg still gives the address, rate
// limits, timeout and warning handler. It fails when cfg, httpClient, mapper
// or kindResolver is nil or cfg.Host is not a usable address.
func NewForConfigAndClient(cfg *anykube.Config, httpClient *http.Client, mapper PreferredResourceMapper, pathResolver APIPathResolverFunc, kindResolver ScaleKindResolver) (ScalesGetter, error) {
	if mapper == nil {
		return nil, errors.New("scale: nil PreferredResourceMapper")
	}
	if kindResolver == nil {
		return nil, errors.New("scale: nil ScaleKindResolver")
	}
	arc, err := anykube.RESTClientForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("scale: %w", err)
	}
	// The public client is the request layer under another name.
	rc := (*rest.Client)(arc)
	return &client{rest: rc, mapper: mapper, paths: pathResolver, resolver: kindResolver}, nil
}

// Scales returns the client for namespace; see ScalesGetter.
func (c *client) Scales(namespace string) ScaleInterface {
	return &namespacedClient{c: c, namespace: namespace}
}

// namespacedClient is client's ScaleInterface for one namespace.
type namespacedClient struct {
	c         *client
	namespace string
}

var _ ScaleInterface = (*namespacedClient)(nil)

// call names one method call in errors.
type call struct {
	verb     string
	resource schema.GroupVersionResource
	name     string
}

// fail wraps a failure that is not the server's answer.
func (n *namespacedClient) fail(c call, err error) error {
	return &Error{Verb: c.verb, Resource: c.resource, Namespace: n.namespace, Name: c.name, Err: err}
}

// check validates what c puts in the request path.
func (n *namespacedClient) check(c call) error {
	if err := validate.Target(n.namespace, c.resource.Resource, c.name); err != nil {
		return n.fail(c, err)
	}
	return nil
}

// mapResource fills in c.resource's version with the mapper's choice. Its
// errors wrap the mapper's, so meta.IsNoMatchError sees through them.
func (n *namespacedClient) mapResource(c *call) error {
	gvr, err := n.c.mapper.ResourceFor(schema.GroupVersionResource{Group: c.resource.Group, Resource: c.resource.Resource})
	if err != nil {
		return n.fail(*c, fmt.Errorf("choosing a version: %w", err))
	}
	if gvr.Version == "" || gvr.Resource == "" {
		return n.fail(*c, fmt.Errorf("choosing a version: the mapper answered with %q", resourceString(gvr)))
	}
	c.resource = gvr
	return nil
}

// request starts the request for c's scale subresource.
func (n *namespacedClient) request(c call, req *rest.Request) *rest.Request {
	gv := c.resource.GroupVersion()
	if root := n.apiRoot(gv); root != "" {
		if gv.Group == "" {
			req = req.AbsPath(root, gv.Version)
		} else {
			req = req.AbsPath(root, gv.Group, gv.Version)
		}
	} else {
		req = req.GroupVersion(gv)
	}
	return req.Namespace(n.namespace).Resource(c.resource.Resource).Name(c.name).SubResource("scale")
}

// apiRoot returns the path resolver's root for gv, or "" when the standard
// one applies.
func (n *namespacedClient) apiRoot(gv schema.GroupVersion) string {
	if n.c.paths == nil {
		return ""
	}
	root := n.c.paths(gv.WithKind(""))
	if root == LegacyAPIPathResolverFunc(gv.WithKind("")) {
		return ""
	}
	return root
}

// checkGroupVersion validates the group and version the request path
// carries, which AbsPath would not.
func (n *namespacedClient) checkGroupVersion(c call) error {
	if c.resource.Group != "" {
		if err := validate.Segment("group", c.resource.Group); err != nil {
			return n.fail(c, err)
		}
	}
	if err := validate.Segment("version", c.resource.Version); err != nil {
		return n.fail(c, err)
	}
	return nil
}

// do sends req and decodes the Scale it answers with. The server's errors
// are returned as they are, except that a 404 for a resource without a
// scale subresource becomes a *NoScaleSubresourceError wrapping it.
func (n *namespacedClient) do(ctx context.Context, c call, req *rest.Request) (*Scale, error) {
	if err := n.checkGroupVersion(c); err != nil {
		return nil, err
	}
	// The body is read into a buffer the REST layer reuses; decodeScale
	// keeps no reference to it (the JSON decoder copies what it keeps).
	var s *Scale
	var decodeErr error
	err := req.DoDecode(ctx, func(body []byte, _ string) error {
		s, decodeErr = decodeScale(body)
		return decodeErr
	})
	if decodeErr != nil {
		return nil, n.fail(c, decodeErr)
	}
	if err != nil {
		var se *apierrors.StatusError
		if !errors.As(err, &se) {
			return nil, n.fail(c, err)
		}
		if apierrors.IsNotFound(se) {
			if nse := n.explainNotFound(c, se); nse != nil {
				return nil, n.fail(c, nse)
			}
		}
		return nil, se
	}
	return s, nil
}

// explainNotFound tells a 404 for a missing object from one for a missing
// scale subresource, which the server reports with the same generic status:
// it asks the kind resolver, and returns a *NoScaleSubresourceError when the
// resolver is sure there is no scale subresource.
func (n *namespacedClient) explainNotFound(c call, se *apierrors.StatusError) error {
	_, err := n.c.resolver.ScaleForResource(c.resource)
	var nse *NoScaleSubresourceError
	if !errors.As(err, &nse) {
		return nil
	}
	return &NoScaleSubresourceError{Resource: c.resource, Err: se}
}

// Get returns the scale of an object; see ScaleInterface.
func (n *namespacedClient) Get(ctx context.Context, resource schema.GroupResource, name string, opts metav1.GetOptions) (*Scale, error) {
	c := call{verb: "get", resource: resource.WithVersion(""), name: name}
	if err := n.check(c); err != nil {
		return nil, err
	}
	if err := n.mapResource(&c); err != nil {
		return nil, err
	}
	return n.do(ctx, c, n.request(c, n.c.rest.Get()).Params(&opts))
}

// Update replaces the scale of an object; see ScaleInterface.
func (n *namespacedClient) Update(ctx context.Context, resource schema.GroupResource, scale *Scale, opts metav1.UpdateOptions) (*Scale, error) {
	c := call{verb: "update", resource: resource.WithVersion("")}
	if scale == nil {
		return nil, n.fail(c, validate.Invalid("nil *Scale"))
	}
	c.name = scale.Name
	if err := n.check(c); err != nil {
		return nil, err
	}
	if err := n.mapResource(&c); err != nil {
		return nil, err
	}
	gvk, err := n.c.resolver.ScaleForResource(c.resource)
	if err != nil {
		return nil, n.fail(c, err)
	}
	body, err := encodeScale(scale, gvk)
	if err != nil {
		return nil, n.fail(c, err)
	}
	return n.do(ctx, c, n.request(c, n.c.rest.Put()).Params(&opts).Body(body))
}

// Patch patches the scale of an object; see ScaleInterface.
func (n *namespacedClient) Patch(ctx context.Context, resource schema.GroupVersionResource, name string, pt types.PatchType, data []byte, opts metav1.PatchOptions) (*Scale, error) {
	c := call{verb: "patch", resource: resource, name: name}
	if err := n.check(c); err != nil {
		return nil, err
	}
	if err := validate.PatchType(pt); err != nil {
		return nil, n.fail(c, err)
	}
	if c.resource.Version == "" {
		if err := n.mapResource(&c); err != nil {
			return nil, err
		}
	}
	return n.do(ctx, c, n.request(c, n.c.rest.Patch(pt)).Params(&opts).Body(data))
}
