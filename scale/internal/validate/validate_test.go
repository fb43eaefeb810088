package validate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/types"
)

func TestTarget(t *testing.T) {
	require.NoError(t, Target("", "deployments", "web"), "cluster-scoped")
	require.NoError(t, Target("ns", "deployments", "web"))
	for _, tc := range []struct{ ns, resource, name, want string }{
		{"ns", "deployments", "", "name must not be empty"},
		{"ns", "", "web", "resource must not be empty"},
		{"a/b", "deployments", "web", `namespace "a/b"`},
		{"ns", "deployments", "..", `name ".."`},
		{"ns", "deployments", "a%2F", `name "a%2F"`},
	} {
		err := Target(tc.ns, tc.resource, tc.name)
		assert.ErrorIs(t, err, ErrInvalidRequest)
		assert.ErrorContains(t, err, tc.want)
	}
}

func TestPatchType(t *testing.T) {
	assert.NoError(t, PatchType(types.MergePatchType))
	assert.ErrorIs(t, PatchType(""), ErrInvalidRequest)
}
