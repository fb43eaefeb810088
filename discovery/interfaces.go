package discovery

import (
	"context"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"

	"github.com/anykube/anykube"
)

// DiscoveryInterface asks a server which API groups, versions and resources
// it serves. Its methods have client-go's shapes and take no context; the
// context they run under is the one bound by WithContext
// (context.Background() until then).
//
// Results may be shared with a cache: treat them as read-only.
type DiscoveryInterface interface {
	ServerGroupsInterface
	ServerResourcesInterface
	ServerVersionInterface
	OpenAPISchemaInterface
	OpenAPIV3SchemaInterface

	// WithLegacy returns a view that asks only for the legacy
	// per-group-version documents, or the receiver itself when it has no
	// such mode (caches, fakes).
	WithLegacy() DiscoveryInterface

	// WithContext returns a view of the same client, sharing its caches,
	// whose requests run under ctx: they stop when ctx ends and return its
	// error. The receiver is not changed. This is anykube's one way to pass
	// a context, instead of client-go's ...WithContext method twins.
	WithContext(ctx context.Context) DiscoveryInterface

	// RESTClient returns the REST client the discovery client sends
	// through, for raw requests to the same server, or nil when there is
	// none (a fake).
	RESTClient() *anykube.RESTClient
}

// ServerGroupsInterface lists the groups a server serves.
type ServerGroupsInterface interface {
	// ServerGroups returns the groups with their versions and preferred
	// version, the core group ("") first when the server has it.
	ServerGroups() (*metav1.APIGroupList, error)
}

// ServerResourcesInterface lists the resources a server serves.
type ServerResourcesInterface interface {
	// ServerResourcesForGroupVersion returns the resources of one
	// group-version ("v1", "apps/v1"). It returns an error naming the
	// group-version when the server does not serve it or fails.
	ServerResourcesForGroupVersion(groupVersion string) (*metav1.APIResourceList, error)

	// ServerGroupsAndResources returns every group and the resources of
	// every group-version. When some group-versions fail, the others are
	// returned with an *ErrGroupDiscoveryFailed naming the failures. With
	// another error, results may be partial: a cache may return the groups
	// it has.
	ServerGroupsAndResources() ([]*metav1.APIGroup, []*metav1.APIResourceList, error)

	// ServerPreferredResources returns, for each resource, its entry in the
	// preferred version of its group, or in the first version that has it
	// when the preferred version does not. Subresources are left out. Partial
	// failures are reported as by ServerGroupsAndResources.
	ServerPreferredResources() ([]*metav1.APIResourceList, error)

	// ServerPreferredNamespacedResources is ServerPreferredResources keeping
	// only namespaced resources.
	ServerPreferredNamespacedResources() ([]*metav1.APIResourceList, error)
}

// ServerVersionInterface reads the server's version.
type ServerVersionInterface interface {
	// ServerVersion returns what /version says.
	ServerVersion() (*version.Info, error)
}

// OpenAPISchemaInterface reads the server's OpenAPI v2 document.
type OpenAPISchemaInterface interface {
	// OpenAPISchema returns the /openapi/v2 document, fetched as protobuf.
	OpenAPISchema() (*openapi_v2.Document, error)
}

// OpenAPIV3SchemaInterface reads the server's OpenAPI v3 documents.
type OpenAPIV3SchemaInterface interface {
	// OpenAPIV3 returns a client for /openapi/v3 and the per-group-version
	// documents it lists.
	OpenAPIV3() OpenAPIV3Client
}

// AggregatedDiscoveryInterface is a DiscoveryInterface that can return
// resources together with groups, as aggregated discovery does.
type AggregatedDiscoveryInterface interface {
	DiscoveryInterface

	// GroupsAndMaybeResources returns the groups and, when the server
	// answered with aggregated discovery, the resources of every
	// group-version and the group-versions that failed (those marked
	// Stale). resources is nil when the server answered with legacy
	// documents: the caller must then fetch each group-version. failed is
	// never nil when err is nil. err is set only when nothing usable came
	// back.
	GroupsAndMaybeResources() (groups *metav1.APIGroupList, resources map[schema.GroupVersion]*metav1.APIResourceList, failed map[schema.GroupVersion]error, err error)
}

// CachedDiscoveryInterface is a DiscoveryInterface that keeps what it
// learned.
type CachedDiscoveryInterface interface {
	DiscoveryInterface

	// Fresh reports whether everything the cache answered with so far came
	// from the server since the last Invalidate (or since creation). When it
	// is false, a caller that missed something should Invalidate and ask
	// again: the answer may have come from an older cache.
	Fresh() bool

	// Invalidate makes the next call ask the server again.
	Invalidate()
}

// Snapshot is one answer of discovery's first step: GET /api and /apis.
type Snapshot struct {
	// Groups lists the groups, the core group first.
	Groups *metav1.APIGroupList
	// Resources holds every group-version's resources when both endpoints
	// answered with aggregated discovery, and is nil when the server
	// answered with legacy documents.
	Resources map[schema.GroupVersion]*metav1.APIResourceList
	// Failed holds the group-versions marked Stale; never nil.
	Failed map[schema.GroupVersion]error
	// ETags are the validators the server sent with the two documents,
	// empty when it sent none.
	ETags ETags
}

// ETags are the entity tags of the /api and /apis documents.
type ETags struct {
	API  string `json:"api,omitempty"`
	APIs string `json:"apis,omitempty"`
}

// IsZero reports whether neither document had an entity tag, in which case
// nothing can be revalidated.
func (e ETags) IsZero() bool { return e.API == "" && e.APIs == "" }

// Revalidator is implemented by discovery clients that can ask the server
// whether the /api and /apis documents changed since a previous answer, so
// that a cache can check an old copy with two small conditional requests
// instead of downloading and parsing it again. DiscoveryClient implements
// it; a cache looks for it with a type assertion and falls back to
// GroupsAndMaybeResources without it.
type Revalidator interface {
	// FetchSnapshot sends GET /api and /apis with prev as If-None-Match.
	// When the server answers 304 Not Modified to both, it returns (nil,
	// true, nil) and the caller keeps its copy. Otherwise it returns the new
	// snapshot; when only one document changed, the other is fetched again
	// in full. It returns an error when either request fails.
	FetchSnapshot(prev ETags) (snap *Snapshot, notModified bool, err error)
}

// RootRevalidator is implemented by discovery clients that can fetch or
// revalidate one of the two documents alone: a mapper that missed a kind
// of one group needs only the document holding that group (/api for the
// core group, /apis for the others), so a miss costs one conditional
// request. DiscoveryClient implements it; callers look for it with a type
// assertion and fall back to Revalidator or GroupsAndMaybeResources.
type RootRevalidator interface {
	// FetchRoot sends GET /api when core is set, else GET /apis, with prev
	// (when not empty) as If-None-Match. When the server answers 304 Not
	// Modified it returns (nil, true, nil). Otherwise the snapshot holds
	// that document's groups and, when the answer was aggregated, its
	// resources, stale versions and entity tag (in ETags.API or
	// ETags.APIs); Resources is nil for a legacy answer. A 404 for /api (an
	// aggregated API server alone) gives a snapshot without groups. It
	// returns an error when the request or decoding fails.
	FetchRoot(core bool, prev string) (snap *Snapshot, notModified bool, err error)
}
