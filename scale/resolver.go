package scale

import (
	"errors"
	"fmt"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
)

// missTTL is how long a resource found without a scale subresource is
// answered from memory, so a loop calling Update on the wrong resource does
// not refresh discovery on every turn. It is short because the usual cause
// of a miss that later turns into a hit is a CRD being installed.
const missTTL = time.Second

// NewDiscoveryScaleKindResolver returns a ScaleKindResolver that finds
// "<resource>/scale" in client's document for the resource's group-version
// and answers with the group, version and kind listed there (the
// resource's own group-version where the entry leaves them out).
//
// Answers found are kept for the resolver's lifetime. When the entry is
// missing, and client can be invalidated (a discovery.CachedDiscoveryInterface
// such as cached/memory's), the cache is invalidated and asked once more,
// so that a CRD installed after the cache was filled is found. A resource
// still without the entry gives a *NoScaleSubresourceError, remembered for a
// second so that repeated calls do not refresh discovery each time. Other
// discovery failures are returned wrapped and never remembered. Concurrent
// lookups of one resource share one.
//
// The resolver is safe for concurrent use.
func NewDiscoveryScaleKindResolver(client discovery.ServerResourcesInterface) ScaleKindResolver {
	return &discoveryResolver{
		client:   client,
		missTTL:  missTTL,
		now:      time.Now,
		known:    make(map[schema.GroupVersionResource]schema.GroupVersionKind),
		misses:   make(map[schema.GroupVersionResource]miss),
		inflight: make(map[schema.GroupVersionResource]*lookup),
	}
}

// invalidator is the part of discovery.CachedDiscoveryInterface the
// resolver needs; any cache offering it is refreshed on a miss.
type invalidator interface{ Invalidate() }

// discoveryResolver is the ScaleKindResolver NewDiscoveryScaleKindResolver
// returns.
type discoveryResolver struct {
	client  discovery.ServerResourcesInterface
	missTTL time.Duration
	now     func() time.Time

	mu sync.Mutex // guards known, misses and inflight
	// known holds every answer found.
	known map[schema.GroupVersionResource]schema.GroupVersionKind
	// misses holds resources found without a scale subresource, and when.
	misses map[schema.GroupVersionResource]miss
	// inflight holds the lookup running for a resource, shared by the
	// callers that ask while it runs.
	inflight map[schema.GroupVersionResource]*lookup
}

// miss is a remembered *NoScaleSubresourceError.
type miss struct {
	at  time.Time
	err *NoScaleSubresourceError
}

// lookup is one discovery lookup; done is closed when gvk and err are set.
type lookup struct {
	done chan struct{}
	gvk  schema.GroupVersionKind
	err  error
}

// ScaleForResource returns the Scale kind of resource's scale subresource;
// see NewDiscoveryScaleKindResolver.
func (r *discoveryResolver) ScaleForResource(resource schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	if resource.Resource == "" || resource.Version == "" {
		return schema.GroupVersionKind{}, fmt.Errorf("scale: finding the scale subresource of %q: %w",
			resourceString(resource), errIncompleteResource)
	}
	r.mu.Lock()
	if gvk, ok := r.known[resource]; ok {
		r.mu.Unlock()
		return gvk, nil
	}
	if m, ok := r.misses[resource]; ok && r.now().Sub(m.at) < r.missTTL {
		r.mu.Unlock()
		return schema.GroupVersionKind{}, m.err
	}
	if l, ok := r.inflight[resource]; ok {
		r.mu.Unlock()
		<-l.done
		return l.gvk, l.err
	}
	l := &lookup{done: make(chan struct{})}
	r.inflight[resource] = l
	r.mu.Unlock()

	l.gvk, l.err = r.resolve(resource)

	r.mu.Lock()
	delete(r.inflight, resource)
	var nse *NoScaleSubresourceError
	switch {
	case l.err == nil:
		r.known[resource] = l.gvk
		delete(r.misses, resource)
	case errors.As(l.err, &nse):
		r.misses[resource] = miss{at: r.now(), err: nse}
	}
	r.mu.Unlock()
	close(l.done)
	return l.gvk, l.err
}

// errIncompleteResource is the cause when ScaleForResource is given a
// resource without a version or name: discovery cannot be asked about it.
var errIncompleteResource = errors.New("resource and version must be set")

// resolve asks discovery, and asks a cache again after invalidating it when
// the first answer is a miss.
func (r *discoveryResolver) resolve(resource schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	gvk, err := r.find(resource)
	var nse *NoScaleSubresourceError
	if inv, ok := r.client.(invalidator); ok && errors.As(err, &nse) {
		inv.Invalidate()
		gvk, err = r.find(resource)
	}
	return gvk, err
}

// find looks for resource's scale subresource in its group-version's
// discovery document.
func (r *discoveryResolver) find(resource schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	gv := resource.GroupVersion()
	list, err := r.client.ServerResourcesForGroupVersion(gv.String())
	if err != nil {
		if apierrors.IsNotFound(err) {
			return schema.GroupVersionKind{}, &NoScaleSubresourceError{Resource: resource, Err: err}
		}
		return schema.GroupVersionKind{}, fmt.Errorf("scale: finding the scale subresource of %s in discovery: %w",
			resourceString(resource), err)
	}
	want := resource.Resource + "/scale"
	for i := range list.APIResources {
		e := &list.APIResources[i]
		if e.Name != want {
			continue
		}
		// Discovery leaves group and version out when they are the
		// containing list's.
		out := schema.GroupVersionKind{Group: e.Group, Version: e.Version, Kind: e.Kind}
		if out.Group == "" {
			out.Group = gv.Group
		}
		if out.Version == "" {
			out.Version = gv.Version
		}
		return out, nil
	}
	return schema.GroupVersionKind{}, &NoScaleSubresourceError{Resource: resource}
}
