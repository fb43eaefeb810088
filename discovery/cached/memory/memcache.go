// Package memory keeps discovery answers in memory: the first call fills
// the cache from the delegate, later calls answer from memory until
// Invalidate. Failures that may pass (5xx, 429, timeouts, connection
// resets, versions marked Stale) are never kept as answers: the
// group-versions that failed that way are asked again on the next call,
// and a fill that failed, or that found no group at all, is not kept. The
// OpenAPI v3 index and documents are kept too; the server version and the
// OpenAPI v2 document are not.
package memory

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
)

// MemCacheClient is a discovery.CachedDiscoveryInterface that answers from
// memory. It is safe for concurrent use: readers get an immutable snapshot
// and never wait on the network once the cache is filled; concurrent calls
// on an empty cache share one fill. No lock is held during requests.
//
// Results are shared between callers: treat them as read-only.
type MemCacheClient struct {
	*state
	// ctx is the context bound by WithContext; nil means Background.
	ctx context.Context
}

// state is what all views of one cache share.
type state struct {
	delegate discovery.DiscoveryInterface

	// mu guards snap, prev, filling, gen and openAPIV3.
	mu sync.Mutex
	// snap is the current answer; nil until filled and after Invalidate.
	snap *snapshot
	// prev is the snapshot Invalidate dropped, kept for its entity tags:
	// the next fill asks the server whether it is still current.
	prev *snapshot
	// filling is the fill in progress, shared by concurrent callers.
	filling *fill
	// gen counts invalidations, so that a fill that raced with one does not
	// install an answer that may predate it.
	gen uint64
	// openAPIV3 is the OpenAPI v3 cache, nil until first used and after
	// Invalidate.
	openAPIV3 *openAPIV3Cache
}

// snapshot is one immutable answer.
type snapshot struct {
	groups  *metav1.APIGroupList
	entries map[schema.GroupVersion]entry
	etags   discovery.ETags
	// fresh is false when the delegate answered from an older cache.
	fresh bool
	// expires is when the delegate's answer stops being good, zero for
	// never (see Expiring).
	expires time.Time
}

// entry is one group-version's answer: a list, an error, or both when the
// delegate returned a list (its last known one, say) with an error.
type entry struct {
	list *metav1.APIResourceList
	err  error
}

// fill is a fill in progress; done is closed when snap and err are set.
type fill struct {
	done chan struct{}
	snap *snapshot
	err  error
}

var (
	_ discovery.CachedDiscoveryInterface     = (*MemCacheClient)(nil)
	_ discovery.AggregatedDiscoveryInterface = (*MemCacheClient)(nil)
)

// NewMemCacheClient returns a cache in front of delegate. Nothing is
// fetched until the first call.
func NewMemCacheClient(delegate discovery.DiscoveryInterface) *MemCacheClient {
	return &MemCacheClient{state: &state{delegate: delegate}}
}

func (c *MemCacheClient) context() context.Context {
	if c.ctx == nil {
		return context.Background()
	}
	return c.ctx
}

// WithContext returns a view of the same cache whose fills run under ctx.
func (c *MemCacheClient) WithContext(ctx context.Context) discovery.DiscoveryInterface {
	return &MemCacheClient{state: c.state, ctx: ctx}
}

// RESTClient returns the delegate's REST client; requests sent through it
// bypass the cache.
func (c *MemCacheClient) RESTClient() *anykube.RESTClient { return c.delegate.RESTClient() }

// WithLegacy returns c: the cache has no legacy-only mode.
func (c *MemCacheClient) WithLegacy() discovery.DiscoveryInterface { return c }

// Fresh reports whether the cache is filled with answers the delegate got
// from the server (not from an older cache of its own) since the last
// Invalidate.
func (c *MemCacheClient) Fresh() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snap != nil && c.snap.fresh
}

// Invalidate drops the cached answers (OpenAPI v3 documents included), and
// the delegate's when it is a cache too; the next call asks again. When the server sent entity tags,
// that costs two small conditional requests if nothing changed.
func (c *MemCacheClient) Invalidate() {
	c.mu.Lock()
	if c.snap != nil {
		c.prev = c.snap
	}
	c.snap = nil
	c.gen++
	c.openAPIV3 = nil
	c.mu.Unlock()
	if cd, ok := c.delegate.(discovery.CachedDiscoveryInterface); ok {
		cd.Invalidate()
	}
}

// ServerGroups returns the cached group list, filling the cache first if
// needed. It returns the fill's error when the cache is empty and the fill
// fails.
func (c *MemCacheClient) ServerGroups() (*metav1.APIGroupList, error) {
	snap, _, err := c.filled(c.context())
	if err != nil {
		return nil, err
	}
	return snap.groups, nil
}

// ServerResourcesForGroupVersion returns the cached list of groupVersion.
// A cached transient failure is retried now; a group-version the server
// does not list gives a NotFound StatusError.
func (c *MemCacheClient) ServerResourcesForGroupVersion(groupVersion string) (*metav1.APIResourceList, error) {
	ctx := c.context()
	gv, err := schema.ParseGroupVersion(groupVersion)
	if err != nil {
		return nil, err
	}
	snap, loaded, err := c.filled(ctx)
	if err != nil {
		return nil, err
	}
	e, ok := snap.entries[gv]
	if !ok {
		return nil, apierrors.NewNotFound(schema.GroupResource{Group: gv.Group, Resource: "groupversions"}, groupVersion)
	}
	if e.err != nil && !loaded && IsTransient(e.err) {
		snap = c.retry(ctx, snap, []schema.GroupVersion{gv})
		e = snap.entries[gv]
	}
	return e.list, e.err
}

// GroupsAndMaybeResources returns the cached groups, the lists of every
// group-version that answered and the failures of the others, after asking
// again for those that failed transiently. A list the delegate returned
// with an error is in both. resources is never nil when err
// is nil: the cache always holds every group-version's answer.
func (c *MemCacheClient) GroupsAndMaybeResources() (*metav1.APIGroupList, map[schema.GroupVersion]*metav1.APIResourceList, map[schema.GroupVersion]error, error) {
	snap, err := c.current(c.context())
	if err != nil {
		return nil, nil, nil, err
	}
	resources := make(map[schema.GroupVersion]*metav1.APIResourceList, len(snap.entries))
	failed := make(map[schema.GroupVersion]error)
	for gv, e := range snap.entries {
		if e.err != nil {
			failed[gv] = e.err
		}
		if e.list != nil {
			resources[gv] = e.list
		}
	}
	return snap.groups, resources, failed, nil
}

// ServerGroupsAndResources returns every group and list from the cache;
// failed group-versions are reported in an *discovery.ErrGroupDiscoveryFailed.
func (c *MemCacheClient) ServerGroupsAndResources() ([]*metav1.APIGroup, []*metav1.APIResourceList, error) {
	return discovery.ServerGroupsAndResources(c.context(), c)
}

// ServerPreferredResources returns each resource in its group's preferred
// version, from the cache.
func (c *MemCacheClient) ServerPreferredResources() ([]*metav1.APIResourceList, error) {
	return discovery.ServerPreferredResources(c.context(), c)
}

// ServerPreferredNamespacedResources is ServerPreferredResources keeping
// only namespaced resources.
func (c *MemCacheClient) ServerPreferredNamespacedResources() ([]*metav1.APIResourceList, error) {
	return discovery.ServerPreferredNamespacedResources(c.context(), c)
}

// ServerVersion asks the delegate; it is not cached.
func (c *MemCacheClient) ServerVersion() (*version.Info, error) {
	return c.delegate.WithContext(c.context()).ServerVersion()
}

// OpenAPISchema asks the delegate; it is not cached.
func (c *MemCacheClient) OpenAPISchema() (*openapi_v2.Document, error) {
	return c.delegate.WithContext(c.context()).OpenAPISchema()
}

// OpenAPIV3 returns a client that keeps the index and the documents' bytes
// (per content type) until Invalidate; see openapi.go. Its calls wait for
// fetches under c's context.
func (c *MemCacheClient) OpenAPIV3() discovery.OpenAPIV3Client {
	c.mu.Lock()
	if c.openAPIV3 == nil {
		c.openAPIV3 = &openAPIV3Cache{}
	}
	cache := c.openAPIV3
	c.mu.Unlock()
	return openAPIV3View{cache: cache, delegate: c.delegate, ctx: c.context()}
}

// current returns a filled snapshot in which transient failures have been
// asked again: a version the server marked Stale by asking for the whole
// view again (the server decides when it is current, and with entity tags
// an unchanged view costs two small requests), other failures by asking for
// the group-version again.
func (c *MemCacheClient) current(ctx context.Context) (*snapshot, error) {
	snap, loaded, err := c.filled(ctx)
	if err != nil || loaded {
		// What this call just loaded is as current as it gets.
		return snap, err
	}
	if hasStale(snap) {
		c.expire(snap)
		if snap, loaded, err = c.filled(ctx); err != nil || loaded {
			return snap, err
		}
	}
	var retry []schema.GroupVersion
	for gv, e := range snap.entries {
		var stale discovery.StaleGroupVersionError
		if e.err != nil && IsTransient(e.err) && !errors.As(e.err, &stale) {
			retry = append(retry, gv)
		}
	}
	if len(retry) > 0 {
		snap = c.retry(ctx, snap, retry)
	}
	return snap, nil
}

// filled returns the snapshot, filling the cache when it is empty; loaded
// reports that the snapshot was loaded during this call. An answer that
// lists no group at all (a server starting up, a broken proxy; every API
// server serves at least the core group) is returned but not kept, so
// the next call asks again instead of trusting it until Invalidate. Callers that find
// a fill in progress wait for it, or for ctx. A fill that failed because
// its caller's context ended says nothing about the server: a waiter whose
// own context is live fills again instead of taking that error.
func (c *MemCacheClient) filled(ctx context.Context) (snap *snapshot, loaded bool, err error) {
	for {
		c.mu.Lock()
		if c.snap != nil && c.snap.expired(time.Now()) {
			// Kept for its entity tags, as by Invalidate.
			c.prev, c.snap = c.snap, nil
			c.gen++
		}
		if c.snap != nil {
			snap := c.snap
			c.mu.Unlock()
			return snap, false, nil
		}
		if f := c.filling; f != nil {
			c.mu.Unlock()
			select {
			case <-f.done:
				if f.err != nil && ctx.Err() == nil && isContextError(f.err) {
					continue
				}
				if f.err != nil {
					return nil, false, f.err
				}
				return f.snap, true, nil
			case <-ctx.Done():
				return nil, false, ctx.Err()
			}
		}
		f := &fill{done: make(chan struct{})}
		c.filling = f
		gen, prev := c.gen, c.prev
		c.mu.Unlock()

		f.snap, f.err = c.load(ctx, prev)

		c.mu.Lock()
		c.filling = nil
		if f.err == nil && c.gen == gen && f.snap.groups != nil && len(f.snap.groups.Groups) > 0 {
			c.snap, c.prev = f.snap, nil
		}
		c.mu.Unlock()
		close(f.done)
		if f.err != nil {
			return nil, false, f.err
		}
		return f.snap, true, nil
	}
}

// load asks the delegate for everything. With prev, a delegate that can
// revalidate is asked whether prev is still current first.
func (c *MemCacheClient) load(ctx context.Context, prev *snapshot) (*snapshot, error) {
	view := c.delegate.WithContext(ctx)
	snap := &snapshot{}
	var (
		resources map[schema.GroupVersion]*metav1.APIResourceList
		failed    map[schema.GroupVersion]error
	)
	switch d := view.(type) {
	case discovery.Revalidator:
		var etags discovery.ETags
		if prev != nil {
			etags = prev.etags
		}
		got, notModified, err := d.FetchSnapshot(etags)
		if err != nil {
			return nil, err
		}
		if notModified {
			if prev == nil {
				return nil, errors.New("discovery cache: the server answered Not Modified to an unconditional request")
			}
			kept := *prev
			kept.fresh = delegateFresh(c.delegate)
			kept.expires = delegateExpires(c.delegate)
			return &kept, nil
		}
		snap.groups, resources, failed, snap.etags = got.Groups, got.Resources, got.Failed, got.ETags
	case discovery.AggregatedDiscoveryInterface:
		var err error
		snap.groups, resources, failed, err = d.GroupsAndMaybeResources()
		if err != nil {
			return nil, err
		}
	default:
		var err error
		if snap.groups, err = d.ServerGroups(); err != nil {
			return nil, err
		}
	}
	if resources == nil {
		var fetchFailed map[schema.GroupVersion]error
		resources, fetchFailed = discovery.FetchResources(ctx, view, groupVersions(snap.groups))
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for gv, err := range failed {
			fetchFailed[gv] = err
		}
		failed = fetchFailed
	}
	snap.entries = make(map[schema.GroupVersion]entry, len(resources)+len(failed))
	setEntries(snap.entries, resources, failed)
	snap.fresh = delegateFresh(c.delegate)
	snap.expires = delegateExpires(c.delegate)
	return snap, nil
}

// setEntries records lists and failures in entries; a group-version in both
// keeps the list with its error.
func setEntries(entries map[schema.GroupVersion]entry, lists map[schema.GroupVersion]*metav1.APIResourceList, failed map[schema.GroupVersion]error) {
	for gv, list := range lists {
		entries[gv] = entry{list: list, err: failed[gv]}
	}
	for gv, err := range failed {
		if _, ok := lists[gv]; !ok {
			entries[gv] = entry{err: err}
		}
	}
}

// retry asks again for gvs and installs a copy of snap with the new
// answers, unless the cache changed meanwhile. It returns the snapshot the
// caller should answer from.
func (c *MemCacheClient) retry(ctx context.Context, snap *snapshot, gvs []schema.GroupVersion) *snapshot {
	lists, failed := discovery.FetchResources(ctx, c.delegate, gvs)
	next := *snap
	next.entries = make(map[schema.GroupVersion]entry, len(snap.entries))
	for gv, e := range snap.entries {
		next.entries[gv] = e
	}
	setEntries(next.entries, lists, failed)
	c.mu.Lock()
	if c.snap == snap {
		c.snap = &next
	}
	c.mu.Unlock()
	return &next
}

func hasStale(snap *snapshot) bool {
	for _, e := range snap.entries {
		var stale discovery.StaleGroupVersionError
		if e.err != nil && errors.As(e.err, &stale) {
			return true
		}
	}
	return false
}

// expire drops snap, if it is still current, keeping it for revalidation.
func (c *MemCacheClient) expire(snap *snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap == snap {
		c.prev, c.snap = snap, nil
		c.gen++
	}
}

// delegateExpires returns when d's last answer expires, zero for never.
func delegateExpires(d discovery.DiscoveryInterface) time.Time {
	if e, ok := d.(Expiring); ok {
		return e.Expires()
	}
	return time.Time{}
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func delegateFresh(d discovery.DiscoveryInterface) bool {
	if cd, ok := d.(discovery.CachedDiscoveryInterface); ok {
		return cd.Fresh()
	}
	return true
}

func groupVersions(groups *metav1.APIGroupList) []schema.GroupVersion {
	var out []schema.GroupVersion
	for _, g := range groups.Groups {
		for _, v := range g.Versions {
			out = append(out, schema.GroupVersion{Group: g.Name, Version: v.Version})
		}
	}
	return out
}

// IsTransient reports whether err may pass if the request is made again:
// a server error (5xx), 429 Too Many Requests, a timeout or cancellation, a
// refused or reset connection, a truncated response, or a version the
// server marked Stale. Such errors are never kept as cached answers.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	var stale discovery.StaleGroupVersionError
	if errors.As(err, &stale) {
		return true
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		code := status.Status().Code
		return code >= 500 || code == 429
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
