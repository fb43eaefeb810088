package fake_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/fake"
)

func resources() []*metav1.APIResourceList {
	return []*metav1.APIResourceList{
		{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{
			{Name: "deployments", Namespaced: true, Kind: "Deployment", Verbs: []string{"get", "list"}},
			{Name: "deployments/scale", Namespaced: true, Group: "autoscaling", Version: "v1", Kind: "Scale"},
		}},
		{GroupVersion: "v1", APIResources: []metav1.APIResource{
			{Name: "pods", Namespaced: true, Kind: "Pod", Verbs: []string{"get", "list", "create"}},
			{Name: "nodes", Kind: "Node", Verbs: []string{"get"}},
		}},
		{GroupVersion: "batch/v1", APIResources: []metav1.APIResource{{Name: "jobs", Namespaced: true, Kind: "Job"}}},
		{GroupVersion: "apps/v1beta1", APIResources: []metav1.APIResource{
			{Name: "deployments", Namespaced: true, Kind: "Deployment"},
			{Name: "statefulsets", Namespaced: true, Kind: "StatefulSet"},
		}},
	}
}

func TestGroupsAreDeterministic(t *testing.T) {
	f := &fake.FakeDiscovery{Resources: resources()}
	for range 5 {
		groups, err := f.ServerGroups()
		require.NoError(t, err)
		var names []string
		for _, g := range groups.Groups {
			names = append(names, g.Name+"="+g.PreferredVersion.Version)
		}
		assert.Equal(t, []string{"=v1", "apps=v1", "batch=v1"}, names)
		assert.Equal(t, []metav1.GroupVersionForDiscovery{
			{GroupVersion: "apps/v1", Version: "v1"}, {GroupVersion: "apps/v1beta1", Version: "v1beta1"},
		}, groups.Groups[1].Versions)
	}
}

func TestGroupsAndResourcesAndPreferred(t *testing.T) {
	f := &fake.FakeDiscovery{Resources: resources()}
	groups, lists, err := f.ServerGroupsAndResources()
	require.NoError(t, err)
	assert.Len(t, groups, 3)
	var gvs []string
	for _, l := range lists {
		gvs = append(gvs, l.GroupVersion)
	}
	assert.Equal(t, []string{"v1", "apps/v1", "apps/v1beta1", "batch/v1"}, gvs)

	preferred, err := f.ServerPreferredResources()
	require.NoError(t, err)
	var names []string
	for _, l := range preferred {
		for _, r := range l.APIResources {
			names = append(names, l.GroupVersion+" "+r.Name)
		}
	}
	// statefulsets exist only in v1beta1, so that version supplies them.
	assert.Equal(t, []string{"v1 pods", "v1 nodes", "apps/v1 deployments", "apps/v1beta1 statefulsets", "batch/v1 jobs"}, names)

	namespaced, err := f.ServerPreferredNamespacedResources()
	require.NoError(t, err)
	for _, l := range namespaced {
		for _, r := range l.APIResources {
			assert.True(t, r.Namespaced, r.Name)
		}
	}
}

func TestFailuresArePartial(t *testing.T) {
	batch := schema.GroupVersion{Group: "batch", Version: "v1"}
	f := &fake.FakeDiscovery{Resources: resources(), Failures: map[schema.GroupVersion]error{
		batch: apierrors.NewServiceUnavailable("down"),
	}}
	_, lists, err := f.ServerGroupsAndResources()
	groups, ok := discovery.GroupDiscoveryFailedErrorGroups(err)
	require.True(t, ok, "err: %v", err)
	assert.Contains(t, groups, batch)
	assert.Len(t, lists, 3)
}

func TestUnmodeledMethodsReturnErrors(t *testing.T) {
	f := &fake.FakeDiscovery{}
	_, err := f.ServerVersion()
	assert.ErrorIs(t, err, fake.ErrNotModeled)
	_, err = f.OpenAPISchema()
	assert.ErrorIs(t, err, fake.ErrNotModeled)
	_, err = f.OpenAPIV3().Paths()
	assert.ErrorIs(t, err, fake.ErrNotModeled)

	f.FakedServerVersion = &version.Info{GitVersion: "v1.37.2"}
	v, err := f.ServerVersion()
	require.NoError(t, err)
	assert.Equal(t, "v1.37.2", v.GitVersion)
}

func TestBadInputIsAnErrorNotAPanic(t *testing.T) {
	f := &fake.FakeDiscovery{Resources: []*metav1.APIResourceList{nil, {GroupVersion: "a/b/c"}}}
	_, err := f.ServerGroups()
	assert.Error(t, err)
	_, _, err = f.ServerGroupsAndResources()
	assert.Error(t, err)
	_, err = f.ServerResourcesForGroupVersion("")
	assert.Error(t, err)
	_, err = f.ServerResourcesForGroupVersion("nope/v1")
	assert.True(t, apierrors.IsNotFound(err))
	assert.False(t, errors.Is(err, fake.ErrNotModeled))
	assert.Equal(t, "ServerGroups", f.Actions()[0])
}

func TestHelpers(t *testing.T) {
	f := &fake.FakeDiscovery{Resources: resources()}
	require.NoError(t, discovery.ServerSupportsVersion(f, schema.GroupVersion{Group: "apps", Version: "v1"}))
	err := discovery.ServerSupportsVersion(f, schema.GroupVersion{Group: "apps", Version: "v2"})
	assert.ErrorIs(t, err, discovery.ErrVersionNotSupported)

	ok, err := discovery.IsResourceEnabled(f, schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"})
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = discovery.IsResourceEnabled(f, schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "widgets"})
	require.NoError(t, err)
	assert.False(t, ok)
	ok, err = discovery.IsResourceEnabled(f, schema.GroupVersionResource{Group: "nope", Version: "v1", Resource: "x"})
	require.NoError(t, err, "a missing group-version is not an error")
	assert.False(t, ok)

	lists := resources()
	filtered := discovery.FilteredBy(discovery.SupportsAllVerbs{Verbs: []string{"get", "list"}}, lists)
	require.Len(t, filtered, 2)
	assert.Equal(t, "apps/v1", filtered[0].GroupVersion)
	assert.Equal(t, "deployments", filtered[0].APIResources[0].Name)
	assert.Len(t, filtered[1].APIResources, 1, "pods only; nodes lack list")
	assert.Len(t, lists[1].APIResources, 2, "the input is not changed")
	assert.Len(t, discovery.FilteredBy(discovery.SupportsAllVerbs{}, lists), 4)

	gvrs, err := discovery.GroupVersionResources(lists)
	require.NoError(t, err)
	assert.Contains(t, gvrs, schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments/scale"})
	assert.Contains(t, gvrs, schema.GroupVersionResource{Version: "v1", Resource: "pods"})
	assert.Len(t, gvrs, 7)
	_, err = discovery.GroupVersionResources([]*metav1.APIResourceList{{GroupVersion: "a/b/c"}})
	assert.Error(t, err)
}

// TestListsHaveTheShapeOfEveryPath gives the fake lists in the legacy
// shape: answers carry Group, Version and subresources' SingularName, as
// discovery from a real server does, and the fake's input is left alone.
func TestListsHaveTheShapeOfEveryPath(t *testing.T) {
	in := &metav1.APIResourceList{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{
		{Name: "deployments", SingularName: "deployment", Namespaced: true, Kind: "Deployment"},
		{Name: "deployments/scale", Namespaced: true, Group: "autoscaling", Version: "v1", Kind: "Scale"},
		{Name: "deployments/status", Namespaced: true, Kind: "Deployment"},
	}}
	f := &fake.FakeDiscovery{Resources: []*metav1.APIResourceList{in}}
	want := []metav1.APIResource{
		{Name: "deployments", SingularName: "deployment", Namespaced: true, Group: "apps", Version: "v1", Kind: "Deployment"},
		{Name: "deployments/scale", SingularName: "deployment", Namespaced: true, Group: "autoscaling", Version: "v1", Kind: "Scale"},
		{Name: "deployments/status", SingularName: "deployment", Namespaced: true, Group: "apps", Version: "v1", Kind: "Deployment"},
	}
	list, err := f.ServerResourcesForGroupVersion("apps/v1")
	require.NoError(t, err)
	assert.Equal(t, want, list.APIResources)
	_, lists, err := f.ServerGroupsAndResources()
	require.NoError(t, err)
	require.Len(t, lists, 1)
	assert.Equal(t, want, lists[0].APIResources)
	assert.Empty(t, in.APIResources[0].Group, "Resources is not written to")
}
