package discovery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	"google.golang.org/protobuf/proto"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"
	"sigs.k8s.io/json"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/internal/rest"
)

// This file orchestrates: it sends the requests (through internal/rest, the
// one request path) and hands the bodies to the parsers in aggregated.go
// and legacy.go.

// Request bounds for discovery.
const (
	// DefaultTimeout bounds the /api, /apis, /version and OpenAPI requests,
	// retries included, when the Config sets no Timeout; the same bound
	// client-go uses for discovery.
	DefaultTimeout = 32 * time.Second
	// DefaultGroupVersionTimeout bounds each per-group-version request of
	// legacy discovery, retries included, so that one unresponsive
	// aggregated API costs at most this long while the others are fetched
	// in parallel.
	DefaultGroupVersionTimeout = 10 * time.Second

	// rootRetries and groupVersionRetries are how often the request layer
	// sends a request again after a failure it retries (429, 503, reset).
	// One broken group-version answers 503 for as long as its backend is
	// down: a single retry covers a blip without making the whole call
	// wait. On top of these, discovery sends a request once more after a
	// 500 or 502 (see fetch).
	rootRetries         = 3
	groupVersionRetries = 1
)

// openAPIV2Accept asks for the protobuf encoding of /openapi/v2, several
// times smaller and faster to decode than its JSON.
const openAPIV2Accept = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"

// DiscoveryClient asks an API server what it serves. It uses aggregated
// discovery (GET /api and /apis, two requests in parallel, for everything)
// and falls back to the legacy documents on servers without it, fetching
// each group-version in parallel.
//
// Build one with NewDiscoveryClientForConfig or
// NewDiscoveryClientForConfigAndClient; a zero DiscoveryClient has no server
// and fails every call. It is safe for concurrent use once its fields are
// set.
// Its requests bypass the client-side rate limiter; Parallelism bounds the
// fan-out instead.
type DiscoveryClient struct {
	rest *rest.Client
	// rootTimeout bounds requests other than the per-group-version ones.
	rootTimeout time.Duration
	// configTimeout is the Config's Timeout, zero for none: the bound of
	// per-group-version requests when GroupVersionTimeout is negative.
	configTimeout time.Duration
	// ctx is the context bound by WithContext; nil means Background.
	ctx context.Context

	// UseLegacyDiscovery makes the client ask only for the legacy
	// documents, as servers before aggregated discovery serve them.
	UseLegacyDiscovery bool
	// Parallelism bounds how many group-versions are fetched at once on
	// legacy servers. Zero means DefaultParallelism.
	Parallelism int
	// GroupVersionTimeout bounds each per-group-version request, retries
	// included. Zero means DefaultGroupVersionTimeout; negative means the
	// Config's Timeout alone.
	GroupVersionTimeout time.Duration
}

var (
	_ AggregatedDiscoveryInterface = (*DiscoveryClient)(nil)
	_ Revalidator                  = (*DiscoveryClient)(nil)
	_ RootRevalidator              = (*DiscoveryClient)(nil)
)

// NewDiscoveryClientForConfig returns a client for the server cfg names,
// with an HTTP client built by anykube.HTTPClientFor. It returns an error
// when cfg is nil or its host, TLS or credential settings are invalid.
func NewDiscoveryClientForConfig(cfg *anykube.Config) (*DiscoveryClient, error) {
	if cfg == nil {
		return nil, fmt.Errorf("discovery: nil Config")
	}
	hc, err := anykube.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	return NewDiscoveryClientForConfigAndClient(cfg, hc)
}

// NewDiscoveryClientForConfigAndClient returns a client for the server cfg
// names that sends through httpClient, which must already carry cfg's TLS
// and credentials (share one between clients to share connections). It
// returns an error when cfg or httpClient is nil or cfg.Host is invalid.
func NewDiscoveryClientForConfigAndClient(cfg *anykube.Config, httpClient *http.Client) (*DiscoveryClient, error) {
	if cfg == nil {
		return nil, fmt.Errorf("discovery: nil Config")
	}
	arc, err := anykube.RESTClientForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	// The public client is the request layer under another name.
	rc := (*rest.Client)(arc)
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	return &DiscoveryClient{rest: rc, rootTimeout: timeout, configTimeout: cfg.Timeout}, nil
}

// WithContext returns a copy of d whose requests run under ctx.
func (d *DiscoveryClient) WithContext(ctx context.Context) DiscoveryInterface {
	c := *d
	c.ctx = ctx
	return &c
}

// RESTClient returns the REST client d sends through: the same server,
// credentials, rate limiter and retries, for raw requests.
func (d *DiscoveryClient) RESTClient() *anykube.RESTClient {
	return (*anykube.RESTClient)(d.rest)
}

// WithLegacy returns a copy of d that asks only for the legacy documents.
func (d *DiscoveryClient) WithLegacy() DiscoveryInterface {
	c := *d
	c.UseLegacyDiscovery = true
	return &c
}

func (d *DiscoveryClient) context() context.Context {
	if d.ctx == nil {
		return context.Background()
	}
	return d.ctx
}

// ServerGroups returns the groups the server serves, the core group first.
// With aggregated discovery this fetches the resources too (the same two
// requests); use GroupsAndMaybeResources to keep them.
func (d *DiscoveryClient) ServerGroups() (*metav1.APIGroupList, error) {
	snap, _, err := d.fetchSnapshot(d.context(), ETags{})
	if err != nil {
		return nil, err
	}
	return snap.Groups, nil
}

// GroupsAndMaybeResources implements AggregatedDiscoveryInterface: two
// requests, /api and /apis, sent in parallel. A server that answers /api
// with 404 (an aggregated API server on its own) is taken to have no core
// group. It returns an error when either request or decoding fails.
func (d *DiscoveryClient) GroupsAndMaybeResources() (*metav1.APIGroupList, map[schema.GroupVersion]*metav1.APIResourceList, map[schema.GroupVersion]error, error) {
	snap, _, err := d.fetchSnapshot(d.context(), ETags{})
	if err != nil {
		return nil, nil, nil, err
	}
	return snap.Groups, snap.Resources, snap.Failed, nil
}

// FetchSnapshot implements Revalidator.
func (d *DiscoveryClient) FetchSnapshot(prev ETags) (*Snapshot, bool, error) {
	return d.fetchSnapshot(d.context(), prev)
}

// FetchRoot implements RootRevalidator.
func (d *DiscoveryClient) FetchRoot(core bool, prev string) (*Snapshot, bool, error) {
	accept := acceptDiscovery
	if d.UseLegacyDiscovery {
		accept = AcceptV1
		prev = ""
	}
	path := "/apis"
	if core {
		path = "/api"
	}
	res, err := d.getRoot(d.context(), path, accept, prev)
	if core && apierrors.IsNotFound(err) {
		return &Snapshot{Groups: &metav1.APIGroupList{}, Resources: map[schema.GroupVersion]*metav1.APIResourceList{}, Failed: map[schema.GroupVersion]error{}}, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("discovery: %w", err)
	}
	if res.notModified {
		return nil, true, nil
	}
	return parseRoot1(path, &res)
}

// ServerResourcesForGroupVersion returns the resources of groupVersion
// ("v1", "apps/v1") from its legacy document, one request. A 404 for the
// core "v1" gives an empty list, as an aggregated API server alone has no
// core group; other failures are returned wrapped, naming the group-version,
// so apierrors.IsNotFound and friends still work.
func (d *DiscoveryClient) ServerResourcesForGroupVersion(groupVersion string) (*metav1.APIResourceList, error) {
	gv, err := schema.ParseGroupVersion(groupVersion)
	if err != nil || gv.Version == "" {
		return nil, fmt.Errorf("discovery: invalid group-version %q", groupVersion)
	}
	list, err := d.fetchGroupVersion(d.context(), gv)
	if err != nil {
		return nil, fmt.Errorf("discovery: resources of %s: %w", gv, err)
	}
	return list, nil
}

// ServerGroupsAndResources returns every group and every group-version's
// resources: two requests with aggregated discovery, 2+N otherwise.
// Group-versions that fail, or that the server marked Stale, are reported in
// an *ErrGroupDiscoveryFailed returned with everything else.
func (d *DiscoveryClient) ServerGroupsAndResources() ([]*metav1.APIGroup, []*metav1.APIResourceList, error) {
	got, err := d.collect()
	if err != nil {
		return nil, nil, err
	}
	g, r := flatten(got.groups, got.byGV)
	return g, r, got.err()
}

// ServerPreferredResources returns each resource in its group's preferred
// version; see the interface. Failures are reported as by
// ServerGroupsAndResources.
func (d *DiscoveryClient) ServerPreferredResources() ([]*metav1.APIResourceList, error) {
	got, err := d.collect()
	if err != nil {
		return nil, err
	}
	return preferredResources(got.groups.Groups, got.byGV), got.err()
}

// ServerPreferredNamespacedResources is ServerPreferredResources keeping
// only namespaced resources.
func (d *DiscoveryClient) ServerPreferredNamespacedResources() ([]*metav1.APIResourceList, error) {
	all, err := d.ServerPreferredResources()
	return FilteredBy(ResourcePredicateFunc(isNamespaced), all), err
}

func (d *DiscoveryClient) collect() (*gathered, error) {
	return collect(d.context(), d, d.Parallelism, d.fetchGroupVersion)
}

// ServerVersion returns what /version says, or the request or decoding
// error.
func (d *DiscoveryClient) ServerVersion() (*version.Info, error) {
	res, err := d.get(d.context(), "/version", nil, AcceptV1, "", d.rootLimits())
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	var info version.Info
	if err := json.UnmarshalCaseSensitivePreserveInts(res.body, &info); err != nil {
		return nil, fmt.Errorf("discovery: decoding /version: %w", err)
	}
	return &info, nil
}

// OpenAPISchema returns the /openapi/v2 document, fetched as protobuf, or
// the request or decoding error.
func (d *DiscoveryClient) OpenAPISchema() (*openapi_v2.Document, error) {
	res, err := d.get(d.context(), "/openapi/v2", nil, openAPIV2Accept, "", d.rootLimits())
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	doc := &openapi_v2.Document{}
	if err := proto.Unmarshal(res.body, doc); err != nil {
		return nil, fmt.Errorf("discovery: decoding /openapi/v2 (content type %q): %w", res.contentType, err)
	}
	return doc, nil
}

// OpenAPIV3 returns a client for the OpenAPI v3 documents, bound to d's
// context.
func (d *DiscoveryClient) OpenAPIV3() OpenAPIV3Client {
	return openAPIV3Client{d: d, ctx: d.context()}
}

// fetchSnapshot is the aggregated (or legacy top-level) step: /api and /apis
// in parallel, conditional on prev when it has tags.
func (d *DiscoveryClient) fetchSnapshot(ctx context.Context, prev ETags) (*Snapshot, bool, error) {
	accept := acceptDiscovery
	if d.UseLegacyDiscovery {
		accept = AcceptV1
		prev = ETags{}
	}
	var api, apis response
	var apiErr, apisErr error
	var wg sync.WaitGroup
	wg.Go(func() { api, apiErr = d.getRoot(ctx, "/api", accept, prev.API) })
	apis, apisErr = d.getRoot(ctx, "/apis", accept, prev.APIs)
	wg.Wait()

	// An aggregated API server queried directly has no /api.
	noCore := apierrors.IsNotFound(apiErr)
	if apiErr != nil && !noCore {
		return nil, false, fmt.Errorf("discovery: %w", apiErr)
	}
	if apisErr != nil {
		return nil, false, fmt.Errorf("discovery: %w", apisErr)
	}
	if (api.notModified || noCore && prev.API == "") && apis.notModified {
		return nil, true, nil
	}
	// Only one document changed: the other must be read again in full,
	// since the caller's copy of it is merged with what changed.
	if api.notModified {
		if api, apiErr = d.getRoot(ctx, "/api", accept, ""); apiErr != nil {
			return nil, false, fmt.Errorf("discovery: %w", apiErr)
		}
	}
	if apis.notModified {
		if apis, apisErr = d.getRoot(ctx, "/apis", accept, ""); apisErr != nil {
			return nil, false, fmt.Errorf("discovery: %w", apisErr)
		}
	}
	var core *response
	if !noCore {
		core = &api
	}
	snap, err := parseRoots(core, &apis)
	return snap, false, err
}

// fetchGroupVersion is the legacy per-group-version request. Its errors are
// not wrapped: callers add the group-version.
func (d *DiscoveryClient) fetchGroupVersion(ctx context.Context, gv schema.GroupVersion) (*metav1.APIResourceList, error) {
	limits := requestLimits{timeout: d.GroupVersionTimeout, retries: groupVersionRetries}
	switch {
	case limits.timeout == 0:
		limits.timeout = DefaultGroupVersionTimeout
	case limits.timeout < 0:
		// Named here rather than left to the request layer, so that the
		// retry after a 500 or 502 shares the bound.
		limits.timeout = d.configTimeout
	}
	res, err := d.get(ctx, groupVersionPath(gv), nil, AcceptV1, "", limits)
	if err != nil {
		if gv.Group == "" && gv.Version == "v1" && apierrors.IsNotFound(err) {
			return &metav1.APIResourceList{GroupVersion: gv.String()}, nil
		}
		return nil, err
	}
	return parseResourceList(gv, res.body)
}

// requestLimits bounds one request, its retries included. A zero timeout
// means no bound.
type requestLimits struct {
	timeout time.Duration
	retries int
}

func (d *DiscoveryClient) rootLimits() requestLimits {
	return requestLimits{timeout: d.rootTimeout, retries: rootRetries}
}

// errNoServer is returned by a DiscoveryClient that was not built by a
// constructor.
var errNoServer = errors.New("discovery client has no server: build it with NewDiscoveryClientForConfig")

// response is what discovery keeps of an answer.
type response struct {
	body        []byte
	contentType string
	etag        string
	// notModified is set when the server answered 304 to If-None-Match.
	notModified bool
	// root is set instead of body by getRoot: the decoded /api or /apis.
	root *rootDoc
}

// get sends one GET without client-side rate limiting. ifNoneMatch, when
// set, makes a 304 answer a success with notModified set.
func (d *DiscoveryClient) get(ctx context.Context, path string, query url.Values, accept, ifNoneMatch string, limits requestLimits) (response, error) {
	var keep []byte
	res, err := d.fetch(ctx, path, query, accept, ifNoneMatch, limits, func(body []byte, _ string) error {
		keep = bytes.Clone(body)
		return nil
	})
	res.body = keep
	return res, err
}

// getRoot is get for /api and /apis, whose answer is decoded while it is
// read, so the body (3 MB for 2000 group-versions) is never copied out of
// the request layer's reused buffer.
func (d *DiscoveryClient) getRoot(ctx context.Context, path, accept, ifNoneMatch string) (response, error) {
	root := &rootDoc{}
	res, err := d.fetch(ctx, path, nil, accept, ifNoneMatch, d.rootLimits(), func(body []byte, contentType string) error {
		return root.decode(path, body, contentType)
	})
	if err == nil && !res.notModified {
		res.root = root
	}
	return res, err
}

// fetch sends one GET without client-side rate limiting and hands a 2xx
// body to decode, which must not keep it.
//
// A 500 or 502 is sent once more, within what is left of limits.timeout.
// The request layer retries neither, since in general a server error may
// say the request itself is at fault; but a discovery document is a plain
// read, and an aggregated API server, or the proxy in front of one, answers
// 500 or 502 when a backend blips. Without this retry one such answer
// drops the group from the results, where client-go runs the whole of
// discovery again.
func (d *DiscoveryClient) fetch(ctx context.Context, path string, query url.Values, accept, ifNoneMatch string, limits requestLimits, decode func(body []byte, contentType string) error) (response, error) {
	start := time.Now()
	res, err := d.fetchOnce(ctx, path, query, accept, ifNoneMatch, limits, decode)
	if err == nil || !retriedOnce(err) || ctx.Err() != nil {
		return res, err
	}
	if limits.timeout > 0 {
		limits.timeout -= time.Since(start)
		if limits.timeout <= 0 {
			return res, err
		}
	}
	return d.fetchOnce(ctx, path, query, accept, ifNoneMatch, limits, decode)
}

// retriedOnce reports whether err is a 500 or 502 answer, which fetch
// sends once more.
func retriedOnce(err error) bool {
	var se *apierrors.StatusError
	if !errors.As(err, &se) {
		return false
	}
	code := se.Status().Code
	return code == http.StatusInternalServerError || code == http.StatusBadGateway
}

// fetchOnce is fetch without its own retry.
func (d *DiscoveryClient) fetchOnce(ctx context.Context, path string, query url.Values, accept, ifNoneMatch string, limits requestLimits, decode func(body []byte, contentType string) error) (response, error) {
	if d.rest == nil {
		return response{}, errNoServer
	}
	req := d.rest.Get().AbsPath(path).NoRateLimit().MaxRetries(limits.retries).SetHeader("Accept", accept)
	for k, vs := range query {
		for _, v := range vs {
			req.Param(k, v)
		}
	}
	if ifNoneMatch != "" {
		req.SetHeader("If-None-Match", ifNoneMatch)
	}
	if limits.timeout > 0 {
		req.Timeout(limits.timeout)
	}
	res, err := req.DoDecodeResult(ctx, decode)
	if ifNoneMatch != "" && res.StatusCode() == http.StatusNotModified {
		return response{etag: ifNoneMatch, notModified: true}, nil
	}
	if err != nil {
		// The rest layer names the URL in transport errors but not in a
		// server's Status, which says what failed and not where.
		var se *apierrors.StatusError
		if errors.As(err, &se) {
			err = fmt.Errorf("GET %s: %w", path, err)
		}
		return response{}, err
	}
	return response{contentType: res.ContentType(), etag: res.Header().Get("ETag")}, nil
}
