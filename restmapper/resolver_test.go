package restmapper_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/restmapper/restmappertest"
)

// resolverGroups adds to the built-ins two CRD groups that both serve
// "clusters", two groups named alike that both serve "backups", a group
// named like apps that also serves deployments, and a kind whose singular
// is not its lower-cased name.
func resolverGroups() []*restmapper.APIGroupResources {
	odd := crdGroup("odd.example.com", nil, "v1")
	odd.VersionedResources["v1"] = []metav1.APIResource{{Name: "foobarz", SingularName: "fb", Kind: "FooBar", Namespaced: false}}
	return append(restmappertest.Builtin(),
		crdGroup("a.example.com", []string{"Cluster"}, "v1"),
		crdGroup("b.example.com", []string{"Cluster"}, "v1beta1"),
		crdGroup("db.example.com", []string{"Backup"}, "v1"),
		crdGroup("db.example.org", []string{"Backup"}, "v1"),
		crdGroup("apps.example.com", []string{"Deployment"}, "v1"),
		odd,
	)
}

func newResolver(groups []*restmapper.APIGroupResources) *restmapper.Resolver {
	mapper := restmapper.NewDiscoveryRESTMapper(groups)
	return restmapper.NewResolver(restmapper.NewShortcutExpander(mapper, fakeFor(groups), nil))
}

func TestResolverResolves(t *testing.T) {
	r := newResolver(resolverGroups())
	deploy := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	hpa2 := schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}
	cases := map[string]schema.GroupVersionResource{
		"DEPLOY":                       deploy,
		"deployments.apps":             deploy,
		"deploy.apps":                  deploy,
		"Deployments.V1.Apps":          deploy,
		"deployments.apps.example.com": {Group: "apps.example.com", Version: "v1", Resource: "deployments"},
		"hpa":                          hpa2,
		"horizontalpodautoscalers.v1.autoscaling": {Group: "autoscaling", Version: "v1", Resource: "horizontalpodautoscalers"},
		"storageclasses.storage":                  {Group: "storage.k8s.io", Version: "v1", Resource: "storageclasses"},
		"events":                                  {Version: "v1", Resource: "events"},
		"ev":                                      {Version: "v1", Resource: "events"},
		"events.events.k8s.io":                    {Group: "events.k8s.io", Version: "v1", Resource: "events"},
		"clusters.a.example.com":                  {Group: "a.example.com", Version: "v1", Resource: "clusters"},
		"cluster.v1beta1.b.example.com":           {Group: "b.example.com", Version: "v1beta1", Resource: "clusters"},
		"backups.db.example.org":                  {Group: "db.example.org", Version: "v1", Resource: "backups"},
		"FooBar.odd.example.com":                  {Group: "odd.example.com", Version: "v1", Resource: "foobarz"},
		"FOOBAR.v1.odd.example.com":               {Group: "odd.example.com", Version: "v1", Resource: "foobarz"},
		"fb":                                      {Group: "odd.example.com", Version: "v1", Resource: "foobarz"},
	}
	for arg, want := range cases {
		m, err := r.Resolve(context.Background(), arg)
		if assert.NoError(t, err, arg) {
			assert.Equal(t, want, m.Resource, arg)
		}
	}

	m, err := r.Resolve(context.Background(), "nodes")
	require.NoError(t, err)
	assert.Equal(t, schema.GroupVersionKind{Version: "v1", Kind: "Node"}, m.GroupVersionKind)
	assert.Equal(t, meta.RESTScopeNameRoot, m.Scope.Name())
	m, err = r.Resolve(context.Background(), "cj")
	require.NoError(t, err)
	assert.Equal(t, schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "CronJob"}, m.GroupVersionKind)
	assert.Equal(t, meta.RESTScopeNameNamespace, m.Scope.Name())
}

func TestResolverRefusesToGuessBetweenGroups(t *testing.T) {
	groups := resolverGroups()
	r := newResolver(groups)

	// client-go's mappers pick the group discovery lists first...
	gvr, err := restmapper.NewDiscoveryRESTMapper(groups).ResourceFor(schema.GroupVersionResource{Resource: "clusters"})
	require.NoError(t, err)
	assert.Equal(t, "a.example.com", gvr.Group)

	// ...the resolver names the candidates instead. Only the core group
	// wins without being named.
	for arg, want := range map[string][]schema.GroupVersionResource{
		"deployments": {
			{Group: "apps", Version: "v1", Resource: "deployments"},
			{Group: "apps.example.com", Version: "v1", Resource: "deployments"},
		},
		"Deployment": {
			{Group: "apps", Version: "v1", Resource: "deployments"},
			{Group: "apps.example.com", Version: "v1", Resource: "deployments"},
		},
		"clusters": {
			{Group: "a.example.com", Version: "v1", Resource: "clusters"},
			{Group: "b.example.com", Version: "v1beta1", Resource: "clusters"},
		},
		"Cluster": {
			{Group: "a.example.com", Version: "v1", Resource: "clusters"},
			{Group: "b.example.com", Version: "v1beta1", Resource: "clusters"},
		},
		"backups.db": {
			{Group: "db.example.com", Version: "v1", Resource: "backups"},
			{Group: "db.example.org", Version: "v1", Resource: "backups"},
		},
	} {
		_, err := r.Resolve(context.Background(), arg)
		var amb *meta.AmbiguousResourceError
		if assert.ErrorAs(t, err, &amb, arg) {
			assert.Equal(t, want, amb.MatchingResources, arg)
		}
	}
}

func TestResolverErrors(t *testing.T) {
	r := newResolver(resolverGroups())
	for _, arg := range []string{"nothings", "nothings.apps", "deployments.v9.apps", "FooBar"} {
		_, err := r.Resolve(context.Background(), arg)
		var noMatch *meta.NoResourceMatchError
		assert.ErrorAs(t, err, &noMatch, arg)
	}
	for _, arg := range []string{"", "  ", "pods/status", ".pods", "pods.", "pods..apps", "a b"} {
		_, err := r.Resolve(context.Background(), arg)
		require.Error(t, err, arg)
		assert.False(t, meta.IsNoMatchError(err), arg)
		assert.Contains(t, err.Error(), "not a resource argument", arg)
	}
}

func TestResolverOverLazyMapper(t *testing.T) {
	e := newLazyEnv(t, resolverGroups(), serverKinds[0].opts)
	r := restmapper.NewResolver(e.mapper)
	m, err := r.Resolve(context.Background(), "clusters.a.example.com")
	require.NoError(t, err)
	assert.Equal(t, "a.example.com", m.Resource.Group)
	assert.Equal(t, 2, e.requests(), "read as clusters.v=a.group=example.com first, then as clusters.a.example.com, from the same answers")
	e.requests()
	// A typo costs a reload per reading of the argument the first time, and
	// nothing while the misses are remembered.
	_, err = r.Resolve(context.Background(), "widgets.a.example.com")
	require.True(t, meta.IsNoMatchError(err))
	assert.LessOrEqual(t, e.requests(), 8)
	for range 100 {
		_, err = r.Resolve(context.Background(), "widgets.a.example.com")
		require.True(t, meta.IsNoMatchError(err))
	}
	assert.Zero(t, e.requests())
	_, err = r.Resolve(context.Background(), "clusters")
	var amb *meta.AmbiguousResourceError
	assert.ErrorAs(t, err, &amb)
}
