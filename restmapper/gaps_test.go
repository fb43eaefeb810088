package restmapper_test

import (
	"context"
	"errors"
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

// partialDiscovery is a DiscoveryInterface such as wrappers and caches
// are: it returns what it has together with an error. Its group list
// leaves out the group drop and comes with listErr; the resources of
// stale come with staleErr; those of broken fail with brokenErr; and
// when ownErr is set, ServerGroupsAndResources returns its results with
// that error alone, naming no group-version.
type partialDiscovery struct {
	*fake.FakeDiscovery
	drop      string
	listErr   error
	stale     string
	staleErr  error
	broken    string
	brokenErr error
	ownErr    error
}

// partialCache is partialDiscovery as a cache that calls itself fresh.
type partialCache struct{ *partialDiscovery }

func (partialCache) Fresh() bool { return true }
func (partialCache) Invalidate() {}

var (
	errListCut = errors.New("wrapper: the group list is from a cut answer")
	errStale   = errors.New("cache: these resources are an hour old")
	errBroken  = errors.New("wrapper: the backend of this version is down")
	errOwn     = errors.New("wrapper: some answers came from the cache")
)

func newPartialDiscovery() *partialDiscovery {
	_, lists := restmappertest.Discovery(restmappertest.Builtin())
	return &partialDiscovery{FakeDiscovery: &fake.FakeDiscovery{Resources: lists}}
}

func (p *partialDiscovery) WithContext(context.Context) discovery.DiscoveryInterface { return p }

func (p *partialDiscovery) ServerGroups() (*metav1.APIGroupList, error) {
	l, err := p.FakeDiscovery.ServerGroups()
	if err != nil {
		return nil, err
	}
	out := &metav1.APIGroupList{}
	for _, g := range l.Groups {
		if g.Name != p.drop {
			out.Groups = append(out.Groups, g)
		}
	}
	return out, p.listErr
}

func (p *partialDiscovery) ServerResourcesForGroupVersion(gv string) (*metav1.APIResourceList, error) {
	switch gv {
	case p.broken:
		return nil, p.brokenErr
	case p.stale:
		l, err := p.FakeDiscovery.ServerResourcesForGroupVersion(gv)
		if err != nil {
			return nil, err
		}
		return l, p.staleErr
	}
	return p.FakeDiscovery.ServerResourcesForGroupVersion(gv)
}

func (p *partialDiscovery) ServerGroupsAndResources() ([]*metav1.APIGroup, []*metav1.APIResourceList, error) {
	groups, lists, err := discovery.ServerGroupsAndResources(context.Background(), p)
	if p.ownErr != nil && groups != nil {
		err = p.ownErr
	}
	return groups, lists, err
}

var (
	deployment = schema.GroupKind{Group: "apps", Kind: "Deployment"}
	job        = schema.GroupKind{Group: "batch", Kind: "Job"}
	noSuchKind = schema.GroupKind{Group: "apps", Kind: "Nope"}
)

// mappersOver returns every mapper built from discovery, over d.
func mappersOver(t *testing.T, d *partialDiscovery) map[string]meta.RESTMapper {
	t.Helper()
	groups, err := restmapper.GetAPIGroupResources(d)
	if d.listErr == nil && d.ownErr == nil {
		require.NoError(t, err, "failed versions alone are reported by the mapper, as client-go's")
	}
	require.NotEmpty(t, groups, "what came with the error is kept")
	return map[string]meta.RESTMapper{
		"discovery": restmapper.NewDiscoveryRESTMapper(groups),
		"deferred":  restmapper.NewDeferredDiscoveryRESTMapper(partialCache{d}),
		"lazy":      restmapper.NewLazyRESTMapper(d, restmapper.LazyOptions{Push: restmapper.PushOff}),
	}
}

// missExplained asserts that err is a no-match error wrapping want, and,
// when failed is set, an *discovery.ErrGroupDiscoveryFailed naming it.
func missExplained(t *testing.T, err error, want error, failed schema.GroupVersion) {
	t.Helper()
	require.Error(t, err)
	assert.True(t, meta.IsNoMatchError(err), "still a no-match error: %v", err)
	if want != nil {
		assert.ErrorIs(t, err, want)
	}
	var f *discovery.ErrGroupDiscoveryFailed
	if failed.Empty() {
		assert.False(t, errors.As(err, &f), "no group-version named: %v", err)
		return
	}
	require.ErrorAs(t, err, &f)
	assert.Contains(t, f.Groups, failed)
}

func TestGetAPIGroupResourcesKeepsAGroupListThatCameWithAnError(t *testing.T) {
	d := newPartialDiscovery()
	d.drop, d.listErr = "batch", errListCut
	groups, err := restmapper.GetAPIGroupResources(d)
	assert.ErrorIs(t, err, errListCut, "nothing in the result shows a group is missing: the error says so")
	var names []string
	for _, g := range groups {
		names = append(names, g.Group.Name)
	}
	assert.Contains(t, names, "apps")
	assert.NotContains(t, names, "batch")
}

func TestGetAPIGroupResourcesNamesFailedVersions(t *testing.T) {
	d := newPartialDiscovery()
	d.broken, d.brokenErr = "batch/v1", errBroken
	d.stale, d.staleErr = "apps/v1", errStale
	groups, err := restmapper.GetAPIGroupResources(d)
	require.NoError(t, err)
	byName := map[string]*restmapper.APIGroupResources{}
	for _, g := range groups {
		byName[g.Group.Name] = g
	}
	require.Contains(t, byName, "batch")
	assert.ErrorIs(t, byName["batch"].Failed["v1"], errBroken)
	assert.NotContains(t, byName["batch"].VersionedResources, "v1")
	assert.ErrorIs(t, byName["apps"].Failed["v1"], errStale)
	assert.NotEmpty(t, byName["apps"].VersionedResources["v1"], "a list that came with its error is kept")
	require.Contains(t, byName, "rbac.authorization.k8s.io")
	assert.Nil(t, byName["rbac.authorization.k8s.io"].Failed)
}

func TestMappersMapAGroupListThatCameWithAnError(t *testing.T) {
	d := newPartialDiscovery()
	d.drop, d.listErr = "batch", errListCut
	for name, m := range mappersOver(t, d) {
		t.Run(name, func(t *testing.T) {
			mapping, err := m.RESTMapping(deployment)
			require.NoError(t, err, "what the list holds maps")
			assert.Equal(t, "deployments", mapping.Resource.Resource)
			_, err = m.RESTMapping(job)
			if name == "discovery" {
				// Built from a slice: GetAPIGroupResources reported the
				// error, and the slice cannot carry it.
				assert.True(t, meta.IsNoMatchError(err))
				return
			}
			missExplained(t, err, errListCut, schema.GroupVersion{})
			_, err = m.KindFor(schema.GroupVersionResource{Resource: "jobs"})
			missExplained(t, err, errListCut, schema.GroupVersion{})
		})
	}
}

func TestMappersReportFailedAndStaleVersions(t *testing.T) {
	d := newPartialDiscovery()
	d.broken, d.brokenErr = "batch/v1", errBroken
	d.stale, d.staleErr = "apps/v1", errStale
	for name, m := range mappersOver(t, d) {
		t.Run(name, func(t *testing.T) {
			_, err := m.RESTMapping(deployment)
			require.NoError(t, err, "a list that came with its error maps")
			_, err = m.RESTMapping(noSuchKind)
			missExplained(t, err, errStale, schema.GroupVersion{Group: "apps", Version: "v1"})
			_, err = m.RESTMapping(job)
			missExplained(t, err, errBroken, schema.GroupVersion{Group: "batch", Version: "v1"})
			_, err = m.ResourceFor(schema.GroupVersionResource{Group: "batch", Resource: "jobs"})
			missExplained(t, err, errBroken, schema.GroupVersion{Group: "batch", Version: "v1"})

			// A miss in a group discovered whole names nothing.
			_, err = m.RESTMapping(schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "Nope"})
			require.True(t, meta.IsNoMatchError(err))
			var f *discovery.ErrGroupDiscoveryFailed
			assert.False(t, errors.As(err, &f), "%v", err)
		})
	}
}

func TestMappersReportAListErrorJoinedWithFailedVersions(t *testing.T) {
	// discovery.ServerGroupsAndResources joins the group list's error with
	// the failed versions: each is reported where it belongs.
	d := newPartialDiscovery()
	d.drop, d.listErr = "policy", errListCut
	d.broken, d.brokenErr = "batch/v1", errBroken
	for name, m := range mappersOver(t, d) {
		if name == "discovery" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			_, err := m.RESTMapping(job)
			missExplained(t, err, errListCut, schema.GroupVersion{Group: "batch", Version: "v1"})
			assert.ErrorIs(t, err, errBroken)
			_, err = m.RESTMapping(schema.GroupKind{Group: "policy", Kind: "PodDisruptionBudget"})
			missExplained(t, err, errListCut, schema.GroupVersion{})
		})
	}
}

func TestMappersReportAnErrorNamingNoGroupVersion(t *testing.T) {
	// A wrapper's own ServerGroupsAndResources returns its results with an
	// error of its own: what it left out is unknown, so every miss says so.
	d := newPartialDiscovery()
	d.ownErr = errOwn
	groups, err := restmapper.GetAPIGroupResources(d)
	assert.ErrorIs(t, err, errOwn)
	require.NotEmpty(t, groups)
	m := restmapper.NewDeferredDiscoveryRESTMapper(partialCache{d})
	_, err = m.RESTMapping(deployment)
	require.NoError(t, err)
	_, err = m.RESTMapping(noSuchKind)
	missExplained(t, err, errOwn, schema.GroupVersion{})
	_, err = m.ResourceSingularizer("nopes")
	missExplained(t, err, errOwn, schema.GroupVersion{})
}

func TestMappersFailWhenNoGroupCameBack(t *testing.T) {
	d := &partialDiscovery{FakeDiscovery: &fake.FakeDiscovery{Resources: []*metav1.APIResourceList{{GroupVersion: "not/a/version"}}}}
	_, err := restmapper.GetAPIGroupResources(d)
	require.Error(t, err)
	for name, m := range map[string]meta.RESTMapper{
		"deferred": restmapper.NewDeferredDiscoveryRESTMapper(partialCache{d}),
		"lazy":     restmapper.NewLazyRESTMapper(d, restmapper.LazyOptions{Push: restmapper.PushOff}),
	} {
		_, err := m.RESTMapping(deployment)
		require.Error(t, err, name)
		assert.False(t, meta.IsNoMatchError(err), "%s: a failed discovery is no answer: %v", name, err)
	}
}
