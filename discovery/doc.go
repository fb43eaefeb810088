// Package discovery asks a Kubernetes API server which groups, versions and
// resources it serves.
//
// DiscoveryClient talks to the server. On servers with aggregated discovery
// (apidiscovery.k8s.io/v2, Kubernetes 1.26 and later) everything comes from
// two requests, GET /api and GET /apis, sent in parallel. On older servers,
// or when UseLegacyDiscovery is set, the group list comes from the same two
// requests and each group-version's resources from one more request each,
// sent in parallel (Parallelism at a time, outside the client-side rate
// limiter), each bounded by GroupVersionTimeout.
//
// Partial failure is a result, not a crash: when some group-versions fail
// (an aggregated API whose backend is down, a version the server marks
// Stale), the methods that return many group-versions return all the others
// together with an *ErrGroupDiscoveryFailed naming each failure and its
// cause. A request answered 500 or 502 is sent once more first, within
// the same time bound, so that one bad answer from a flaky aggregated API
// does not drop its group. What another DiscoveryInterface returns together
// with an error (a cache's group list, a last known resource list) is kept
// by the helper functions and reported with the error.
//
// Every APIResource returned has Group and Version set to its kind's
// group-version, and every subresource its parent's SingularName, whichever
// way the server answered (see CompleteResourceList).
//
// # Contexts
//
// The methods keep client-go's shapes, which take no context. To run them
// under a context, bind one: d.WithContext(ctx).ServerGroupsAndResources().
// WithContext returns a cheap view sharing the client's caches; the
// receiver is unchanged. This is the only way to pass a context: there are
// no ...WithContext method twins.
//
// The subpackages cached/memory and cached/disk keep answers in memory and
// on disk (in kubectl's layout); fake serves a fixed set of resources in
// tests.
package discovery
