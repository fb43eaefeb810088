package restmapper_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube/restmapper"
)

// TestZeroValuesAndNilClients pins that nothing here panics on a zero value
// or a missing client: each question fails with an error instead.
func TestZeroValuesAndNilClients(t *testing.T) {
	pods := schema.GroupVersionResource{Resource: "pods"}
	pod := schema.GroupKind{Kind: "Pod"}
	mappers := map[string]meta.RESTMapper{
		"zero discovery":   &restmapper.DiscoveryRESTMapper{},
		"zero deferred":    &restmapper.DeferredDiscoveryRESTMapper{},
		"nil deferred":     restmapper.NewDeferredDiscoveryRESTMapper(nil),
		"zero lazy":        &restmapper.LazyRESTMapper{},
		"nil lazy":         restmapper.NewLazyRESTMapper(nil, restmapper.LazyOptions{}),
		"zero expander":    &restmapper.ShortcutExpander{},
		"nil expander":     restmapper.NewShortcutExpander(nil, nil, nil),
		"expander of zero": restmapper.NewShortcutExpander(&restmapper.LazyRESTMapper{}, nil, nil),
	}
	for name, m := range mappers {
		_, err := m.KindFor(pods)
		assert.Error(t, err, name)
		_, err = m.KindsFor(pods)
		assert.Error(t, err, name)
		_, err = m.ResourceFor(pods)
		assert.Error(t, err, name)
		_, err = m.ResourcesFor(pods)
		assert.Error(t, err, name)
		_, err = m.RESTMapping(pod)
		assert.Error(t, err, name)
		_, err = m.RESTMappings(pod, "v1")
		assert.Error(t, err, name)
		s, err := m.ResourceSingularizer("pods")
		assert.Error(t, err, name)
		assert.Equal(t, "pods", s, name)
		meta.MaybeResetRESTMapper(m)
	}

	_, err := restmapper.GetAPIGroupResources(nil)
	require.Error(t, err)
	_, err = (&restmapper.Resolver{}).Resolve(context.Background(), "pods")
	assert.True(t, meta.IsNoMatchError(err))
	_, err = restmapper.NewResolver(nil).Resolve(context.Background(), "pods")
	assert.True(t, meta.IsNoMatchError(err))
	_, ok := (&restmapper.DiscoveryCategoryExpander{}).Expand("all")
	assert.False(t, ok)
	var l restmapper.LazyRESTMapper
	l.Reset()
	assert.Equal(t, "LazyRESTMapper{[]}", l.String())
}
