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
	gv      int32
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

// nameKind and nameResource hold a group-version by its position in
// index.gvs rather than by value, to keep the index small.
type nameKind struct {
	gv   int32
	kind string
}

type nameResource struct {
	gv     int32
	plural string
	// singular is the singular name registered for plural, "" when there
	// is none.
	singular string
}

func (ix *index) gvk(k *nameKind) schema.GroupVersionKind {
	return ix.gvs[k.gv].WithKind(k.kind)
}

func (ix *index) gvr(r *nameResource) schema.GroupVersionResource {
	return ix.gvs[r.gv].WithResource(r.plural)
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
// group-version need sorting among themselves. It never fails: entries it cannot use (a
// subresource, a resource without a name) are skipped.
func newIndex(groups []*APIGroupResources) *index {
	sources := priorityOrder(groups)
	b := &indexBuilder{
		ix: &index{
			gvs:   make([]schema.GroupVersion, len(sources)),
			kinds: make(map[schema.GroupKind][]kindEntry),
			names: make(map[string]*nameEntry),
		},
		strings: make(map[string]string),
	}
	var t gvTable
	for i, src := range sources {
		b.ix.gvs[i] = src.gv
		t.reset()
		t.fill(src.gv, src.resources, b.intern)
		b.addTable(int32(i), src.gv, &t)
	}
	b.compact()
	return b.ix
}

// indexBuilder holds what building an index needs and the index does not.
type indexBuilder struct {
	ix *index
	// strings interns the names building derives (lower-cased kinds, list
	// kinds, guessed plurals), which repeat in every group-version serving
	// the same kind.
	strings map[string]string
	// mappings is the current slab RESTMappings are carved from: one
	// allocation per hundred mappings instead of one each.
	mappings []meta.RESTMapping
}

func (b *indexBuilder) intern(s string) string {
	if v, ok := b.strings[s]; ok {
		return v
	}
	b.strings[s] = s
	return s
}

func (b *indexBuilder) mapping(m meta.RESTMapping) *meta.RESTMapping {
	if len(b.mappings) == cap(b.mappings) {
		b.mappings = make([]meta.RESTMapping, 0, 128)
	}
	b.mappings = append(b.mappings, m)
	return &b.mappings[len(b.mappings)-1]
}

// compact moves every list of the index into one array per kind of list,
// exactly sized, so that the index keeps none of the spare capacity that
// appending left behind, and sorts the resources of each group-version by
// name, as client-go does.
func (b *indexBuilder) compact() {
	nk, nr, ne := 0, 0, 0
	for _, e := range b.ix.names {
		nk += len(e.kinds)
		nr += len(e.resources)
	}
	for _, l := range b.ix.kinds {
		ne += len(l)
	}
	kinds := make([]nameKind, 0, nk)
	resources := make([]nameResource, 0, nr)
	entries := make([]kindEntry, 0, ne)
	for _, e := range b.ix.names {
		start := len(kinds)
		kinds = append(kinds, e.kinds...)
		e.kinds = kinds[start:len(kinds):len(kinds)]
		start = len(resources)
		resources = append(resources, e.resources...)
		e.resources = resources[start:len(resources):len(resources)]
		slices.SortFunc(e.resources, func(a, b nameResource) int {
			if c := cmp.Compare(a.gv, b.gv); c != 0 {
				return c
			}
			return strings.Compare(a.plural, b.plural)
		})
	}
	for gk, l := range b.ix.kinds {
		start := len(entries)
		entries = append(entries, l...)
		b.ix.kinds[gk] = entries[start:len(entries):len(entries)]
	}
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
func (t *gvTable) fill(gv schema.GroupVersion, resources []metav1.APIResource, intern func(string) string) {
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
			singular = intern(guessed.Resource)
		}
		t.add(intern(strings.ToLower(r.Kind)), r.Name, singular, scope)
		t.add(r.Kind, r.Name, singular, scope)
		t.addGuessed(gv, intern(r.Kind+"List"), scope, intern)
	}
	t.addGuessed(gv, "List", meta.RESTScopeRoot, intern)
}

func (t *gvTable) addGuessed(gv schema.GroupVersion, kind string, scope meta.RESTScope, intern func(string) string) {
	plural, singular := meta.UnsafeGuessKindToResource(gv.WithKind(kind))
	t.add(kind, intern(plural.Resource), intern(singular.Resource), scope)
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
func (b *indexBuilder) addTable(i int32, gv schema.GroupVersion, t *gvTable) {
	for name, kind := range t.resourceToKind {
		e := b.name(name)
		e.kinds = append(e.kinds, nameKind{gv: i, kind: kind})
	}
	for plural, singular := range t.pluralToSingular {
		r := nameResource{gv: i, plural: plural, singular: singular}
		e := b.name(plural)
		e.resources = append(e.resources, r)
		if singular != "" && singular != plural {
			e := b.name(singular)
			e.resources = append(e.resources, r)
		}
	}
	for kind, plural := range t.kindToPlural {
		gk := schema.GroupKind{Group: gv.Group, Kind: kind}
		b.ix.kinds[gk] = append(b.ix.kinds[gk], kindEntry{gv: i, mapping: b.mapping(meta.RESTMapping{
			Resource:         gv.WithResource(plural),
			GroupVersionKind: gv.WithKind(kind),
			Scope:            t.kindToScope[kind],
		})})
	}
}

func (b *indexBuilder) name(name string) *nameEntry {
	e, ok := b.ix.names[name]
	if !ok {
		e = &nameEntry{}
		b.ix.names[name] = e
	}
	return e
}
