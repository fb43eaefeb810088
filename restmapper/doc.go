// Package restmapper turns what people write (a GroupVersionKind, a partial
// GroupVersionResource, "deploy", "deployments.v1.apps", "all") into exactly
// one REST mapping, or an error that says why not.
//
// The mappers implement apimachinery's meta.RESTMapper (and
// meta.RESTMapperWithContext) with the semantics client-go's restmapper
// package gives them: partial resources match by plural, singular or
// lower-cased kind, case-insensitively; subresources never map; when several
// group-versions match, the core group's v1 wins, then the groups in
// discovery order, each group's preferred version before its others.
// Unlike client-go, which composes one meta.DefaultRESTMapper per
// group-version and walks them all on every call, a mapper here answers from
// an index built once per discovery snapshot, and a hit allocates nothing.
//
// Three mappers share that index:
//
//   - NewDiscoveryRESTMapper maps a fixed discovery result.
//   - NewDeferredDiscoveryRESTMapper loads everything on first use from a
//     cached discovery client and rebuilds on a miss when the cache is not
//     fresh, like client-go's, or when discovery of the group asked about
//     failed (its error then says so) at least a negative TTL ago.
//   - NewLazyRESTMapper downloads discovery once and indexes only the
//     groups it is asked about, revalidates with one conditional request
//     when a kind is missing (so a CRD created a second ago maps on the next
//     call), shares one request among concurrent misses, remembers a miss
//     for a short time, and, after its first miss, watches
//     CustomResourceDefinitions and APIServices so that a change to a group
//     is seen at once, within that time too.
//
// Around them: NewShortcutExpander resolves short names ("po", "deploy",
// CRD short names), NewDiscoveryCategoryExpander expands categories ("all"),
// and Resolver turns kubectl-style resource arguments into one mapping.
//
// Mappings returned by these mappers are shared between callers: read them,
// never modify them.
package restmapper
