package restmapper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/discoverytest"
	"github.com/anykube/anykube/restmapper"
	"github.com/anykube/anykube/restmapper/restmappertest"
)

func TestPushFallsBackToTimedAndSaysWhy(t *testing.T) {
	// The server lists CRDs and APIServices in discovery but cannot list
	// them (404): the mapper stays timed and says so.
	srv := discoverytest.NewServer(restmappertest.API(restmappertest.Builtin()), discoverytest.ServerOptions{})
	defer srv.Close()
	client, err := discovery.NewDiscoveryClientForConfig(&anykube.Config{Host: srv.URL})
	require.NoError(t, err)
	m := restmapper.NewLazyRESTMapper(client, restmapper.LazyOptions{})
	defer m.Close()

	f, reason := m.Freshness()
	assert.Equal(t, restmapper.FreshnessTimed, f, "nothing started before a miss")
	assert.NoError(t, reason)
	_, err = m.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deployment"})
	require.NoError(t, err)
	_, err = m.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Nope"})
	require.True(t, meta.IsNoMatchError(err))

	deadline := time.Now().Add(5 * time.Second)
	for {
		f, reason = m.Freshness()
		if f == restmapper.FreshnessTimed && reason != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	assert.Equal(t, restmapper.FreshnessTimed, f)
	require.Error(t, reason)
	assert.Contains(t, reason.Error(), "customresourcedefinitions")
	assert.Equal(t, "timed", f.String())
}

func TestPushNeedsTheResourcesInDiscovery(t *testing.T) {
	groups := restmappertest.Builtin()
	var kept []*restmapper.APIGroupResources
	for _, g := range groups {
		if g.Group.Name != "apiextensions.k8s.io" {
			kept = append(kept, g)
		}
	}
	e := newLazyEnvAPI(t, restmappertest.API(kept))
	m := restmapper.NewLazyRESTMapper(e.client, restmapper.LazyOptions{})
	defer m.Close()
	_, err := m.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Nope"})
	require.True(t, meta.IsNoMatchError(err))
	e.requests()
	f, reason := m.Freshness()
	assert.Equal(t, restmapper.FreshnessTimed, f)
	require.Error(t, reason)
	assert.Contains(t, reason.Error(), "not served")
	assert.Zero(t, e.requests(), "no list was tried")
}

func TestZeroMapperCloses(t *testing.T) {
	var m restmapper.LazyRESTMapper
	assert.NoError(t, m.Close())
}
