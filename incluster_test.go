package anykube

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeServiceAccount points the in-cluster paths at a temporary directory
// holding the given files, and returns it.
func fakeServiceAccount(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		writeFile(t, dir, name, content)
	}
	old := serviceAccountDir
	serviceAccountDir = dir
	t.Cleanup(func() { serviceAccountDir = old })
	return dir
}

func TestInClusterConfig(t *testing.T) {
	dir := fakeServiceAccount(t, map[string]string{"token": "sa-token\n", "ca.crt": "CA"})
	t.Setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1")
	t.Setenv("KUBERNETES_SERVICE_PORT", "443")
	cfg, err := InClusterConfig()
	require.NoError(t, err)
	assert.Equal(t, "https://10.96.0.1:443", cfg.Host)
	assert.Equal(t, filepath.Join(dir, "token"), cfg.BearerTokenFile)
	assert.Empty(t, cfg.BearerToken, "the token is read per request so rotation is seen")
	assert.Equal(t, filepath.Join(dir, "ca.crt"), cfg.TLSClientConfig.CAFile)

	t.Setenv("KUBERNETES_SERVICE_HOST", "fd00:10:96::1")
	cfg, err = InClusterConfig()
	require.NoError(t, err)
	assert.Equal(t, "https://[fd00:10:96::1]:443", cfg.Host)
	u, err := url.Parse(cfg.Host)
	require.NoError(t, err)
	assert.Equal(t, "fd00:10:96::1", u.Hostname())
}

func TestInClusterConfigWithoutCA(t *testing.T) {
	fakeServiceAccount(t, map[string]string{"token": "t"})
	t.Setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
	t.Setenv("KUBERNETES_SERVICE_PORT", "6443")
	cfg, err := InClusterConfig()
	require.NoError(t, err)
	assert.Empty(t, cfg.TLSClientConfig.CAFile)
}

func TestInClusterConfigNotInCluster(t *testing.T) {
	dir := fakeServiceAccount(t, nil)
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	t.Setenv("KUBERNETES_SERVICE_PORT", "443")
	_, err := InClusterConfig()
	assert.ErrorIs(t, err, ErrNotInCluster)
	assert.ErrorContains(t, err, "KUBERNETES_SERVICE_HOST")

	t.Setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
	_, err = InClusterConfig()
	assert.ErrorIs(t, err, ErrNotInCluster)
	assert.ErrorContains(t, err, filepath.Join(dir, "token"))
}

func TestInClusterConfigUnreadableToken(t *testing.T) {
	// A directory in place of the token cannot be read, even by root (a
	// file with mode 0 can).
	dir := fakeServiceAccount(t, nil)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "token"), 0o700))
	t.Setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
	t.Setenv("KUBERNETES_SERVICE_PORT", "443")
	_, err := InClusterConfig()
	require.Error(t, err)
	assert.False(t, errors.Is(err, ErrNotInCluster), "an unreadable token is a real error, not a sign of running elsewhere")
}

func TestInClusterConfigEndToEnd(t *testing.T) {
	s := &seen{}
	srv := httptest.NewTLSServer(s)
	defer srv.Close()
	dir := fakeServiceAccount(t, map[string]string{"token": "first-token", "ca.crt": string(caPEM(srv))})
	host, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	t.Setenv("KUBERNETES_SERVICE_HOST", host)
	t.Setenv("KUBERNETES_SERVICE_PORT", port)
	cfg, err := InClusterConfig()
	require.NoError(t, err)
	// httptest's certificate names example.com.
	cfg.TLSClientConfig.ServerName = "example.com"
	c, err := HTTPClientFor(cfg)
	require.NoError(t, err)
	get := func() {
		resp, err := c.Get(cfg.Host + "/api")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	}
	get()
	assert.Equal(t, "Bearer first-token", s.last().Get("Authorization"))
	writeFile(t, dir, "token", "rotated-token")
	get()
	assert.Equal(t, "Bearer rotated-token", s.last().Get("Authorization"))
}

func TestInClusterNamespace(t *testing.T) {
	dir := fakeServiceAccount(t, map[string]string{"namespace": "kube-system\n"})
	t.Setenv("POD_NAMESPACE", "")
	ns, err := InClusterNamespace()
	require.NoError(t, err)
	assert.Equal(t, "kube-system", ns)

	t.Setenv("POD_NAMESPACE", "from-env")
	ns, err = InClusterNamespace()
	require.NoError(t, err)
	assert.Equal(t, "from-env", ns)

	t.Setenv("POD_NAMESPACE", "")
	require.NoError(t, os.Remove(filepath.Join(dir, "namespace")))
	ns, err = InClusterNamespace()
	require.NoError(t, err)
	assert.Equal(t, "default", ns)
}
