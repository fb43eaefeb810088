package discovery

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestContentTypeIsGVK(t *testing.T) {
	for _, tc := range []struct {
		contentType string
		want        bool
		wantErr     bool
	}{
		{contentType: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", want: true},
		{contentType: "application/json; as=APIGroupDiscoveryList; v=v2; g=apidiscovery.k8s.io", want: true},
		{contentType: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;charset=utf-8", want: true},
		{contentType: "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"},
		{contentType: "application/json;g=apidiscovery.k8s.io;v=v2"},
		{contentType: "application/yaml;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"},
		{contentType: "application/json"},
		{contentType: "application/json; charset=utf-8"},
		{contentType: "", wantErr: true},
		{contentType: "not a content type;;", wantErr: true},
	} {
		got, err := ContentTypeIsGVK(tc.contentType, AggregatedDiscoveryGVK)
		if tc.wantErr {
			assert.Error(t, err, tc.contentType)
			assert.False(t, isAggregated(tc.contentType))
			continue
		}
		require.NoError(t, err, tc.contentType)
		assert.Equal(t, tc.want, got, tc.contentType)
	}
}

func gvk(g, v, k string) *metav1.GroupVersionKind {
	return &metav1.GroupVersionKind{Group: g, Version: v, Kind: k}
}

func TestSplitGroupsAndResources(t *testing.T) {
	list := APIGroupDiscoveryList{Items: []APIGroupDiscovery{
		{
			ObjectMeta: metav1.ObjectMeta{Name: "apps"},
			Versions: []APIVersionDiscovery{
				{Version: "v2", Freshness: DiscoveryFreshnessStale},
				{Version: "v1", Resources: []APIResourceDiscovery{
					{
						Resource: "deployments", SingularResource: "deployment", Scope: ScopeNamespace,
						ResponseKind: gvk("apps", "v1", "Deployment"), Verbs: []string{"get", "list"},
						ShortNames: []string{"deploy"}, Categories: []string{"all"},
						Subresources: []APISubresourceDiscovery{
							{Subresource: "scale", ResponseKind: gvk("autoscaling", "v1", "Scale"), Verbs: []string{"get", "update"}},
							{Subresource: "status", ResponseKind: gvk("apps", "v1", "Deployment"), Verbs: []string{"get"}},
							{Subresource: "nokind", Verbs: []string{"get"}},
						},
					},
					{
						// kube-apiserver leaves the response kind's group
						// and version empty when they are the list's.
						Resource: "replicasets", SingularResource: "replicaset", Scope: ScopeNamespace,
						ResponseKind: gvk("", "", "ReplicaSet"), Verbs: []string{"get"},
						Subresources: []APISubresourceDiscovery{
							{Subresource: "status", ResponseKind: gvk("", "", "ReplicaSet"), Verbs: []string{"get"}},
						},
					},
					{
						// A parent without a kind exists only to carry its
						// subresources.
						Resource: "carriers", Scope: ScopeCluster, ResponseKind: &metav1.GroupVersionKind{},
						Subresources: []APISubresourceDiscovery{
							{Subresource: "proxy", ResponseKind: gvk("", "v1", "Status"), Verbs: []string{"get"}},
						},
					},
				}},
			},
		},
		{
			ObjectMeta: metav1.ObjectMeta{Name: "metrics.k8s.io"},
			Versions:   []APIVersionDiscovery{{Version: "v1beta1", Freshness: DiscoveryFreshnessStale}},
		},
	}}

	groups, resources, failed := SplitGroupsAndResources(list)

	require.Len(t, groups.Groups, 1, "a group with only stale versions is left out")
	apps := groups.Groups[0]
	assert.Equal(t, "apps", apps.Name)
	assert.Equal(t, []metav1.GroupVersionForDiscovery{{GroupVersion: "apps/v1", Version: "v1"}}, apps.Versions)
	assert.Equal(t, "v1", apps.PreferredVersion.Version, "the first version that is not stale is preferred")

	staleApps := schema.GroupVersion{Group: "apps", Version: "v2"}
	staleMetrics := schema.GroupVersion{Group: "metrics.k8s.io", Version: "v1beta1"}
	assert.Equal(t, map[schema.GroupVersion]error{
		staleApps:    StaleGroupVersionError{GroupVersion: staleApps},
		staleMetrics: StaleGroupVersionError{GroupVersion: staleMetrics},
	}, failed)

	require.Len(t, resources, 1)
	got := resources[schema.GroupVersion{Group: "apps", Version: "v1"}]
	require.NotNil(t, got)
	assert.Equal(t, "apps/v1", got.GroupVersion)
	assert.Equal(t, []metav1.APIResource{
		{Name: "deployments", SingularName: "deployment", Namespaced: true, Group: "apps", Version: "v1", Kind: "Deployment",
			Verbs: []string{"get", "list"}, ShortNames: []string{"deploy"}, Categories: []string{"all"}},
		{Name: "deployments/scale", SingularName: "deployment", Namespaced: true, Group: "autoscaling", Version: "v1", Kind: "Scale", Verbs: []string{"get", "update"}},
		{Name: "deployments/status", SingularName: "deployment", Namespaced: true, Group: "apps", Version: "v1", Kind: "Deployment", Verbs: []string{"get"}},
		{Name: "replicasets", SingularName: "replicaset", Namespaced: true, Group: "apps", Version: "v1", Kind: "ReplicaSet", Verbs: []string{"get"}},
		{Name: "replicasets/status", SingularName: "replicaset", Namespaced: true, Group: "apps", Version: "v1", Kind: "ReplicaSet", Verbs: []string{"get"}},
		{Name: "carriers/proxy", Group: "", Version: "v1", Kind: "Status", Verbs: []string{"get"}},
	}, got.APIResources)
}

func TestSplitGroupsAndResourcesEmpty(t *testing.T) {
	groups, resources, failed := SplitGroupsAndResources(APIGroupDiscoveryList{})
	assert.NotNil(t, groups)
	assert.Empty(t, groups.Groups)
	assert.Empty(t, resources)
	assert.NotNil(t, failed)
}

func TestParseRootsRejectsMixedFormats(t *testing.T) {
	// A legacy /api with an aggregated /apis must not be taken for a whole
	// aggregated answer: the core group's resources would be missing.
	api := &response{body: []byte(`{"versions":["v1"]}`), contentType: "application/json"}
	apis := &response{
		body:        []byte(`{"items":[{"metadata":{"name":"apps"},"versions":[{"version":"v1"}]}]}`),
		contentType: AcceptV2,
		etag:        `"x"`,
	}
	snap, err := parseRoots(api, apis)
	require.NoError(t, err)
	assert.Nil(t, snap.Resources)
	assert.True(t, snap.ETags.IsZero())
	require.Len(t, snap.Groups.Groups, 2)
	assert.Equal(t, "", snap.Groups.Groups[0].Name)
	assert.Equal(t, "apps", snap.Groups.Groups[1].Name)
}
