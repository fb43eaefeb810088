package kubeconfig

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestLoadFileResolvesRelativePathsAgainstTheFile(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "sub/config", `
clusters:
- name: c
  cluster:
    server: https://example:6443
    certificate-authority: ca.crt
users:
- name: u
  user:
    client-certificate: certs/client.crt
    client-key: /abs/client.key
    tokenFile: ../token
    exec:
      command: ./bin/plugin
- name: bare
  user:
    exec:
      command: kubelogin
`)
	f, err := LoadFile(p)
	require.NoError(t, err)
	sub := filepath.Join(dir, "sub")
	assert.Equal(t, filepath.Join(sub, "ca.crt"), f.Clusters[0].Cluster.CertificateAuthority)
	u := f.Users[0].User
	assert.Equal(t, filepath.Join(sub, "certs/client.crt"), u.ClientCertificate)
	assert.Equal(t, "/abs/client.key", u.ClientKey)
	assert.Equal(t, filepath.Join(dir, "token"), u.TokenFile)
	assert.Equal(t, filepath.Join(sub, "bin/plugin"), u.Exec.Command)
	assert.Equal(t, "kubelogin", f.Users[1].User.Exec.Command, "a bare command is looked up in PATH, not resolved")
	assert.Equal(t, p, u.Origin)
}

func TestLoadFileDecodesDataFieldsAndKeepsUnknownFieldsOut(t *testing.T) {
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	p := write(t, t.TempDir(), "config", `
apiVersion: v1
kind: Config
preferences: {colors: true}
somethingNew: [1, 2]
clusters:
- name: c
  cluster:
    server: https://example:6443
    certificate-authority-data: `+enc("CA PEM")+`
    futureField: x
    extensions:
    - name: client.authentication.k8s.io/exec
      extension:
        audience: foo
        nested: {a: 1}
users:
- name: u
  user:
    client-certificate-data: `+enc("CERT PEM")+`
    client-key-data: `+enc("KEY PEM")+`
    as: alice
    as-groups: [g1, g2]
    as-user-extra:
      scopes: [a, b]
`)
	f, err := LoadFile(p)
	require.NoError(t, err)
	cl := f.Clusters[0].Cluster
	assert.Equal(t, []byte("CA PEM"), cl.CAData)
	assert.Equal(t, map[string]any{"audience": "foo", "nested": map[string]any{"a": 1}}, cl.ExecExtension())
	u := f.Users[0].User
	assert.Equal(t, []byte("CERT PEM"), u.CertData)
	assert.Equal(t, []byte("KEY PEM"), u.KeyData)
	assert.Equal(t, "alice", u.Impersonate)
	assert.Equal(t, []string{"g1", "g2"}, u.ImpersonateGroups)
	assert.Equal(t, map[string][]string{"scopes": {"a", "b"}}, u.ImpersonateUserExtra)
}

func TestLoadFileMalformedYAMLNamesFileAndLine(t *testing.T) {
	p := write(t, t.TempDir(), "config", "clusters:\n- name: c\n  cluster:\n    server: [unclosed\n")
	_, err := LoadFile(p)
	var pe *ParseError
	require.True(t, errors.As(err, &pe), "got %v", err)
	assert.Equal(t, p, pe.Path)
	assert.Positive(t, pe.Line)
	assert.Contains(t, err.Error(), p)
	assert.Contains(t, err.Error(), "line ")
}

func TestLoadFileTypeErrorNamesLineButNotTheValue(t *testing.T) {
	p := write(t, t.TempDir(), "config", "clusters:\n- name: c\n  cluster:\n    insecure-skip-tls-verify: s3cr3t-token\n")
	_, err := LoadFile(p)
	var pe *ParseError
	require.True(t, errors.As(err, &pe), "got %v", err)
	assert.Equal(t, 4, pe.Line)
	// The parser quotes at most the first seven bytes; none may show.
	assert.NotContains(t, err.Error(), "s3cr3t")
}

// A value with a backquote in it must not end the hidden part early.
func TestLoadFileTypeErrorHidesValuesWithBackquotes(t *testing.T) {
	for _, v := range []string{"a`b`cSEC", "`SECRET`", "x`SECRETxyz", "ab`` into Q"} {
		p := write(t, t.TempDir(), "config", "clusters:\n- name: c\n  cluster:\n    insecure-skip-tls-verify: '"+v+"'\n")
		_, err := LoadFile(p)
		var pe *ParseError
		require.True(t, errors.As(err, &pe), "got %v", err)
		assert.Equal(t, 4, pe.Line)
		for _, part := range []string{"SEC", "cS", "b`", "into Q"} {
			assert.NotContains(t, err.Error(), part, "value %q", v)
		}
		assert.Contains(t, err.Error(), "(value hidden)")
	}
}

func TestLoadFileBadBase64NamesFieldNotValue(t *testing.T) {
	p := write(t, t.TempDir(), "config", "users:\n- name: u\n  user:\n    client-key-data: '!!s3cr3t!!'\n")
	_, err := LoadFile(p)
	var fe *FieldError
	require.True(t, errors.As(err, &fe), "got %v", err)
	assert.Equal(t, "client-key-data", fe.Field)
	assert.Equal(t, "u", fe.Name)
	assert.NotContains(t, err.Error(), "s3cr3t")
}

func TestLoadFileMissing(t *testing.T) {
	_, err := LoadFile(filepath.Join(t.TempDir(), "nope"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestLoadFileEmptyIsEmptyConfig(t *testing.T) {
	f, err := LoadFile(write(t, t.TempDir(), "config", ""))
	require.NoError(t, err)
	assert.Empty(t, f.CurrentContext)
	assert.Empty(t, f.Clusters)
}

func TestLoadFileAcceptsJSON(t *testing.T) {
	f, err := LoadFile(write(t, t.TempDir(), "config.json", `{"current-context":"x","contexts":[{"name":"x","context":{"cluster":"c","namespace":"ns"}}]}`))
	require.NoError(t, err)
	assert.Equal(t, "x", f.CurrentContext)
	assert.Equal(t, "ns", f.Contexts[0].Context.Namespace)
	assert.True(t, strings.HasSuffix(f.Contexts[0].Context.Origin, "config.json"))
}
