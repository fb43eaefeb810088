package discovery_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/discoverytest"
)

func TestCompleteResourceList(t *testing.T) {
	legacy := &metav1.APIResourceList{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{
		{Name: "deployments", SingularName: "deployment", Namespaced: true, Kind: "Deployment"},
		{Name: "deployments/scale", Namespaced: true, Group: "autoscaling", Version: "v1", Kind: "Scale"},
		{Name: "deployments/status", Namespaced: true, Kind: "Deployment"},
		// A subresource listed before its parent, and one whose parent is
		// not in the list, keep what can be known.
		{Name: "replicasets/status", Namespaced: true, Kind: "ReplicaSet"},
		{Name: "replicasets", SingularName: "replicaset", Namespaced: true, Kind: "ReplicaSet"},
		{Name: "orphans/status", Kind: "Orphan"},
		// A kind of the core group in another group's list.
		{Name: "deployments/proxy", Version: "v1", Kind: "Status"},
	}}
	before := *legacy
	before.APIResources = append([]metav1.APIResource(nil), legacy.APIResources...)

	got := discovery.CompleteResourceList(legacy)
	assert.Equal(t, []metav1.APIResource{
		{Name: "deployments", SingularName: "deployment", Namespaced: true, Group: "apps", Version: "v1", Kind: "Deployment"},
		{Name: "deployments/scale", SingularName: "deployment", Namespaced: true, Group: "autoscaling", Version: "v1", Kind: "Scale"},
		{Name: "deployments/status", SingularName: "deployment", Namespaced: true, Group: "apps", Version: "v1", Kind: "Deployment"},
		{Name: "replicasets/status", SingularName: "replicaset", Namespaced: true, Group: "apps", Version: "v1", Kind: "ReplicaSet"},
		{Name: "replicasets", SingularName: "replicaset", Namespaced: true, Group: "apps", Version: "v1", Kind: "ReplicaSet"},
		{Name: "orphans/status", Group: "apps", Version: "v1", Kind: "Orphan"},
		{Name: "deployments/proxy", SingularName: "deployment", Version: "v1", Kind: "Status"},
	}, got.APIResources)
	assert.Equal(t, &before, legacy, "the input, which may be shared with a cache, is not written to")

	assert.Same(t, got, discovery.CompleteResourceList(got), "a complete list is returned as is")
	core := &metav1.APIResourceList{GroupVersion: "v1", APIResources: []metav1.APIResource{{Name: "pods", Kind: "Pod"}}}
	assert.Equal(t, metav1.APIResource{Name: "pods", Version: "v1", Kind: "Pod"}, discovery.CompleteResourceList(core).APIResources[0])
	bad := &metav1.APIResourceList{GroupVersion: "a/b/c", APIResources: []metav1.APIResource{{Name: "x"}}}
	assert.Same(t, bad, discovery.CompleteResourceList(bad))
	assert.Nil(t, discovery.CompleteResourceList(nil))
}

// TestEveryPathFillsGroupVersionAndSingular reads one resource and its
// subresources through aggregated and legacy discovery: code reading
// Group, Version or a subresource's SingularName must see the same values
// whichever way the server answered.
func TestEveryPathFillsGroupVersionAndSingular(t *testing.T) {
	api := discoverytest.Generate(discoverytest.Spec{Groups: 1, Resources: 1})
	want := map[string]metav1.APIResource{
		"r000s":        {Name: "r000s", SingularName: "r000", Group: "g000.example.com", Version: "v1", Kind: "R000"},
		"r000s/status": {Name: "r000s/status", SingularName: "r000", Group: "g000.example.com", Version: "v1", Kind: "R000"},
		"r000s/scale":  {Name: "r000s/scale", SingularName: "r000", Group: "autoscaling", Version: "v1", Kind: "Scale"},
	}
	for _, opts := range []discoverytest.ServerOptions{{}, {DisableAggregated: true}} {
		srv := discoverytest.NewServer(api, opts)
		_, lists, err := newClient(t, srv.URL).ServerGroupsAndResources()
		srv.Close()
		require.NoError(t, err)
		got := map[string]metav1.APIResource{}
		for _, l := range lists {
			if l.GroupVersion != "g000.example.com/v1" {
				continue
			}
			for _, r := range l.APIResources {
				got[r.Name] = metav1.APIResource{Name: r.Name, SingularName: r.SingularName, Group: r.Group, Version: r.Version, Kind: r.Kind}
			}
		}
		assert.Equal(t, want, got, "legacy only: %v", opts.DisableAggregated)
	}
}
