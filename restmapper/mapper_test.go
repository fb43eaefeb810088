package restmapper_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/restmapper/restmappertest"
)

// group builds a group from "plural|singular|Kind[|cluster]" entries per
// version; the first version listed is preferred unless preferred is set.
func group(name, preferred string, versions map[string][]string, order ...string) *restmapper.APIGroupResources {
	g := &restmapper.APIGroupResources{Group: metav1.APIGroup{Name: name}, VersionedResources: map[string][]metav1.APIResource{}}
	for _, v := range order {
		gv := schema.GroupVersion{Group: name, Version: v}.String()
		g.Group.Versions = append(g.Group.Versions, metav1.GroupVersionForDiscovery{GroupVersion: gv, Version: v})
		for _, spec := range versions[v] {
			parts := strings.Split(spec, "|")
			r := metav1.APIResource{Name: parts[0], SingularName: parts[1], Kind: parts[2], Namespaced: true}
			if len(parts) > 3 && parts[3] == "cluster" {
				r.Namespaced = false
			}
			g.VersionedResources[v] = append(g.VersionedResources[v], r)
		}
	}
	if preferred == "" {
		preferred = order[0]
	}
	g.Group.PreferredVersion = metav1.GroupVersionForDiscovery{GroupVersion: schema.GroupVersion{Group: name, Version: preferred}.String(), Version: preferred}
	return g
}

// competing is a discovery result where groups compete for names: the core
// group is listed last, a CRD group named like apps defines deployments
// and events, and a group prefers its second version.
func competing() []*restmapper.APIGroupResources {
	return []*restmapper.APIGroupResources{
		group("apps.example.com", "", map[string][]string{
			"v1": {"deployments|deployment|Deployment", "events|event|Event"},
		}, "v1"),
		group("apps", "", map[string][]string{
			"v1": {"deployments|deployment|Deployment", "deployments/scale||Scale"},
		}, "v1"),
		group("widgets.io", "v2", map[string][]string{
			"v1": {"widgets|widget|Widget", "gizmos|gizmo|Gizmo"},
			"v2": {"widgets|widget|Widget|cluster"},
		}, "v1", "v2"),
		group("", "", map[string][]string{
			"v1": {"events|event|Event", "pods|pod|Pod"},
		}, "v1"),
	}
}

func TestPriorityCompetingGroups(t *testing.T) {
	m := restmapper.NewDiscoveryRESTMapper(competing())

	// The core group's v1 wins wherever discovery lists it.
	gvk, err := m.KindFor(schema.GroupVersionResource{Resource: "events"})
	require.NoError(t, err)
	assert.Equal(t, schema.GroupVersionKind{Version: "v1", Kind: "Event"}, gvk)

	// Between other groups, discovery order decides, as in client-go: the
	// CRD group listed first wins a bare name, and "apps" as a group also
	// matches apps.example.com by prefix.
	gvr, err := m.ResourceFor(schema.GroupVersionResource{Resource: "deployments"})
	require.NoError(t, err)
	assert.Equal(t, "apps.example.com", gvr.Group)
	gvr, err = m.ResourceFor(schema.GroupVersionResource{Group: "apps", Resource: "deployments"})
	require.NoError(t, err)
	assert.Equal(t, "apps.example.com", gvr.Group)
	all, err := m.ResourcesFor(schema.GroupVersionResource{Group: "apps", Resource: "deployment"})
	require.NoError(t, err)
	assert.Equal(t, []schema.GroupVersionResource{
		{Group: "apps.example.com", Version: "v1", Resource: "deployments"},
		{Group: "apps", Version: "v1", Resource: "deployments"},
	}, all)
	gvr, err = m.ResourceFor(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"})
	require.NoError(t, err)
	assert.Equal(t, "apps", gvr.Group)

	// A group's preferred version comes before its others, even when listed
	// second; an explicit version wins over the preferred one.
	mapping, err := m.RESTMapping(schema.GroupKind{Group: "widgets.io", Kind: "Widget"})
	require.NoError(t, err)
	assert.Equal(t, "v2", mapping.Resource.Version)
	assert.Equal(t, meta.RESTScopeNameRoot, mapping.Scope.Name())
	mapping, err = m.RESTMapping(schema.GroupKind{Group: "widgets.io", Kind: "Widget"}, "v9", "v1")
	require.NoError(t, err)
	assert.Equal(t, "v1", mapping.Resource.Version)
	assert.Equal(t, meta.RESTScopeNameNamespace, mapping.Scope.Name())
	kinds, err := m.KindsFor(schema.GroupVersionResource{Resource: "widgets"})
	require.NoError(t, err)
	assert.Equal(t, []string{"v2", "v1"}, []string{kinds[0].Version, kinds[1].Version})
	mappings, err := m.RESTMappings(schema.GroupKind{Group: "widgets.io", Kind: "Widget"})
	require.NoError(t, err)
	require.Len(t, mappings, 2)
	assert.Equal(t, "v2", mappings[0].Resource.Version)

	// A kind only in the non-preferred version still maps.
	mapping, err = m.RESTMapping(schema.GroupKind{Group: "widgets.io", Kind: "Gizmo"})
	require.NoError(t, err)
	assert.Equal(t, "v1", mapping.Resource.Version)

	// Versions that serve nothing matching give NoKindMatchError.
	_, err = m.RESTMapping(schema.GroupKind{Group: "widgets.io", Kind: "Widget"}, "v9")
	var noKind *meta.NoKindMatchError
	require.ErrorAs(t, err, &noKind)
	assert.Equal(t, []string{"v9"}, noKind.SearchedVersions)
	assert.True(t, meta.IsNoMatchError(err))
}

func TestPriorityOrderIsStable(t *testing.T) {
	// Reversing the non-core groups reverses who wins between them.
	groups := competing()
	groups[0], groups[1] = groups[1], groups[0]
	m := restmapper.NewDiscoveryRESTMapper(groups)
	gvr, err := m.ResourceFor(schema.GroupVersionResource{Resource: "deployments"})
	require.NoError(t, err)
	assert.Equal(t, "apps", gvr.Group)
}

func TestAmbiguousInOneGroupVersion(t *testing.T) {
	// "data" is one resource's plural and another's singular: no priority
	// can choose between them.
	m := restmapper.NewDiscoveryRESTMapper([]*restmapper.APIGroupResources{
		group("x.io", "", map[string][]string{"v1": {"data|datum|Datum", "datas|data|Data"}}, "v1"),
	})
	_, err := m.ResourceFor(schema.GroupVersionResource{Resource: "data"})
	var amb *meta.AmbiguousResourceError
	require.ErrorAs(t, err, &amb)
	assert.ElementsMatch(t, []schema.GroupVersionResource{
		{Group: "x.io", Version: "v1", Resource: "data"},
		{Group: "x.io", Version: "v1", Resource: "datas"},
	}, amb.MatchingResources)
	assert.True(t, meta.IsAmbiguousError(err))

	// Fully qualified, the resource whose plural it is wins.
	gvr, err := m.ResourceFor(schema.GroupVersionResource{Group: "x.io", Version: "v1", Resource: "data"})
	require.NoError(t, err)
	assert.Equal(t, "data", gvr.Resource)
}

func TestNamesAndCase(t *testing.T) {
	m := restmapper.NewDiscoveryRESTMapper(restmappertest.Builtin())
	for _, name := range []string{"deployments", "deployment", "Deployment", "DEPLOYMENTS", "deploYment"} {
		gvk, err := m.KindFor(schema.GroupVersionResource{Resource: name})
		require.NoError(t, err, name)
		assert.Equal(t, schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, gvk, name)
	}
	// Short names are the shortcut expander's business, subresources never
	// map, and kinds are matched exactly or lower-cased.
	for _, name := range []string{"deploy", "deployments/scale", "pods/status"} {
		_, err := m.KindFor(schema.GroupVersionResource{Resource: name})
		assert.True(t, meta.IsNoMatchError(err), name)
	}
	_, err := m.RESTMapping(schema.GroupKind{Group: "apps", Kind: "deployment"})
	require.NoError(t, err)
	_, err = m.RESTMapping(schema.GroupKind{Group: "apps", Kind: "DEPLOYMENT"})
	assert.True(t, meta.IsNoMatchError(err))

	s, err := m.ResourceSingularizer("Deployments")
	require.NoError(t, err)
	assert.Equal(t, "deployment", s)
	s, err = m.ResourceSingularizer("nothings")
	assert.Equal(t, "nothings", s)
	assert.True(t, meta.IsNoMatchError(err))

	_, err = m.KindFor(schema.GroupVersionResource{Group: "apps"})
	require.Error(t, err)
	assert.False(t, meta.IsNoMatchError(err), "an empty resource is a usage error, not a miss")
}

func TestLongAndNonASCIINames(t *testing.T) {
	long := strings.Repeat("x", 80) + "s"
	m := restmapper.NewDiscoveryRESTMapper([]*restmapper.APIGroupResources{
		group("x.io", "", map[string][]string{"v1": {long + "|" + long[:80] + "|Long", "pöds|pöd|Pöd"}}, "v1"),
	})
	gvr, err := m.ResourceFor(schema.GroupVersionResource{Resource: strings.ToUpper(long)})
	require.NoError(t, err)
	assert.Equal(t, long, gvr.Resource)
	gvr, err = m.ResourceFor(schema.GroupVersionResource{Resource: "PÖDS"})
	require.NoError(t, err)
	assert.Equal(t, "pöds", gvr.Resource)
}

func TestGuessedSingularAndListKinds(t *testing.T) {
	// Without a singular name, the lower-cased kind serves; like client-go,
	// the mapper also answers for the guessed "<Kind>List" and "List" kinds.
	m := restmapper.NewDiscoveryRESTMapper([]*restmapper.APIGroupResources{
		group("x.io", "", map[string][]string{"v1": {"gadgets||Gadget|cluster"}}, "v1"),
	})
	gvk, err := m.KindFor(schema.GroupVersionResource{Resource: "gadget"})
	require.NoError(t, err)
	assert.Equal(t, "Gadget", gvk.Kind)
	mapping, err := m.RESTMapping(schema.GroupKind{Group: "x.io", Kind: "GadgetList"})
	require.NoError(t, err)
	assert.Equal(t, "gadgetlists", mapping.Resource.Resource)
	assert.Equal(t, meta.RESTScopeNameRoot, mapping.Scope.Name())
}

func TestEmptyMapper(t *testing.T) {
	m := restmapper.NewDiscoveryRESTMapper(nil)
	_, err := m.KindFor(schema.GroupVersionResource{Resource: "pods"})
	assert.True(t, meta.IsNoMatchError(err))
	_, err = m.RESTMapping(schema.GroupKind{Kind: "Pod"})
	assert.True(t, meta.IsNoMatchError(err))
	_, err = m.ResourceSingularizer("pods")
	assert.True(t, meta.IsNoMatchError(err))
	assert.Equal(t, "DiscoveryRESTMapper{[]}", m.String())
}

// TestHitsDoNotAllocate pins the promise that a hit costs no allocation,
// through the concrete type and through meta.RESTMapper, with names that
// need lower-casing.
func TestHitsDoNotAllocate(t *testing.T) {
	groups := restmappertest.GroupResources(2000)
	m := restmapper.NewDiscoveryRESTMapper(groups)
	var iface meta.RESTMapper = m
	last := groups[len(groups)-1]
	thing := last.VersionedResources[last.Group.PreferredVersion.Version][0]
	deploy := schema.GroupKind{Group: "apps", Kind: "Deployment"}

	cases := map[string]func() error{
		"RESTMapping": func() error { _, err := m.RESTMapping(deploy); return err },
		"RESTMapping with version": func() error {
			_, err := m.RESTMapping(schema.GroupKind{Group: last.Group.Name, Kind: thing.Kind}, "v1")
			return err
		},
		"RESTMapping via interface": func() error { _, err := iface.RESTMapping(deploy); return err },
		// Mappings of derived kinds are built on first use, then shared.
		"RESTMapping lower-cased kind": func() error {
			_, err := m.RESTMapping(schema.GroupKind{Group: "apps", Kind: "deployment"})
			return err
		},
		"RESTMapping guessed list kind": func() error {
			_, err := m.RESTMapping(schema.GroupKind{Group: "apps", Kind: "DeploymentList"}, "v1")
			return err
		},
		"KindFor": func() error {
			_, err := m.KindFor(schema.GroupVersionResource{Group: last.Group.Name, Resource: thing.Name})
			return err
		},
		"KindFor upper case via interface": func() error {
			_, err := iface.KindFor(schema.GroupVersionResource{Resource: "DEPLOYMENTS"})
			return err
		},
		"KindFor competing": func() error {
			_, err := m.KindFor(schema.GroupVersionResource{Version: "v1", Resource: "widgets"})
			return err
		},
		"ResourceFor": func() error {
			_, err := m.ResourceFor(schema.GroupVersionResource{Resource: "Pod"})
			return err
		},
	}
	for name, f := range cases {
		require.NoError(t, f(), name)
		assert.Zero(t, testing.AllocsPerRun(200, func() { _ = f() }), name)
	}
}

func TestErrorsAreApimachinerys(t *testing.T) {
	m := restmapper.NewDiscoveryRESTMapper(restmappertest.Builtin())
	_, err := m.KindFor(schema.GroupVersionResource{Resource: "nothings"})
	var noRes *meta.NoResourceMatchError
	require.True(t, errors.As(err, &noRes))
	assert.Equal(t, "nothings", noRes.PartialResource.Resource)
}

// TestDerivedKindMappings pins the mappings of the kinds client-go derives
// from a declared one, which the index builds on first use: their values,
// and that goroutines asking at once all get the one shared mapping.
func TestDerivedKindMappings(t *testing.T) {
	m := restmapper.NewDiscoveryRESTMapper([]*restmapper.APIGroupResources{
		group("apps", "", map[string][]string{"v1": {"deployments|deployment|Deployment"}}, "v1"),
	})
	want := map[string]meta.RESTMapping{
		"Deployment":     {Resource: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, Scope: meta.RESTScopeNamespace},
		"deployment":     {Resource: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, Scope: meta.RESTScopeNamespace},
		"DeploymentList": {Resource: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deploymentlists"}, Scope: meta.RESTScopeNamespace},
		"List":           {Resource: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "lists"}, Scope: meta.RESTScopeRoot},
	}
	for kind, w := range want {
		gk := schema.GroupKind{Group: "apps", Kind: kind}
		w.GroupVersionKind = gk.WithVersion("v1")
		got := make([]*meta.RESTMapping, 8)
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() {
				mapping, err := m.RESTMapping(gk)
				assert.NoError(t, err, kind)
				got[i] = mapping
			})
		}
		wg.Wait()
		require.NotNil(t, got[0], kind)
		assert.Equal(t, w, *got[0], kind)
		for _, g := range got[1:] {
			assert.Same(t, got[0], g, kind)
		}
		all, err := m.RESTMappings(gk)
		require.NoError(t, err, kind)
		require.Len(t, all, 1, kind)
		assert.Same(t, got[0], all[0], kind)
	}
}
