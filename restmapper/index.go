package restmapper

import (
	"cmp"
	"slices"
	"strings"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// This file builds the index every mapper in the package answers from. The
// index holds, for one discovery snapshot, what client-go spreads over one
// meta.DefaultRESTMapper per group-version: it is built once, never
// modified, and so may be shared by any number of goroutines.

// index is an immutable lookup structure over a set of group-versions. Its
// lists live in three arrays, one per kind of list, that the maps point into
// by position, so that a snapshot of thousands of group-versions costs a
// handful of allocations and keeps no spare capacity.
type index struct {
	// gvs lists the indexed group-versions in priority order; every entry
	// below refers to one by its position here, so comparing positions
	// compares priorities.
	gvs []schema.GroupVersion
	// kinds maps a group and a kind, as RESTMapping receives them, to the
	// run of kindEntries holding one entry per group-version serving it, in
	// priority order.
	kinds       kindTable
	kindEntries []kindEntry
	// names maps a resource name (plural, singular, or one of the guessed
	// list names client-go also registers), as discovery spells it, to the
	// runs of nameKinds and nameResources it matches. Queries lower-case
	// their input, so a name discovery spells with capitals never matches,
	// as in client-go.
	names         nameTable
	nameKinds     []nameKind
	nameResources []nameResource
	// strs holds every name and kind the arrays refer to, by position:
	// four bytes a reference instead of a string header's sixteen. Position
	// 0 is the empty string, and a name has one position, so that equal
	// positions mean equal names; kinds are only ever read back as strings,
	// and a kind string may sit at more than one position.
	strs []string
}

// span is a run of an index array: start and length.
type span struct{ start, n int32 }

// nameSpans locates what one name matches, and the name in index.strs.
type nameSpans struct {
	kinds, resources span
	id               int32
}

// kindEntry is the mapping of one kind in one group-version. The mapping
// is built on the first question about the kind and then shared: a program
// asks about a few kinds, and building every declared kind's with the index
// kept a tenth of the index for nothing.
type kindEntry struct {
	mapping atomic.Pointer[meta.RESTMapping]
	gv      int32
	plural  int32
	root    bool
}

// nameEntry is what one resource name matches: the kinds it names (one per
// group-version at most) and the plural resources it names (more than one
// in a group-version only when the name is one resource's singular and
// another's plural), each list in priority order. Both slices point into
// the index's arrays.
type nameEntry struct {
	kinds     []nameKind
	resources []nameResource
}

// nameKind and nameResource hold a group-version by its position in
// index.gvs and strings by their position in index.strs, to keep the index
// small.
type nameKind struct {
	gv, kind int32
}

type nameResource struct {
	gv, plural int32
	// singular is the singular name registered for plural, 0 (the empty
	// string) when there is none.
	singular int32
}

func (ix *index) gvk(k *nameKind) schema.GroupVersionKind {
	return ix.gvs[k.gv].WithKind(ix.strs[k.kind])
}

func (ix *index) gvr(r *nameResource) schema.GroupVersionResource {
	return ix.gvs[r.gv].WithResource(ix.strs[r.plural])
}

// kindList returns the entries of gk, in priority order.
func (ix *index) kindList(gk schema.GroupKind) []kindEntry {
	s := ix.kinds.find(ix.gvs, ix.strs, gk.Group, gk.Kind)
	if s == nil {
		return nil
	}
	return ix.kindEntries[s.start : s.start+s.n]
}

// entryAt returns the lists s locates.
func (ix *index) entryAt(s nameSpans) nameEntry {
	return nameEntry{
		kinds:     ix.nameKinds[s.kinds.start : s.kinds.start+s.kinds.n],
		resources: ix.nameResources[s.resources.start : s.resources.start+s.resources.n],
	}
}

// mappingOf returns the mapping of kind held by e, building and publishing
// it on first use when the index did not. Goroutines racing on the first
// use agree on one value.
func (ix *index) mappingOf(kind string, e *kindEntry) *meta.RESTMapping {
	if m := e.mapping.Load(); m != nil {
		return m
	}
	m := ix.newMapping(kind, e)
	if e.mapping.CompareAndSwap(nil, m) {
		return m
	}
	return e.mapping.Load()
}

func (ix *index) newMapping(kind string, e *kindEntry) *meta.RESTMapping {
	gv := ix.gvs[e.gv]
	scope := meta.RESTScopeNamespace
	if e.root {
		scope = meta.RESTScopeRoot
	}
	return &meta.RESTMapping{Resource: gv.WithResource(ix.strs[e.plural]), GroupVersionKind: gv.WithKind(kind), Scope: scope}
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
	n := 0
	for _, g := range groups {
		if g != nil {
			n += len(g.VersionedResources)
		}
	}
	return orderSources(len(groups), n, func(i int) *metav1.APIGroup {
		if groups[i] == nil {
			return nil
		}
		return &groups[i].Group
	}, func(i int, version string) ([]metav1.APIResource, bool) {
		r, ok := groups[i].VersionedResources[version]
		return r, ok
	})
}

// discoveredOrder is priorityOrder for discovery's results as
// ServerGroupsAndResources returns them, without pairing them up as
// groupResources does first: priorityOrder(groupResources(groups, lists))
// without an APIGroupResources and its map for each group, which on a
// server of many small groups cost as much as the index's own maps. A
// version's list is the last listed under its name that exists, as
// groupResources keeps it.
func discoveredOrder(groups []*metav1.APIGroup, lists []*metav1.APIResourceList) []groupVersionSource {
	byGV := make(map[string]*metav1.APIResourceList, len(lists))
	for _, l := range lists {
		if l != nil {
			byGV[l.GroupVersion] = l
		}
	}
	return orderSources(len(groups), len(byGV), func(i int) *metav1.APIGroup { return groups[i] }, func(i int, version string) ([]metav1.APIResource, bool) {
		var out []metav1.APIResource
		found := false
		for _, v := range groups[i].Versions {
			if v.Version != version {
				continue
			}
			gv := v.GroupVersion
			if gv == "" {
				gv = schema.GroupVersion{Group: groups[i].Name, Version: v.Version}.String()
			}
			if l, ok := byGV[gv]; ok {
				out, found = l.APIResources, true
			}
		}
		return out, found
	})
}

// orderSources walks n groups in priorityOrder's order: group(i) is the
// i-th group (nil to skip it), resources(i, version) the resources of one
// of its versions, false when it has none; about is a size hint.
//
// A group-version already added is looked for among the entries added
// since its group's began, a handful, unless the group is the core group
// or was listed before, when every entry is searched: a map of every
// group-version added cost as much as the list itself.
func orderSources(n, about int, group func(i int) *metav1.APIGroup, resources func(i int, version string) ([]metav1.APIResource, bool)) []groupVersionSource {
	out := make([]groupVersionSource, 0, about)
	from := 0 // where the entries of the group being added may start
	add := func(i int, g *metav1.APIGroup, version string) {
		gv := schema.GroupVersion{Group: g.Name, Version: version}
		if version == "" || !listsVersion(g, version) {
			return
		}
		for j := from; j < len(out); j++ {
			if out[j].gv == gv {
				return
			}
		}
		rs, ok := resources(i, version)
		if !ok {
			return
		}
		out = append(out, groupVersionSource{gv: gv, resources: rs})
	}
	for i := range n {
		if g := group(i); g != nil && g.Name == "" {
			add(i, g, "v1")
		}
	}
	listed := make(map[string]bool, n)
	for i := range n {
		g := group(i)
		if g == nil {
			continue
		}
		from = len(out)
		if g.Name == "" || listed[g.Name] {
			from = 0
		}
		listed[g.Name] = true
		add(i, g, g.PreferredVersion.Version)
		for _, v := range g.Versions {
			add(i, g, v.Version)
		}
	}
	return out
}

// listsVersion reports whether version is among g's versions. client-go
// only builds mappings for listed versions, so a preferred version that is
// not listed maps nothing.
func listsVersion(g *metav1.APIGroup, version string) bool {
	for _, v := range g.Versions {
		if v.Version == version {
			return true
		}
	}
	return false
}

// newIndex indexes groups. It never fails: entries it cannot use (a
// subresource, a resource without a name) are skipped.
//
// It builds in two passes over the same per-group-version tables: the first
// counts what every name and kind will hold, so that the index's arrays are
// allocated once at their final size; the second fills them. Lists come out
// in priority order because group-versions are visited in that order; only
// the resources of one group-version need sorting among themselves.
func newIndex(groups []*APIGroupResources) *index {
	return indexSources(priorityOrder(groups))
}

// indexSources indexes group-versions given in priority order.
func indexSources(sources []groupVersionSource) *index {
	b := newIndexBuilder(len(sources), kindsHint(sources))
	b.deriveAll(sources)
	var t gvTable
	for i, src := range sources {
		b.ix.gvs[i] = src.gv
		t.reset()
		t.fill(src.resources, b)
		b.count(int32(i), &t)
	}
	b.allocate()
	for i, src := range sources {
		t.reset()
		t.fill(src.resources, b)
		b.place(int32(i), src.gv, &t)
	}
	b.sortResources()
	return b.ix
}

// kindsHint estimates how many group-kinds sources will index, erring low
// so that the map it sizes is never larger than growing it would make it:
// a group's versions mostly serve the same kinds, so each group counts as
// its largest version, whose resources each register three kinds (the kind,
// lower-cased, and its guessed list) besides the version's "List".
func kindsHint(sources []groupVersionSource) int {
	total, largest := 0, 0
	for i, src := range sources {
		if i > 0 && src.gv.Group != sources[i-1].gv.Group {
			total += largest
			largest = 0
		}
		n := 1
		for j := range src.resources {
			if r := &src.resources[j]; r.Name != "" && !strings.Contains(r.Name, "/") {
				n += 3
			}
		}
		largest = max(largest, n)
	}
	return total + largest
}

// derivedNames are the names client-go derives from one kind. They depend
// on the kind alone, so they are computed once per kind however many
// group-versions serve it, and the index shares the strings.
type derivedNames struct {
	// lower is the lower-cased kind; singular, the singular guessed for a
	// resource that declares none.
	lower, singular string
	// kind is the kind itself.
	kind string
	// list is the guessed "<Kind>List" kind, and listPlural and
	// listSingular the resource names guessed for it.
	list, listPlural, listSingular string
	// kindID, lowerID and listID are the positions in index.strs of the
	// kind, lower and list.
	kindID, lowerID, listID int32
}

// indexBuilder holds what building an index needs and the index does not.
type indexBuilder struct {
	ix *index
	// derived gives the position in derivedList of each declared kind's
	// derived names, which hold the positions in ix.strs of the kind
	// strings; names keep theirs in ix.names.
	derived     map[string]int32
	derivedList []derivedNames
	// genericList is the "List" kind's, with its position in ix.strs.
	genericList derivedNames
	// Totals counted by the first pass.
	nKinds, nNameKinds, nNameResources int
}

func newIndexBuilder(gvs, kinds int) *indexBuilder {
	return &indexBuilder{
		ix: &index{
			gvs:   make([]schema.GroupVersion, gvs),
			kinds: newKindTable(kinds),
		},
	}
}

// deriveAll derives the names of every kind sources declare before the
// first pass, so that the maps and the string table the passes fill are
// made at their final size instead of growing by doubling, which allocated
// about as much again (a third of the index's bytes on a server of many
// small groups). Each kind a resource declares adds at most four names
// (its plural and singular, and those of its guessed list) and three kinds
// (itself, lower-cased, and its list); "List" and its names are shared.
// The map of kinds is sized by the number of groups, since most groups,
// CRDs' above all, declare a kind of their own; kinds shared between
// groups count once. Each kind's three strings take their positions in
// the string table here.
func (b *indexBuilder) deriveAll(sources []groupVersionSource) {
	groups := 0
	for i, src := range sources {
		if i == 0 || src.gv.Group != sources[i-1].gv.Group {
			groups++
		}
	}
	// Kinds are counted first, so that the list of their names is made at
	// its size, then derived in the order they first appear.
	const unseen = -1
	b.derived = make(map[string]int32, groups)
	each := func(f func(kind string)) {
		for _, src := range sources {
			for i := range src.resources {
				if r := &src.resources[i]; r.Name != "" && !strings.Contains(r.Name, "/") {
					f(r.Kind)
				}
			}
		}
	}
	each(func(kind string) {
		if _, ok := b.derived[kind]; !ok {
			b.derived[kind] = unseen
		}
	})
	n := len(b.derived)
	b.derivedList = make([]derivedNames, 0, n)
	each(func(kind string) {
		if b.derived[kind] == unseen {
			b.derived[kind] = int32(len(b.derivedList))
			b.derivedList = append(b.derivedList, deriveNames(kind))
		}
	})
	b.ix.names = newNameTable(4*n + 2)
	b.ix.strs = make([]string, 1, 7*n+3)
	for i := range b.derivedList {
		d := &b.derivedList[i]
		d.kindID, d.lowerID, d.listID = b.addStr(d.kind), b.addStr(d.lower), b.addStr(d.list)
	}
	b.genericList = genericList
	b.genericList.listID = b.addStr(genericList.list)
}

// addStr appends s to ix.strs and returns its position.
func (b *indexBuilder) addStr(s string) int32 {
	b.ix.strs = append(b.ix.strs, s)
	return int32(len(b.ix.strs) - 1)
}

// genericList holds the names of the "List" kind every group-version gets.
var genericList = deriveNames("")

// derive returns the derived names of a kind deriveAll has seen.
func (b *indexBuilder) derive(kind string) *derivedNames {
	return &b.derivedList[b.derived[kind]]
}

// deriveNames computes the names client-go derives from kind, through the
// same apimachinery function client-go calls, so that the guesses agree.
// The empty kind stands for the "List" kind itself.
func deriveNames(kind string) derivedNames {
	d := derivedNames{kind: kind}
	if kind != "" {
		d.lower = strings.ToLower(kind)
		_, singular := meta.UnsafeGuessKindToResource(schema.GroupVersionKind{Kind: kind})
		d.singular = singular.Resource
	}
	d.list = kind + "List"
	plural, singular := meta.UnsafeGuessKindToResource(schema.GroupVersionKind{Kind: d.list})
	d.listPlural, d.listSingular = plural.Resource, singular.Resource
	return d
}

// count records, in the first pass, how many entries the i-th
// group-version's table adds under each name and kind.
func (b *indexBuilder) count(i int32, t *gvTable) {
	for _, e := range t.resourceToKind.entries {
		b.nameSpans(e.key).kinds.n++
	}
	b.nNameKinds += len(t.resourceToKind.entries)
	for _, e := range t.pluralToSingular.entries {
		plural, singular := e.key, e.val
		b.nameSpans(plural).resources.n++
		b.nNameResources++
		if singular != "" && singular != plural {
			b.nameSpans(singular).resources.n++
			b.nNameResources++
		}
	}
	for _, e := range t.kindToPlural.entries {
		b.ix.kinds.get(b.ix.gvs, b.ix.strs, i, e.val.kindID).n++
	}
	b.nKinds += len(t.kindToPlural.entries)
}

// nameSpans returns the slot of name, giving a name the first pass has not
// seen a position in ix.strs. The slot is valid until the next call.
func (b *indexBuilder) nameSpans(name string) *nameSpans {
	if s := b.ix.names.slot(b.ix.strs, name); s != nil {
		return s
	}
	return b.ix.names.insert(b.ix.strs, b.addStr(name))
}

// allocate sizes the index's arrays from the counts and turns every count
// into a start position, with a length of zero that place counts up again.
func (b *indexBuilder) allocate() {
	ix := b.ix
	// Names a resource declares that its kind would also guess (a plural
	// "widgets" for kind Widget) take one entry, not two, so deriveAll's
	// room may be well over what is used.
	if cap(ix.strs)-len(ix.strs) > len(ix.strs)/8 {
		ix.strs = slices.Clone(ix.strs)
	}
	ix.kindEntries = make([]kindEntry, b.nKinds)
	ix.nameKinds = make([]nameKind, b.nNameKinds)
	ix.nameResources = make([]nameResource, b.nNameResources)
	var next int32
	for i := range ix.kinds.slots {
		if s := &ix.kinds.slots[i]; s.kind != 0 {
			n := s.n
			s.span = span{start: next}
			next += n
		}
	}
	var nextKind, nextResource int32
	for i := range ix.names.slots {
		if s := &ix.names.slots[i]; s.id != 0 {
			nk, nr := s.kinds.n, s.resources.n
			*s = nameSpans{kinds: span{start: nextKind}, resources: span{start: nextResource}, id: s.id}
			nextKind += nk
			nextResource += nr
		}
	}
}

// place copies one group-version's table into the index, in the second
// pass.
func (b *indexBuilder) place(i int32, gv schema.GroupVersion, t *gvTable) {
	ix := b.ix
	for _, e := range t.resourceToKind.entries {
		s := ix.names.slot(ix.strs, e.key)
		ix.nameKinds[s.kinds.start+s.kinds.n] = nameKind{gv: i, kind: e.val}
		s.kinds.n++
	}
	for _, e := range t.pluralToSingular.entries {
		plural, singular := e.key, e.val
		r := nameResource{gv: i, plural: ix.names.slot(ix.strs, plural).id}
		if singular != "" {
			r.singular = ix.names.slot(ix.strs, singular).id
		}
		b.placeResource(plural, r)
		if singular != "" && singular != plural {
			b.placeResource(singular, r)
		}
	}
	for _, e := range t.kindToPlural.entries {
		kind, k := e.key, e.val
		s := ix.kinds.find(ix.gvs, ix.strs, gv.Group, kind)
		e := &ix.kindEntries[s.start+s.n]
		s.n++
		e.gv, e.plural, e.root = i, ix.names.slot(ix.strs, k.plural).id, k.root
	}
}

func (b *indexBuilder) placeResource(name string, r nameResource) {
	s := b.ix.names.slot(b.ix.strs, name)
	b.ix.nameResources[s.resources.start+s.resources.n] = r
	s.resources.n++
}

// sortResources sorts the resources of each name by name within their
// group-version, as client-go does.
func (b *indexBuilder) sortResources() {
	strs := b.ix.strs
	for _, s := range b.ix.names.slots {
		if s.id == 0 {
			continue
		}
		slices.SortFunc(b.ix.nameResources[s.resources.start:s.resources.start+s.resources.n], func(a, b nameResource) int {
			if c := cmp.Compare(a.gv, b.gv); c != 0 {
				return c
			}
			return strings.Compare(strs[a.plural], strs[b.plural])
		})
	}
}

// gvTable holds one group-version's names exactly as client-go registers
// them, later registrations replacing earlier ones, so that collisions
// inside a group-version (two resources of one kind, a resource whose
// plural is another's guessed list name) resolve the way client-go's do.
type gvTable struct {
	resourceToKind   smallMap[int32] // to the kind's position in index.strs
	pluralToSingular smallMap[string]
	kindToPlural     smallMap[kindTarget]
}

// kindTarget is what one kind maps to in a group-version.
type kindTarget struct {
	plural string
	// kindID is the kind's position in index.strs.
	kindID int32
	root   bool
}

func (t *gvTable) reset() {
	t.resourceToKind.reset()
	t.pluralToSingular.reset()
	t.kindToPlural.reset()
}

// fill registers, for every resource that is not a subresource, its kind
// and its lower-cased kind under its plural and singular names, a guessed
// "<Kind>List" kind, and finally the group-version's generic "List" kind.
// The guessed names are not served by any server; client-go registers them
// and so do we, because callers can observe them.
func (t *gvTable) fill(resources []metav1.APIResource, b *indexBuilder) {
	for i := range resources {
		r := &resources[i]
		if r.Name == "" || strings.Contains(r.Name, "/") {
			continue
		}
		d := b.derive(r.Kind)
		singular := r.SingularName
		if singular == "" {
			singular = d.singular
		}
		root := !r.Namespaced
		t.add(d.lower, d.lowerID, r.Name, singular, kindTarget{plural: r.Name, root: root})
		t.add(r.Kind, d.kindID, r.Name, singular, kindTarget{plural: r.Name, root: root})
		t.add(d.list, d.listID, d.listPlural, d.listSingular, kindTarget{plural: d.listPlural, root: root})
	}
	g := &b.genericList
	t.add(g.list, g.listID, g.listPlural, g.listSingular, kindTarget{plural: g.listPlural, root: true})
}

// add registers kind, at position kindID in index.strs, under plural and
// singular.
func (t *gvTable) add(kind string, kindID int32, plural, singular string, target kindTarget) {
	t.pluralToSingular.set(plural, singular)
	if singular != "" {
		t.resourceToKind.set(singular, kindID)
	}
	t.resourceToKind.set(plural, kindID)
	target.kindID = kindID
	t.kindToPlural.set(kind, target)
}

// smallMap maps strings to V for one group-version's table: entries in
// the order first set, found by a linear search while there are few, as
// in most group-versions, and through a map past smallMapLinear. Clearing
// and filling three Go maps for each of thousands of small group-versions
// was a third of the index's build time on a server of many small groups.
type smallMap[V any] struct {
	entries []smallEntry[V]
	// at gives the position of each key in entries once there are more
	// than smallMapLinear.
	at map[string]int
}

type smallEntry[V any] struct {
	key string
	val V
}

// smallMapLinear is the most entries a smallMap searches one by one.
const smallMapLinear = 32

func (m *smallMap[V]) reset() {
	clear(m.entries)
	m.entries = m.entries[:0]
	clear(m.at)
}

// set sets key to val, in place when key is already set.
func (m *smallMap[V]) set(key string, val V) {
	if len(m.entries) <= smallMapLinear {
		for i := range m.entries {
			if m.entries[i].key == key {
				m.entries[i].val = val
				return
			}
		}
	} else if i, ok := m.at[key]; ok {
		m.entries[i].val = val
		return
	}
	m.entries = append(m.entries, smallEntry[V]{key: key, val: val})
	switch n := len(m.entries); {
	case n == smallMapLinear+1:
		if m.at == nil {
			m.at = make(map[string]int)
		}
		for i, e := range m.entries {
			m.at[e.key] = i
		}
	case n > smallMapLinear+1:
		m.at[key] = n - 1
	}
}
