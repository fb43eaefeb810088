package discovery_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anykube/anykube/discovery/discoverytest"
)

// The /api and /apis answers are decoded straight out of the request
// layer's reused buffers. A result must not point into them: after other
// answers (with other names at every position) are read through the same
// buffers, the first result is unchanged. The comparison is on JSON bytes,
// since a deep copy would share the strings it is meant to check.
func TestRootsDoNotAliasReusedBuffers(t *testing.T) {
	first := discoverytest.Generate(discoverytest.Spec{Groups: 6, Versions: 2, Resources: 4})
	srv := discoverytest.NewServer(first, discoverytest.ServerOptions{})
	defer srv.Close()

	groups, lists, err := newClient(t, srv.URL).ServerGroupsAndResources()
	require.NoError(t, err)
	before, err := json.Marshal([]any{groups, lists})
	require.NoError(t, err)

	for i := range 5 {
		other := discoverytest.Generate(discoverytest.Spec{Groups: 6 + i, Versions: 3, Resources: 5 + i})
		srv.SetAPI(other)
		_, _, err := newClient(t, srv.URL).ServerGroupsAndResources()
		require.NoError(t, err)
	}
	after, err := json.Marshal([]any{groups, lists})
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after), "a discovery result changed when its buffer was reused")
}
