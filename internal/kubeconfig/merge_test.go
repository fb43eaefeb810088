package kubeconfig

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMergeFirstFileWinsPerName(t *testing.T) {
	dir := t.TempDir()
	a, err := LoadFile(write(t, dir, "a", `
contexts:
- name: shared
  context: {cluster: c1, user: u1, namespace: from-a}
clusters:
- name: c1
  cluster: {server: https://a}
- name: c1
  cluster: {server: https://a-duplicate}
`))
	require.NoError(t, err)
	b, err := LoadFile(write(t, dir, "b", `
current-context: shared
contexts:
- name: shared
  context: {cluster: c1, user: u1, namespace: from-b}
- name: only-b
  context: {cluster: c2}
clusters:
- name: c1
  cluster: {server: https://b}
- name: c2
  cluster: {server: https://b2}
users:
- name: u1
  user: {token: from-b}
`))
	require.NoError(t, err)
	c, err := LoadFile(write(t, dir, "c", "current-context: only-b\n"))
	require.NoError(t, err)

	m := Merge(a, b, c)
	assert.Equal(t, "shared", m.CurrentContext, "first file that sets current-context wins")
	assert.Equal(t, "from-a", m.Contexts["shared"].Namespace)
	assert.Equal(t, "https://a", m.Clusters["c1"].Server)
	assert.Equal(t, "https://b2", m.Clusters["c2"].Server)
	assert.Equal(t, "from-b", m.Users["u1"].Token)
	assert.Equal(t, []string{a.Path, b.Path, c.Path}, m.Files)

	s, err := m.Select("")
	require.NoError(t, err)
	assert.Equal(t, "shared", s.ContextName)
	assert.Equal(t, "https://a", s.Cluster.Server)
	assert.Equal(t, "from-b", s.User.Token)
	assert.Equal(t, b.Path, s.User.Origin)

	s, err = m.Select("only-b")
	require.NoError(t, err)
	assert.Equal(t, "", s.UserName)
	assert.NotNil(t, s.User, "a context without a user selects an empty one")
}

func TestSelectErrors(t *testing.T) {
	f, err := LoadFile(write(t, t.TempDir(), "a", `
contexts:
- name: no-cluster
  context: {cluster: ghost, user: u}
- name: no-user
  context: {cluster: c, user: ghost-user}
clusters:
- name: c
  cluster: {server: https://a}
`))
	require.NoError(t, err)
	m := Merge(f)

	_, err = m.Select("")
	assert.ErrorIs(t, err, ErrNoCurrentContext)

	var nf *NotFoundError
	_, err = m.Select("missing")
	require.True(t, errors.As(err, &nf))
	assert.Equal(t, NotFoundError{Kind: "context", Name: "missing", Files: []string{f.Path}}, *nf)
	assert.Contains(t, err.Error(), `context "missing" not found in `+f.Path)

	_, err = m.Select("no-cluster")
	require.True(t, errors.As(err, &nf))
	assert.Equal(t, "cluster", nf.Kind)
	assert.Equal(t, "ghost", nf.Name)
	assert.Equal(t, "no-cluster", nf.ByContext)

	_, err = m.Select("no-user")
	require.True(t, errors.As(err, &nf))
	assert.Equal(t, "user", nf.Kind)
	assert.Equal(t, "ghost-user", nf.Name)
}
