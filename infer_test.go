package anykube

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const simpleKubeconfig = `
current-context: c
contexts: [{name: c, context: {cluster: cl, namespace: %s}}]
clusters: [{name: cl, cluster: {server: %q}}]
`

// noEnvironment clears every source InferConfig looks at.
func noEnvironment(t *testing.T) (home string) {
	home = t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("KUBECONFIG", "")
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	t.Setenv("KUBERNETES_SERVICE_PORT", "")
	t.Setenv("POD_NAMESPACE", "")
	fakeServiceAccount(t, nil)
	return home
}

func TestInferConfigOrder(t *testing.T) {
	home := noEnvironment(t)
	saDir := serviceAccountDir

	// Nothing at all: the error lists every place tried.
	_, err := InferConfig()
	require.ErrorIs(t, err, ErrNoConfig)
	msg := err.Error()
	assert.Contains(t, msg, "KUBECONFIG unset")
	assert.Contains(t, msg, filepath.Join(home, ".kube", "config")+": does not exist")
	assert.Contains(t, msg, "in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not both set")

	// In-cluster only.
	writeFile(t, saDir, "token", "t")
	writeFile(t, saDir, "namespace", "pod-ns")
	t.Setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
	t.Setenv("KUBERNETES_SERVICE_PORT", "443")
	cfg, err := InferConfig()
	require.NoError(t, err)
	assert.Equal(t, "https://10.0.0.1:443", cfg.Host)
	ns, err := InferNamespace()
	require.NoError(t, err)
	assert.Equal(t, "pod-ns", ns)

	// ~/.kube/config wins over in-cluster.
	writeFile(t, home, ".kube/config", fmt.Sprintf(simpleKubeconfig, "home-ns", "https://home.example"))
	cfg, err = InferConfig()
	require.NoError(t, err)
	assert.Equal(t, "https://home.example", cfg.Host)
	ns, err = InferNamespace()
	require.NoError(t, err)
	assert.Equal(t, "home-ns", ns)

	// KUBECONFIG wins over ~/.kube/config.
	env := writeFile(t, t.TempDir(), "env-config", fmt.Sprintf(simpleKubeconfig, `""`, "https://env.example"))
	t.Setenv("KUBECONFIG", env)
	cfg, err = InferConfig()
	require.NoError(t, err)
	assert.Equal(t, "https://env.example", cfg.Host)
	ns, err = InferNamespace()
	require.NoError(t, err)
	assert.Equal(t, "default", ns)
}

func TestInferConfigKubeconfigWithoutCurrentContextFallsBack(t *testing.T) {
	home := noEnvironment(t)
	writeFile(t, home, ".kube/config", "apiVersion: v1\nkind: Config\npreferences: {}\n")
	_, err := InferConfig()
	require.ErrorIs(t, err, ErrNoConfig)
	assert.Contains(t, err.Error(), ": no current-context")

	writeFile(t, serviceAccountDir, "token", "t")
	t.Setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
	t.Setenv("KUBERNETES_SERVICE_PORT", "443")
	cfg, err := InferConfig()
	require.NoError(t, err)
	assert.Equal(t, "https://10.0.0.1:443", cfg.Host)
}

func TestInferConfigBrokenKubeconfigIsAnError(t *testing.T) {
	home := noEnvironment(t)
	writeFile(t, serviceAccountDir, "token", "t")
	t.Setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
	t.Setenv("KUBERNETES_SERVICE_PORT", "443")
	writeFile(t, home, ".kube/config", "current-context: missing\n")
	_, err := InferConfig()
	var nf *KubeconfigNotFoundError
	assert.True(t, errors.As(err, &nf), "got %v", err)
}

func TestInferConfigKubeconfigListedButMissing(t *testing.T) {
	noEnvironment(t)
	missing := filepath.Join(t.TempDir(), "gone")
	t.Setenv("KUBECONFIG", missing+string(os.PathListSeparator))
	_, err := InferConfig()
	require.ErrorIs(t, err, ErrNoConfig)
	assert.Contains(t, err.Error(), "KUBECONFIG file "+missing+": does not exist")
}
