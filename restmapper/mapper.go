package restmapper

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// DiscoveryRESTMapper maps kinds and resources over one discovery result. It
// answers every question from an index built once by NewDiscoveryRESTMapper,
// so a hit costs a map lookup and allocates nothing. It is safe for
// concurrent use.
//
// Its answers are those of client-go's restmapper.NewDiscoveryRESTMapper, with
// two differences: KindsFor, ResourcesFor and RESTMappings list their
// results in priority order (client-go lists them in discovery order, which
// is the same for every real server), and the *meta.RESTMapping it returns is
// shared, so callers must not modify it.
//
// A question that finds no match in a group some of whose versions failed
// discovery (APIGroupResources.Failed) returns a no-match error that also
// wraps a *discovery.ErrGroupDiscoveryFailed naming them;
// meta.IsNoMatchError still holds.
//
// The zero value maps nothing: every question finds no match.
type DiscoveryRESTMapper struct {
	ix *index
	// failed holds the failed group-versions of the groups given, nil when
	// none failed.
	failed gaps
}

// emptyIndex answers for mappers that have nothing loaded.
var emptyIndex = newIndex(nil)

func (m *DiscoveryRESTMapper) index() *index {
	if m == nil || m.ix == nil {
		return emptyIndex
	}
	return m.ix
}

var (
	_ meta.RESTMapper            = (*DiscoveryRESTMapper)(nil)
	_ meta.RESTMapperWithContext = (*DiscoveryRESTMapper)(nil)
	_ fmt.Stringer               = (*DiscoveryRESTMapper)(nil)
)

// NewDiscoveryRESTMapper indexes groupResources and returns a mapper over
// them. The priority among group-versions is client-go's: the core group's
// v1 first, then the groups in the order given, each one's preferred version
// before its other versions. Subresources, versions not listed in their
// group and resources without a name are left out; nil entries are skipped.
// The mapper does not keep groupResources.
func NewDiscoveryRESTMapper(groupResources []*APIGroupResources) *DiscoveryRESTMapper {
	m := &DiscoveryRESTMapper{ix: newIndex(groupResources)}
	for _, g := range groupResources {
		if g == nil {
			continue
		}
		for v, err := range g.Failed {
			if m.failed.versions == nil {
				m.failed.versions = map[schema.GroupVersion]error{}
			}
			m.failed.versions[schema.GroupVersion{Group: g.Group.Name, Version: v}] = err
		}
	}
	return m
}

// explain adds to err, a no-match error for a question needing n, the
// failures of the groups it needs; other errors pass unchanged.
func (m *DiscoveryRESTMapper) explain(n need, err error) error {
	if err == nil || m == nil || m.failed.versions == nil {
		return err
	}
	return withFailures(err, m.failed.explain(n))
}

// KindFor returns the kind resource names: the match in the best
// group-version. It returns a *meta.NoResourceMatchError when nothing
// matches and a plain error when resource.Resource is empty. As in
// client-go, it is never ambiguous: a name names one kind per group-version,
// and the best group-version wins (use a Resolver to be told when several
// groups compete).
func (m *DiscoveryRESTMapper) KindFor(resource schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	v, err := m.index().kindFor(resource)
	return v, m.explain(partialNeed(resource), err)
}

// KindsFor returns every kind resource names, in priority order, or a
// *meta.NoResourceMatchError.
func (m *DiscoveryRESTMapper) KindsFor(resource schema.GroupVersionResource) ([]schema.GroupVersionKind, error) {
	v, err := m.index().kindsFor(resource)
	return v, m.explain(partialNeed(resource), err)
}

// ResourceFor returns the plural resource input names: the match in the best
// group-version. It returns a *meta.NoResourceMatchError when nothing
// matches and a *meta.AmbiguousResourceError when the best group-version
// holds several matches.
func (m *DiscoveryRESTMapper) ResourceFor(input schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	v, err := m.index().resourceFor(input)
	return v, m.explain(partialNeed(input), err)
}

// ResourcesFor returns every plural resource input names, in priority order,
// or a *meta.NoResourceMatchError.
func (m *DiscoveryRESTMapper) ResourcesFor(input schema.GroupVersionResource) ([]schema.GroupVersionResource, error) {
	v, err := m.index().resourcesFor(input)
	return v, m.explain(partialNeed(input), err)
}

// RESTMapping returns the mapping of gk in the first of versions that serves
// it, or in its best group-version when no version is given. The mapping is
// shared: do not modify it. It returns a *meta.NoKindMatchError when no
// version matches.
func (m *DiscoveryRESTMapper) RESTMapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	v, err := m.index().restMapping(gk, versions)
	return v, m.explain(groupNeed(gk.Group), err)
}

// RESTMappings returns the mappings of gk in every group-version serving it,
// in priority order, or only in the versions given. The mappings are shared:
// do not modify them. It returns a *meta.NoKindMatchError when none matches.
func (m *DiscoveryRESTMapper) RESTMappings(gk schema.GroupKind, versions ...string) ([]*meta.RESTMapping, error) {
	v, err := m.index().restMappings(gk, versions)
	return v, m.explain(groupNeed(gk.Group), err)
}

// ResourceSingularizer returns the singular name of resource. When resource
// names nothing, it returns resource unchanged and a
// *meta.NoResourceMatchError.
func (m *DiscoveryRESTMapper) ResourceSingularizer(resource string) (string, error) {
	v, err := m.index().resourceSingularizer(resource)
	return v, m.explain(need{all: true}, err)
}

// KindForWithContext is KindFor; the mapper does no I/O, so ctx is unused.
func (m *DiscoveryRESTMapper) KindForWithContext(_ context.Context, resource schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	return m.KindFor(resource)
}

// KindsForWithContext is KindsFor; ctx is unused.
func (m *DiscoveryRESTMapper) KindsForWithContext(_ context.Context, resource schema.GroupVersionResource) ([]schema.GroupVersionKind, error) {
	return m.KindsFor(resource)
}

// ResourceForWithContext is ResourceFor; ctx is unused.
func (m *DiscoveryRESTMapper) ResourceForWithContext(_ context.Context, input schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	return m.ResourceFor(input)
}

// ResourcesForWithContext is ResourcesFor; ctx is unused.
func (m *DiscoveryRESTMapper) ResourcesForWithContext(_ context.Context, input schema.GroupVersionResource) ([]schema.GroupVersionResource, error) {
	return m.ResourcesFor(input)
}

// RESTMappingWithContext is RESTMapping; ctx is unused.
func (m *DiscoveryRESTMapper) RESTMappingWithContext(_ context.Context, gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	return m.RESTMapping(gk, versions...)
}

// RESTMappingsWithContext is RESTMappings; ctx is unused.
func (m *DiscoveryRESTMapper) RESTMappingsWithContext(_ context.Context, gk schema.GroupKind, versions ...string) ([]*meta.RESTMapping, error) {
	return m.RESTMappings(gk, versions...)
}

// ResourceSingularizerWithContext is ResourceSingularizer; ctx is unused.
func (m *DiscoveryRESTMapper) ResourceSingularizerWithContext(_ context.Context, resource string) (string, error) {
	return m.ResourceSingularizer(resource)
}

// String names the mapper and its group-versions in priority order.
func (m *DiscoveryRESTMapper) String() string {
	return fmt.Sprintf("DiscoveryRESTMapper{%v}", m.index().gvs)
}
