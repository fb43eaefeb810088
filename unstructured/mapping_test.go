package unstructured

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	apiu "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func testMapper() meta.RESTMapper {
	m := meta.NewDefaultRESTMapper(nil)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, meta.RESTScopeNamespace)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, meta.RESTScopeRoot)
	m.Add(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, meta.RESTScopeNamespace)
	m.Add(schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Widget"}, meta.RESTScopeNamespace)
	m.Add(schema.GroupVersionKind{Group: "other.com", Version: "v1", Kind: "Widget"}, meta.RESTScopeNamespace)
	return m
}

func TestDefaultNamespace(t *testing.T) {
	mapper := testMapper()

	cm := object("v1", "ConfigMap", "c", "")
	m, err := DefaultNamespace(cm, mapper, "team-a")
	require.NoError(t, err)
	assert.Equal(t, "team-a", cm.GetNamespace())
	assert.Equal(t, "configmaps", m.Resource.Resource)

	cm.SetNamespace("explicit")
	_, err = DefaultNamespace(cm, mapper, "team-a")
	require.NoError(t, err)
	assert.Equal(t, "explicit", cm.GetNamespace(), "an explicit namespace is kept")

	bare := object("v1", "ConfigMap", "c", "")
	_, err = DefaultNamespace(bare, mapper, "")
	require.NoError(t, err)
	has, err := Has(bare, "metadata.namespace")
	require.NoError(t, err)
	assert.False(t, has, "an empty default sets nothing")

	ns := object("v1", "Namespace", "n", "")
	ns.SetNamespace("nonsense")
	m, err = DefaultNamespace(ns, mapper, "team-a")
	require.NoError(t, err)
	assert.Equal(t, meta.RESTScopeNameRoot, m.Scope.Name())
	has, err = Has(ns, "metadata.namespace")
	require.NoError(t, err)
	assert.False(t, has, "a cluster-scoped object loses its namespace, as the server would drop it")
}

func TestMappingForFillsAPIVersion(t *testing.T) {
	mapper := testMapper()
	dep := &apiu.Unstructured{Object: map[string]any{"kind": "Deployment", "metadata": map[string]any{"name": "d"}}}
	m, err := MappingFor(dep, mapper)
	require.NoError(t, err)
	assert.Equal(t, "apps/v1", dep.GetAPIVersion())
	assert.Equal(t, "deployments", m.Resource.Resource)

	ambiguous := &apiu.Unstructured{Object: map[string]any{"kind": "Widget"}}
	_, err = MappingFor(ambiguous, mapper)
	assert.True(t, meta.IsAmbiguousError(err), "%v", err)
	assert.Empty(t, ambiguous.GetAPIVersion())

	wrongCase := &apiu.Unstructured{Object: map[string]any{"kind": "deployment"}}
	_, err = MappingFor(wrongCase, mapper)
	assert.True(t, meta.IsNoMatchError(err), "%v", err)
}

func TestMappingForErrors(t *testing.T) {
	mapper := testMapper()
	_, err := MappingFor(object("example.com/v2", "Widget", "w", ""), mapper)
	assert.True(t, meta.IsNoMatchError(err), "%v", err)
	assert.ErrorContains(t, err, "Widget w")

	_, err = MappingFor(&apiu.Unstructured{Object: map[string]any{"apiVersion": "v1"}}, mapper)
	assert.ErrorIs(t, err, ErrMissingKind)
	_, err = MappingFor(object("a/b/c", "ConfigMap", "c", ""), mapper)
	assert.Error(t, err)
	_, err = MappingFor(nil, mapper)
	assert.Error(t, err)
	_, err = MappingFor(object("v1", "ConfigMap", "c", ""), nil)
	assert.Error(t, err)
	_, err = DefaultNamespace(object("v1", "Unknown", "c", ""), mapper, "x")
	assert.True(t, meta.IsNoMatchError(err))
}
