package restmapper_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/fake"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/restmapper/restmappertest"
)

// withShortNames adds a CRD group x.example.com whose "deployers" claim the
// short names "deploy" (taken by apps) and "pods" (a core full name).
func withShortNames() []*restmapper.APIGroupResources {
	g := crdGroup("x.example.com", []string{"Deployer"}, "v1")
	g.VersionedResources["v1"][0].ShortNames = []string{"deploy", "pods", "dp"}
	return append(restmappertest.Builtin(), g)
}

func fakeFor(groups []*restmapper.APIGroupResources) *fake.FakeDiscovery {
	_, lists := restmappertest.Discovery(groups)
	return &fake.FakeDiscovery{Resources: lists}
}

func TestShortcutExpansion(t *testing.T) {
	groups := withShortNames()
	var warnings []string
	e := restmapper.NewShortcutExpander(restmapper.NewDiscoveryRESTMapper(groups), fakeFor(groups), func(w string) { warnings = append(warnings, w) })

	cases := []struct {
		in   schema.GroupVersionResource
		want schema.GroupVersionResource
	}{
		{schema.GroupVersionResource{Resource: "po"}, schema.GroupVersionResource{Version: "v1", Resource: "pods"}},
		{schema.GroupVersionResource{Resource: "PO"}, schema.GroupVersionResource{Version: "v1", Resource: "pods"}},
		{schema.GroupVersionResource{Resource: "deploy"}, schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}},
		{schema.GroupVersionResource{Resource: "hpa"}, schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}},
		// The version asked for is kept.
		{schema.GroupVersionResource{Version: "v1", Resource: "hpa"}, schema.GroupVersionResource{Group: "autoscaling", Version: "v1", Resource: "horizontalpodautoscalers"}},
		// A group restricts the short names considered, then matches by prefix.
		{schema.GroupVersionResource{Group: "x.example.com", Resource: "deploy"}, schema.GroupVersionResource{Group: "x.example.com", Version: "v1", Resource: "deployers"}},
		{schema.GroupVersionResource{Group: "autoscal", Resource: "hpa"}, schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}},
		// Full names beat short names.
		{schema.GroupVersionResource{Resource: "pods"}, schema.GroupVersionResource{Version: "v1", Resource: "pods"}},
		{schema.GroupVersionResource{Resource: "dp"}, schema.GroupVersionResource{Group: "x.example.com", Version: "v1", Resource: "deployers"}},
	}
	for _, c := range cases {
		got, err := e.ResourceFor(c.in)
		require.NoError(t, err, "%v", c.in)
		assert.Equal(t, c.want, got, "%v", c.in)
	}
	assert.Equal(t, []string{`short name "deploy" could also match lower priority resource deployers.x.example.com`}, warnings)

	// "ev" is declared by core events and events.k8s.io events: the core
	// group, first in discovery order, wins, with a warning.
	warnings = nil
	gvk, err := e.KindFor(schema.GroupVersionResource{Resource: "ev"})
	require.NoError(t, err)
	assert.Equal(t, schema.GroupVersionKind{Version: "v1", Kind: "Event"}, gvk)
	assert.Equal(t, []string{`short name "ev" could also match lower priority resource events.events.k8s.io`}, warnings)

	kinds, err := e.KindsFor(schema.GroupVersionResource{Resource: "sts"})
	require.NoError(t, err)
	assert.Equal(t, []schema.GroupVersionKind{{Group: "apps", Version: "v1", Kind: "StatefulSet"}}, kinds)
	rs, err := e.ResourcesFor(schema.GroupVersionResource{Resource: "crd"})
	require.NoError(t, err)
	assert.Equal(t, "customresourcedefinitions", rs[0].Resource)
	s, err := e.ResourceSingularizer("cm")
	require.NoError(t, err)
	assert.Equal(t, "configmap", s)
	m, err := e.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deployment"})
	require.NoError(t, err)
	assert.Equal(t, "deployments", m.Resource.Resource)
	ms, err := e.RESTMappings(schema.GroupKind{Group: "apps", Kind: "Deployment"})
	require.NoError(t, err)
	assert.Len(t, ms, 1)

	_, err = e.KindFor(schema.GroupVersionResource{Resource: "nope"})
	assert.True(t, meta.IsNoMatchError(err))
}

func TestShortcutRereadsDiscoveryOnMiss(t *testing.T) {
	before := restmappertest.Builtin()
	after := append(restmappertest.Builtin(), crdGroup("x.example.com", []string{"Widget"}, "v1"))
	after[len(after)-1].VersionedResources["v1"][0].ShortNames = []string{"wd"}
	_, afterLists := restmappertest.Discovery(after)
	d := &switching{FakeDiscovery: fakeFor(before), after: afterLists}
	e := restmapper.NewShortcutExpander(restmapper.NewDiscoveryRESTMapper(after), d, nil)

	gvr, err := e.ResourceFor(schema.GroupVersionResource{Resource: "wd"})
	require.NoError(t, err)
	assert.Equal(t, "widgets", gvr.Resource)
	assert.Equal(t, 2, d.reads)
}

// switching is a discovery client whose second and later answers include
// a group its first answer lacked, as when a CRD is installed between two
// reads.
type switching struct {
	*fake.FakeDiscovery
	after []*metav1.APIResourceList
	reads int
}

func (s *switching) WithContext(context.Context) discovery.DiscoveryInterface { return s }

func (s *switching) ServerGroupsAndResources() ([]*metav1.APIGroup, []*metav1.APIResourceList, error) {
	s.reads++
	if s.reads > 1 {
		s.FakeDiscovery.Resources = s.after
	}
	return s.FakeDiscovery.ServerGroupsAndResources()
}

func TestShortcutResetReachesDelegate(t *testing.T) {
	_, cache, deferred := newDeferredEnv(t)
	e := restmapper.NewShortcutExpander(deferred, cache, nil)
	_, err := e.KindFor(schema.GroupVersionResource{Resource: "deploy"})
	require.NoError(t, err)
	e.Reset()
	assert.Equal(t, "DeferredDiscoveryRESTMapper{not loaded}", deferred.String())
	assert.Positive(t, cache.invalidated.Load())
}

func TestCategoryExpansion(t *testing.T) {
	groups := restmappertest.Builtin()
	d := fakeFor(groups)
	e := restmapper.NewDiscoveryCategoryExpander(d)
	all, ok := e.Expand("all")
	require.True(t, ok)
	assert.Equal(t, []schema.GroupResource{
		{Resource: "pods"}, {Resource: "replicationcontrollers"}, {Resource: "services"},
		{Group: "apps", Resource: "daemonsets"}, {Group: "apps", Resource: "deployments"},
		{Group: "apps", Resource: "replicasets"}, {Group: "apps", Resource: "statefulsets"},
		{Group: "autoscaling", Resource: "horizontalpodautoscalers"},
		{Group: "batch", Resource: "cronjobs"}, {Group: "batch", Resource: "jobs"},
	}, all, "core first, each resource once though autoscaling serves two versions")
	_, ok = e.Expand("nothing")
	assert.False(t, ok)

	// A failing group-version leaves the rest usable.
	d.Failures = map[schema.GroupVersion]error{{Group: "apps", Version: "v1"}: assert.AnError}
	all, ok = e.Expand("all")
	require.True(t, ok)
	assert.NotContains(t, all, schema.GroupResource{Group: "apps", Resource: "deployments"})
	assert.Contains(t, all, schema.GroupResource{Resource: "pods"})

	_, ok = restmapper.NewDiscoveryCategoryExpander(nil).Expand("all")
	assert.False(t, ok)

	union := restmapper.UnionCategoryExpander{
		restmapper.SimpleCategoryExpander{Expansions: map[string][]schema.GroupResource{"mine": {{Group: "x.io", Resource: "widgets"}}, "all": {{Resource: "pods"}, {Resource: "secrets"}}}},
		e,
		nil,
	}
	got, ok := union.Expand("all")
	require.True(t, ok)
	assert.Equal(t, []schema.GroupResource{{Resource: "pods"}, {Resource: "secrets"}, {Resource: "replicationcontrollers"}}, got[:3])
	got, ok = union.Expand("mine")
	require.True(t, ok)
	assert.Len(t, got, 1)
}
