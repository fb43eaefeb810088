package restmapper

import (
	"cmp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// This file builds the index every mapper in the package answers from. The
// index holds, for one discovery snapshot, what client-go spreads over one
// meta.DefaultRESTMapper per group-version: it is built once, never
// modified, and so may be shared by any number of goroutines.

// index is an immutable lookup structure over a set of group-versions.
type index struct {
	// gvs lists the indexed group-versions in priority order; every entry
	// below refers to one by its position here, so comparing positions
	// compares priorities.
	gvs []schema.GroupVersion
	// kinds maps a group and a kind, as RESTMapping receives them, to one
	// mapping per group-version serving it, in priority order.
	kinds map[schema.GroupKind][]kindEntry
	// names maps a resource name (plural, singular, or one of the guessed
	// list names client-go also registers), as discovery spells it, to what
	// it matches. Queries lower-case their input, so a name discovery spells
	// with capitals never matches, as in client-go.
	names map[string]*nameEntry
}

// kindEntry is the mapping of one kind in one group-version.
type kindEntry struct {
	gv      int
	mapping *meta.RESTMapping
}

// nameEntry is what one resource name matches: the kinds it names (one per
// group-version at most) and the plural resources it names (more than one
// in a group-version only when the name is one resource's singular and
// another's plural), each list in priority order.
type nameEntry struct {
	kinds     []nameKind
	resources []nameResource
}

type nameKind struct {
	gv  int
	gvk schema.GroupVersionKind
}

type nameResource struct {
	gv  int
	gvr schema.GroupVersionResource
	// singular is the singular name registered for gvr.Resource, "" when
	// there is none.
	singular string
}

// groupVersionSource is one group-version to index and its resources.
type groupVersionSource struct {
	gv        schema.GroupVersion
	resources []metav1.APIResource
}

// priorityOrder lists the group-versions of groups in the order client-go's
// discovery mapper prefers them: the core group's v1 first, then group by
// group in the order given, each group's preferred version before its other
// versions in the group's own order. Versions without resources are left
// out, and a group-version that appears twice keeps its first appearance.
func priorityOrder(groups []*APIGroupResources) []groupVersionSource {
	var out []groupVersionSource
	seen := make(map[schema.GroupVersion]bool)
	add := func(g *APIGroupResources, version string) {
		gv := schema.GroupVersion{Group: g.Group.Name, Version: version}
		if version == "" || seen[gv] || !listsVersion(g, version) {
			return
		}
		resources, ok := g.VersionedResources[version]
		if !ok {
			return
		}
		seen[gv] = true
		out = append(out, groupVersionSource{gv: gv, resources: resources})
	}
	for _, g := range groups {
		if g != nil && g.Group.Name == "" {
			add(g, "v1")
		}
	}
	for _, g := range groups {
		if g == nil {
			continue
		}
		add(g, g.Group.PreferredVersion.Version)
		for _, v := range g.Group.Versions {
			add(g, v.Version)
		}
	}
	return out
}

// listsVersion reports whether version is among g's versions. client-go
// only builds mappings for listed versions, so a preferred version that is
// not listed maps nothing.
func listsVersion(g *APIGroupResources, version string) bool {
	for _, v := range g.Group.Versions {
		if v.Version == version {
			return true
		}
	}
	return false
}

// newIndex indexes groups. Lists in the index come out in priority order
// because group-versions are added in that order; only the resources of one
// group-version need sorting among themselves, by name, as client-go sorts
// them. It never fails: entries it cannot use (a
// subresource, a resource without a name) are skipped.
func newIndex(groups []*APIGroupResources) *index {
	sources := priorityOrder(groups)
	ix := &index{
		gvs:   make([]schema.GroupVersion, len(sources)),
		kinds: make(map[schema.GroupKind][]kindEntry),
		names: make(map[string]*nameEntry),
	}
	var t gvTable
	for i, src := range sources {
		ix.gvs[i] = src.gv
		t.reset()
		t.fill(src.gv, src.resources)
		ix.addTable(i, src.gv, &t)
	}
	for _, e := range ix.names {
		slices.SortFunc(e.resources, func(a, b nameResource) int {
			if c := cmp.Compare(a.gv, b.gv); c != 0 {
				return c
			}
			return strings.Compare(a.gvr.Resource, b.gvr.Resource)
		})
	}
	return ix
}

// gvTable holds one group-version's names exactly as client-go registers
// them, later registrations replacing earlier ones, so that collisions
// inside a group-version (two resources of one kind, a resource whose
// plural is another's guessed list name) resolve the way client-go's do.
type gvTable struct {
	resourceToKind   map[string]string
	pluralToSingular map[string]string
	kindToPlural     map[string]string
	kindToScope      map[string]meta.RESTScope
}

func (t *gvTable) reset() {
	if t.resourceToKind == nil {
		t.resourceToKind = make(map[string]string)
		t.pluralToSingular = make(map[string]string)
		t.kindToPlural = make(map[string]string)
		t.kindToScope = make(map[string]meta.RESTScope)
		return
	}
	clear(t.resourceToKind)
	clear(t.pluralToSingular)
	clear(t.kindToPlural)
	clear(t.kindToScope)
}

// fill registers, for every resource that is not a subresource, its kind
// and its lower-cased kind under its plural and singular names, a guessed
// "<Kind>List" kind, and finally the group-version's generic "List" kind.
// The guessed names are not served by any server; client-go registers them
// and so do we, because callers can observe them.
func (t *gvTable) fill(gv schema.GroupVersion, resources []metav1.APIResource) {
	for i := range resources {
		r := &resources[i]
		if r.Name == "" || strings.Contains(r.Name, "/") {
			continue
		}
		scope := meta.RESTScopeNamespace
		if !r.Namespaced {
			scope = meta.RESTScopeRoot
		}
		singular := r.SingularName
		if singular == "" {
			_, guessed := meta.UnsafeGuessKindToResource(gv.WithKind(r.Kind))
			singular = guessed.Resource
		}
		t.add(strings.ToLower(r.Kind), r.Name, singular, scope)
		t.add(r.Kind, r.Name, singular, scope)
		t.addGuessed(gv, r.Kind+"List", scope)
	}
	t.addGuessed(gv, "List", meta.RESTScopeRoot)
}

func (t *gvTable) addGuessed(gv schema.GroupVersion, kind string, scope meta.RESTScope) {
	plural, singular := meta.UnsafeGuessKindToResource(gv.WithKind(kind))
	t.add(kind, plural.Resource, singular.Resource, scope)
}

func (t *gvTable) add(kind, plural, singular string, scope meta.RESTScope) {
	t.pluralToSingular[plural] = singular
	if singular != "" {
		t.resourceToKind[singular] = kind
	}
	t.resourceToKind[plural] = kind
	t.kindToPlural[kind] = plural
	t.kindToScope[kind] = scope
}

// addTable copies one group-version's table into the index.
func (ix *index) addTable(i int, gv schema.GroupVersion, t *gvTable) {
	for name, kind := range t.resourceToKind {
		e := ix.name(name)
		e.kinds = append(e.kinds, nameKind{gv: i, gvk: gv.WithKind(kind)})
	}
	for plural, singular := range t.pluralToSingular {
		r := nameResource{gv: i, gvr: gv.WithResource(plural), singular: singular}
		e := ix.name(plural)
		e.resources = append(e.resources, r)
		if singular != "" && singular != plural {
			e := ix.name(singular)
			e.resources = append(e.resources, r)
		}
	}
	for kind, plural := range t.kindToPlural {
		gk := schema.GroupKind{Group: gv.Group, Kind: kind}
		ix.kinds[gk] = append(ix.kinds[gk], kindEntry{gv: i, mapping: &meta.RESTMapping{
			Resource:         gv.WithResource(plural),
			GroupVersionKind: gv.WithKind(kind),
			Scope:            t.kindToScope[kind],
		}})
	}
}

func (ix *index) name(name string) *nameEntry {
	e, ok := ix.names[name]
	if !ok {
		e = &nameEntry{}
		ix.names[name] = e
	}
	return e
}
