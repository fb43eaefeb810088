package anykube

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHTTPClientForHasNoTimeout(t *testing.T) {
	c, err := HTTPClientFor(&Config{Host: "https://k.example", Timeout: 5})
	require.NoError(t, err)
	assert.Zero(t, c.Timeout, "Config.Timeout is applied per request, so watches are not cut off")
}

func TestTransportForErrors(t *testing.T) {
	_, err := TransportFor(nil)
	assert.Error(t, err)
	_, err = HTTPClientFor(&Config{Transport: http.DefaultTransport, TLSClientConfig: TLSClientConfig{CAData: []byte("x")}})
	assert.ErrorContains(t, err, "custom Transport")
	_, err = HTTPClientFor(&Config{TLSClientConfig: TLSClientConfig{Insecure: true, CAFile: "/ca.crt"}})
	assert.ErrorContains(t, err, "cannot both be set")
	_, err = HTTPClientFor(&Config{ExecProvider: &ExecConfig{Command: "x", APIVersion: "client.authentication.k8s.io/v2"}})
	assert.ErrorContains(t, err, `unsupported apiVersion "client.authentication.k8s.io/v2"`)
}

func TestCustomTransportAndWrap(t *testing.T) {
	s := &seen{}
	srv := httptest.NewServer(s)
	defer srv.Close()
	var base, wrapped int
	cfg := &Config{
		BearerToken: "t",
		UserAgent:   "custom/1.0",
		Transport: roundTripperFunc(func(r *http.Request) (*http.Response, error) {
			base++
			return http.DefaultTransport.RoundTrip(r)
		}),
		WrapTransport: func(next http.RoundTripper) http.RoundTripper {
			return roundTripperFunc(func(r *http.Request) (*http.Response, error) {
				wrapped++
				return next.RoundTrip(r)
			})
		},
	}
	assert.Equal(t, http.StatusOK, do(t, cfg, srv.URL))
	assert.Equal(t, 1, base)
	assert.Equal(t, 1, wrapped)
	assert.Equal(t, "custom/1.0", s.last().Get("User-Agent"))
	assert.Equal(t, "Bearer t", s.last().Get("Authorization"))
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestDefaultUserAgent(t *testing.T) {
	ua := DefaultUserAgent()
	want := fmt.Sprintf(" (%s/%s) anykube/", runtime.GOOS, runtime.GOARCH)
	assert.Contains(t, ua, want)
	assert.Regexp(t, regexp.MustCompile(`^[!-~]+ \(\w+/\w+\) anykube/\S+$`), ua)
	assert.True(t, strings.HasPrefix(ua, "anykube.test"), "the program name comes first: %q", ua)
}

func TestKubeconfigExecPluginEndToEnd(t *testing.T) {
	s := &seen{}
	srv := httptest.NewServer(s)
	defer srv.Close()
	dir := t.TempDir()
	for _, v := range []string{"v1", "v1beta1"} {
		writeFile(t, dir, "bin/plugin-"+v, `#!/bin/sh
printf '{"apiVersion":"client.authentication.k8s.io/%s","kind":"ExecCredential","status":{"token":"%s-%s"}}' "$V" "$PREFIX" "$V"
`)
		require.NoError(t, chmodX(filepath.Join(dir, "bin/plugin-"+v)))
	}
	p := writeFile(t, dir, "config", fmt.Sprintf(`
contexts:
- {name: v1, context: {cluster: cl, user: v1}}
- {name: v1beta1, context: {cluster: cl, user: v1beta1}}
clusters: [{name: cl, cluster: {server: %q}}]
users:
- name: v1
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/plugin-v1
      interactiveMode: Never
      env: [{name: V, value: v1}, {name: PREFIX, value: tok}]
- name: v1beta1
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: bin/plugin-v1beta1
      env: [{name: V, value: v1beta1}, {name: PREFIX, value: tok}]
`, srv.URL))
	for _, v := range []string{"v1", "v1beta1"} {
		cfg, err := ConfigFromKubeconfig(KubeconfigOptions{Paths: []string{p}, Context: v})
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, do(t, cfg, srv.URL))
		assert.Equal(t, "Bearer tok-"+v, s.last().Get("Authorization"))
	}
}
