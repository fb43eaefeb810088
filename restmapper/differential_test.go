package restmapper_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/restmapper/restmappertest"
)

// The tests in this file ask our mapper and the reference composition (see
// reference_test.go) the same questions and require the same answers: the
// same values, the same error types, the same messages. Lists are compared
// element by element when the reference walks group-versions in priority
// order (as it does for every real server), as sets otherwise.

var (
	groupPool   = []string{"", "a", "ab", "a.b", "apps", "apps.example.com", "b", "batch", "x.y.z"}
	versionPool = []string{"v1", "v2", "v1beta1", "v1alpha1"}
	kindPool    = []string{"Pod", "Foo", "Bar", "Endpoints", "List", "PodList", "Widget", "Deployment", "Service", "Thing", "Data", "foo", "WidgetList", "Class"}
	namePool    = []string{"pods", "foos", "foo", "bars", "endpoints", "lists", "podlists", "widgets", "deployments", "services", "thing", "things", "data", "classes", "Pods"}
)

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// randomGroups builds a discovery result meant to break a mapper: groups
// whose names prefix each other, shared and colliding names, kinds whose
// guessed list names collide with real resources, missing singulars,
// preferred versions that are unlisted or not first, listed versions without
// resources, and the core group anywhere in the list.
func randomGroups(rng *rand.Rand) []*restmapper.APIGroupResources {
	var out []*restmapper.APIGroupResources
	for _, gi := range rng.Perm(len(groupPool))[:rng.IntN(6)] {
		name := groupPool[gi]
		g := &restmapper.APIGroupResources{
			Group:              metav1.APIGroup{Name: name},
			VersionedResources: map[string][]metav1.APIResource{},
		}
		for _, vi := range rng.Perm(len(versionPool))[:1+rng.IntN(3)] {
			v := versionPool[vi]
			gv := schema.GroupVersion{Group: name, Version: v}.String()
			g.Group.Versions = append(g.Group.Versions, metav1.GroupVersionForDiscovery{GroupVersion: gv, Version: v})
			if rng.IntN(8) == 0 {
				continue // listed, not discovered
			}
			g.VersionedResources[v] = randomResources(rng)
		}
		switch rng.IntN(8) {
		case 0:
			// no preferred version
		case 1:
			g.Group.PreferredVersion = metav1.GroupVersionForDiscovery{Version: pick(rng, versionPool)}
		default:
			g.Group.PreferredVersion = g.Group.Versions[0]
		}
		if rng.IntN(10) == 0 {
			g.VersionedResources["v9"] = randomResources(rng) // discovered, not listed
		}
		out = append(out, g)
	}
	return out
}

func randomResources(rng *rand.Rand) []metav1.APIResource {
	var out []metav1.APIResource
	for range rng.IntN(6) {
		r := metav1.APIResource{
			Name:       pick(rng, namePool),
			Kind:       pick(rng, kindPool),
			Namespaced: rng.IntN(2) == 0,
		}
		switch rng.IntN(4) {
		case 0:
			// no singular: guessed from the kind
		case 1:
			r.SingularName = pick(rng, namePool)
		default:
			r.SingularName = strings.ToLower(r.Kind)
		}
		out = append(out, r)
		if rng.IntN(3) == 0 {
			out = append(out, metav1.APIResource{Name: r.Name + "/status", Kind: r.Kind, Namespaced: r.Namespaced})
		}
	}
	return out
}

// queryNames lists the names worth asking about for groups: every name and
// kind in them, in several casings, their guessed list names, and names
// that match nothing.
func queryNames(groups []*restmapper.APIGroupResources) []string {
	set := map[string]bool{"": true, "nothing": true, "lists": true, "list": true, "pods/status": true, "PODS": true}
	for _, g := range groups {
		for _, rs := range g.VersionedResources {
			for _, r := range rs {
				lk := strings.ToLower(r.Kind)
				for _, n := range []string{r.Name, r.SingularName, r.Kind, lk, strings.ToUpper(r.Name), lk + "list", lk + "lists", lk + "s"} {
					set[n] = true
				}
			}
		}
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func queryGroups(groups []*restmapper.APIGroupResources) []string {
	set := map[string]bool{"": true, "nope": true}
	for _, g := range groups {
		set[g.Group.Name] = true
		if n := g.Group.Name; len(n) > 1 {
			set[n[:len(n)/2]] = true
		}
	}
	out := make([]string, 0, len(set))
	for g := range set {
		out = append(out, g)
	}
	slices.Sort(out)
	return out
}

func queryKinds(groups []*restmapper.APIGroupResources) []string {
	set := map[string]bool{"List": true, "Nothing": true, "": true}
	for _, g := range groups {
		for _, rs := range g.VersionedResources {
			for _, r := range rs {
				set[r.Kind] = true
				set[strings.ToLower(r.Kind)] = true
				set[r.Kind+"List"] = true
				set[strings.ToUpper(r.Kind)] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

var queryVersions = append([]string{"", "__internal", "v7"}, versionPool...)

// errClass names the kind of an error so that errors of the two mappers can
// be compared: no-match and ambiguity errors by type (and, for no-match, by
// message), anything else by message.
func errClass(err error) string {
	var (
		noRes  *meta.NoResourceMatchError
		noKind *meta.NoKindMatchError
		ambRes *meta.AmbiguousResourceError
		ambKnd *meta.AmbiguousKindError
	)
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &noRes), errors.As(err, &noKind):
		return "nomatch: " + err.Error()
	case errors.As(err, &ambRes):
		return fmt.Sprintf("ambiguous resource %v", ambRes.PartialResource)
	case errors.As(err, &ambKnd):
		return fmt.Sprintf("ambiguous kind %v", ambKnd.PartialKind)
	}
	return "error: " + err.Error()
}

func sameSet[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	count := map[T]int{}
	for _, x := range a {
		count[x]++
	}
	for _, x := range b {
		count[x]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

func sameList[T comparable](ordered bool, a, b []T) bool {
	if ordered {
		return slices.Equal(a, b)
	}
	return sameSet(a, b)
}

func mappingValues(ms []*meta.RESTMapping) []meta.RESTMapping {
	out := make([]meta.RESTMapping, len(ms))
	for i, m := range ms {
		out[i] = *m
	}
	return out
}

// compareMappers asks both mappers every question worth asking about groups
// and reports each disagreement.
func compareMappers(t *testing.T, groups []*restmapper.APIGroupResources, rng *rand.Rand, sample int) {
	t.Helper()
	ours := restmapper.NewDiscoveryRESTMapper(groups)
	ref := referenceMapper(groups)
	ordered := slices.Equal(mapperOrder(groups), priorityOrder(groups))
	fails := 0
	fail := func(format string, args ...any) {
		t.Helper()
		fails++
		if fails <= 10 {
			t.Errorf(format, args...)
		}
	}

	names, qgroups, kinds := queryNames(groups), queryGroups(groups), queryKinds(groups)
	var partials []schema.GroupVersionResource
	for _, n := range names {
		for _, g := range qgroups {
			for _, v := range queryVersions {
				partials = append(partials, schema.GroupVersionResource{Group: g, Version: v, Resource: n})
			}
		}
	}
	if sample > 0 && len(partials) > sample {
		rng.Shuffle(len(partials), func(i, j int) { partials[i], partials[j] = partials[j], partials[i] })
		partials = partials[:sample]
	}
	for _, p := range partials {
		gotK, errK := ours.KindFor(p)
		wantK, wantErrK := ref.KindFor(p)
		if errClass(errK) != errClass(wantErrK) || gotK != wantK {
			fail("KindFor(%v) = %v, %v; reference %v, %v", p, gotK, errK, wantK, wantErrK)
		}
		gotKs, errKs := ours.KindsFor(p)
		wantKs, wantErrKs := ref.KindsFor(p)
		if errClass(errKs) != errClass(wantErrKs) || !sameList(ordered, gotKs, wantKs) {
			fail("KindsFor(%v) = %v, %v; reference %v, %v", p, gotKs, errKs, wantKs, wantErrKs)
		}

		gotRs, errRs := ours.ResourcesFor(p)
		wantRs, wantErrRs := ref.ResourcesFor(p)
		gotR, errR := ours.ResourceFor(p)
		wantR, wantErrR := ref.ResourceFor(p)
		if p.Group != "" && p.Version != "" && p.Version != "__internal" && len(wantRs) == 1 {
			// Fully qualified: client-go picks one match at random when the
			// name is one resource's plural and another's singular in the
			// same group-version. Any of the candidates is then right.
			cands, _ := ours.ResourcesFor(schema.GroupVersionResource{Group: p.Group, Resource: p.Resource})
			cands = slices.DeleteFunc(cands, func(r schema.GroupVersionResource) bool { return r.Group != p.Group || r.Version != p.Version })
			if len(cands) > 1 && len(gotRs) == 1 && slices.Contains(cands, gotRs[0]) && slices.Contains(cands, wantRs[0]) {
				wantRs, wantR = gotRs, gotR
			}
		}
		if errClass(errRs) != errClass(wantErrRs) || !sameList(ordered, gotRs, wantRs) {
			fail("ResourcesFor(%v) = %v, %v; reference %v, %v", p, gotRs, errRs, wantRs, wantErrRs)
		}
		if errClass(errR) != errClass(wantErrR) || gotR != wantR {
			fail("ResourceFor(%v) = %v, %v; reference %v, %v", p, gotR, errR, wantR, wantErrR)
		}
		var ambGot, ambWant *meta.AmbiguousResourceError
		if errors.As(errR, &ambGot) && errors.As(wantErrR, &ambWant) && !sameSet(ambGot.MatchingResources, ambWant.MatchingResources) {
			fail("ResourceFor(%v) ambiguous among %v; reference among %v", p, ambGot.MatchingResources, ambWant.MatchingResources)
		}
	}

	if ordered {
		for _, n := range names {
			got, err := ours.ResourceSingularizer(n)
			want, wantErr := ref.ResourceSingularizer(n)
			if len(priorityOrder(groups)) == 0 {
				continue // client-go answers ("", nil) with no groups at all
			}
			if got != want || errClass(err) != errClass(wantErr) {
				fail("ResourceSingularizer(%q) = %q, %v; reference %q, %v", n, got, err, want, wantErr)
			}
		}
	}

	versionSets := [][]string{nil, {""}, {"__internal"}, {"v7"}}
	for _, v := range versionPool {
		versionSets = append(versionSets, []string{v}, []string{"v7", v}, []string{"", v})
		for _, w := range versionPool {
			if w != v {
				versionSets = append(versionSets, []string{v, w})
			}
		}
	}
	type kindQuery struct {
		gk       schema.GroupKind
		versions []string
	}
	var kindQueries []kindQuery
	for _, g := range qgroups {
		for _, k := range kinds {
			for _, vs := range versionSets {
				kindQueries = append(kindQueries, kindQuery{schema.GroupKind{Group: g, Kind: k}, vs})
			}
		}
	}
	if sample > 0 && len(kindQueries) > sample {
		rng.Shuffle(len(kindQueries), func(i, j int) { kindQueries[i], kindQueries[j] = kindQueries[j], kindQueries[i] })
		kindQueries = kindQueries[:sample]
	}
	for _, q := range kindQueries {
		gk, vs := q.gk, q.versions
		got, err := ours.RESTMapping(gk, vs...)
		want, wantErr := ref.RESTMapping(gk, vs...)
		if errClass(err) != errClass(wantErr) || (err == nil && *got != *want) {
			fail("RESTMapping(%v, %q) = %v, %v; reference %v, %v", gk, vs, got, err, want, wantErr)
		}
		gots, err := ours.RESTMappings(gk, vs...)
		wants, wantErr := ref.RESTMappings(gk, vs...)
		if errClass(err) != errClass(wantErr) || !sameList(ordered, mappingValues(gots), mappingValues(wants)) {
			fail("RESTMappings(%v, %q) = %v, %v; reference %v, %v", gk, vs, gots, err, wants, wantErr)
		}
	}
	if fails > 10 {
		t.Errorf("... and %d more disagreements", fails-10)
	}
}

func TestDifferentialRandom(t *testing.T) {
	seeds := 300
	if testing.Short() || raceEnabled {
		seeds = 30
	}
	for seed := range seeds {
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		groups := randomGroups(rng)
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			compareMappers(t, groups, rng, 3000)
		})
	}
}

// differentialSample is how many questions of each kind a large group set
// gets.
func differentialSample() int {
	if testing.Short() || raceEnabled {
		return 1500
	}
	return 20000
}

func TestDifferentialBuiltin(t *testing.T) {
	compareMappers(t, restmappertest.Builtin(), rand.New(rand.NewPCG(1, 2)), differentialSample())
}

func TestDifferentialGenerated(t *testing.T) {
	for _, n := range []int{10, 60, 200} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			compareMappers(t, restmappertest.GroupResources(n), rand.New(rand.NewPCG(uint64(n), 3)), differentialSample()/4)
		})
	}
}
