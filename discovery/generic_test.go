package discovery_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/fake"
)

// partialClient answers as wrappers and caches do: a group list that lacks
// its last group, returned with listErr, and for the group-versions in
// stale, the list it has with that error.
type partialClient struct {
	*fake.FakeDiscovery
	listErr error
	stale   map[string]error
}

func (p *partialClient) WithContext(context.Context) discovery.DiscoveryInterface { return p }

func (p *partialClient) ServerGroups() (*metav1.APIGroupList, error) {
	groups, err := p.FakeDiscovery.ServerGroups()
	if err != nil {
		return nil, err
	}
	groups.Groups = groups.Groups[:len(groups.Groups)-1]
	return groups, p.listErr
}

func (p *partialClient) ServerResourcesForGroupVersion(gv string) (*metav1.APIResourceList, error) {
	list, err := p.FakeDiscovery.ServerResourcesForGroupVersion(gv)
	if e, ok := p.stale[gv]; ok {
		return list, e
	}
	return list, err
}

// aggregatedPartialClient is partialClient answering in one round, as an
// aggregated cache does.
type aggregatedPartialClient struct{ *partialClient }

func (p aggregatedPartialClient) WithContext(context.Context) discovery.DiscoveryInterface { return p }

func (p aggregatedPartialClient) GroupsAndMaybeResources() (*metav1.APIGroupList, map[schema.GroupVersion]*metav1.APIResourceList, map[schema.GroupVersion]error, error) {
	groups, err := p.ServerGroups()
	resources := map[schema.GroupVersion]*metav1.APIResourceList{}
	failed := map[schema.GroupVersion]error{}
	for _, g := range groups.Groups {
		for _, v := range g.Versions {
			gv := schema.GroupVersion{Group: g.Name, Version: v.Version}
			list, e := p.ServerResourcesForGroupVersion(gv.String())
			if list != nil {
				resources[gv] = list
			}
			if e != nil {
				failed[gv] = e
			}
		}
	}
	return groups, resources, failed, err
}

var (
	errListIncomplete = errors.New("cache: the group list is from before the outage")
	errStale          = errors.New("cache: last known list")
)

func partialClients() map[string]discovery.DiscoveryInterface {
	newPartial := func() *partialClient {
		return &partialClient{
			FakeDiscovery: &fake.FakeDiscovery{Resources: []*metav1.APIResourceList{
				{GroupVersion: "v1", APIResources: []metav1.APIResource{{Name: "pods", Namespaced: true, Kind: "Pod"}}},
				{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{{Name: "deployments", Namespaced: true, Kind: "Deployment"}}},
				{GroupVersion: "batch/v1", APIResources: []metav1.APIResource{{Name: "jobs", Namespaced: true, Kind: "Job"}}},
			}},
			listErr: errListIncomplete,
			stale:   map[string]error{"apps/v1": errStale},
		}
	}
	return map[string]discovery.DiscoveryInterface{
		"per group-version": newPartial(),
		"aggregated":        aggregatedPartialClient{newPartial()},
	}
}

// TestPartialResultsAreKeptAndReported: what a client returns together
// with an error is used, and the error reported.
func TestPartialResultsAreKeptAndReported(t *testing.T) {
	apps := schema.GroupVersion{Group: "apps", Version: "v1"}
	for name, d := range partialClients() {
		t.Run(name, func(t *testing.T) {
			groups, lists, err := discovery.ServerGroupsAndResources(context.Background(), d)
			require.Error(t, err)
			var names []string
			for _, g := range groups {
				names = append(names, g.Name)
			}
			assert.Equal(t, []string{"", "apps"}, names, "the groups returned with the error are kept")
			var gvs []string
			for _, l := range lists {
				gvs = append(gvs, l.GroupVersion)
			}
			assert.Equal(t, []string{"v1", "apps/v1"}, gvs, "the list returned with its error is kept")

			assert.ErrorIs(t, err, errListIncomplete)
			assert.Contains(t, err.Error(), "group list may be incomplete")
			failed, ok := discovery.GroupDiscoveryFailedErrorGroups(err)
			require.True(t, ok, "err: %v", err)
			assert.Equal(t, map[schema.GroupVersion]error{apps: errStale}, failed)

			preferred, err := discovery.ServerPreferredResources(context.Background(), d)
			assert.ErrorIs(t, err, errListIncomplete)
			assert.ErrorIs(t, err, errStale)
			assert.Len(t, preferred, 2)
		})
	}
}

func TestNoGroupListIsAnError(t *testing.T) {
	d := &partialClient{FakeDiscovery: &fake.FakeDiscovery{Resources: []*metav1.APIResourceList{{GroupVersion: "a/b/c"}}}}
	groups, lists, err := discovery.ServerGroupsAndResources(context.Background(), d)
	require.Error(t, err)
	assert.Nil(t, groups)
	assert.Nil(t, lists)
}
