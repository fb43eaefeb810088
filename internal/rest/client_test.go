package rest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anykube/anykube"
)

// countingServer is an httptest server that counts the requests that reach
// its handler.
type countingServer struct {
	*httptest.Server
	hits atomic.Int32
}

func newCountingServer(t testing.TB, h http.HandlerFunc) *countingServer {
	t.Helper()
	s := &countingServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// newTestClient builds a Client for host with fast retry timing, no rate
// limiting unless cfg asks for it, and warnings going to a recorder.
func newTestClient(t *testing.T, cfg *anykube.Config) *Client {
	t.Helper()
	if cfg.QPS == 0 && cfg.RateLimiter == nil {
		cfg.QPS = -1
	}
	c, err := New(cfg, &http.Client{})
	require.NoError(t, err)
	c.retryAfterUnit = time.Millisecond
	c.backoffBase = time.Millisecond
	c.backoffMax = 4 * time.Millisecond
	return c
}

func TestNewParsesHost(t *testing.T) {
	cases := []struct {
		name       string
		cfg        anykube.Config
		wantBase   string
		wantPrefix string
	}{
		{"url", anykube.Config{Host: "https://10.0.0.1:6443"}, "https://10.0.0.1:6443", ""},
		{"url with prefix", anykube.Config{Host: "https://rancher.example/k8s/clusters/c-1/"}, "https://rancher.example", "/k8s/clusters/c-1"},
		{"plain http url", anykube.Config{Host: "http://127.0.0.1:8001"}, "http://127.0.0.1:8001", ""},
		{"host:port, nothing configured", anykube.Config{Host: "127.0.0.1:8001"}, "http://127.0.0.1:8001", ""},
		{"host:port with token", anykube.Config{Host: "10.0.0.1:6443", BearerToken: "x"}, "https://10.0.0.1:6443", ""},
		{"host:port with CA", anykube.Config{Host: "kube:6443", TLSClientConfig: anykube.TLSClientConfig{CAData: []byte("pem")}}, "https://kube:6443", ""},
		{"host:port insecure", anykube.Config{Host: "kube:6443", TLSClientConfig: anykube.TLSClientConfig{Insecure: true}}, "https://kube:6443", ""},
		{"host:port exec", anykube.Config{Host: "kube", ExecProvider: &anykube.ExecConfig{Command: "x"}}, "https://kube", ""},
		{"ipv6", anykube.Config{Host: "[::1]:6443", Username: "u"}, "https://[::1]:6443", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(&tc.cfg, &http.Client{})
			require.NoError(t, err)
			assert.Equal(t, tc.wantBase, c.base.String())
			assert.Equal(t, tc.wantPrefix, c.prefix)
		})
	}
}

func TestNewRejectsBadInput(t *testing.T) {
	cases := []struct {
		name    string
		cfg     *anykube.Config
		hc      *http.Client
		wantErr string
	}{
		{"nil config", nil, &http.Client{}, "nil *anykube.Config"},
		{"nil client", &anykube.Config{Host: "x:1"}, nil, "nil *http.Client"},
		{"empty host", &anykube.Config{}, &http.Client{}, "Host is empty"},
		{"bad scheme", &anykube.Config{Host: "ftp://x"}, &http.Client{}, "scheme must be http or https"},
		{"user info", &anykube.Config{Host: "https://admin:s3cret@x:6443"}, &http.Client{}, "must not contain user info"},
		{"query", &anykube.Config{Host: "https://x/?a=b"}, &http.Client{}, "query or fragment"},
		{"no host", &anykube.Config{Host: "https:///path"}, &http.Client{}, "has no host"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg, tc.hc)
			require.ErrorContains(t, err, tc.wantErr)
			assert.NotContains(t, err.Error(), "s3cret")
		})
	}
}

func TestNewKeepsHTTPClientTimeoutOffLongRunning(t *testing.T) {
	hc := &http.Client{Timeout: time.Second}
	c, err := New(&anykube.Config{Host: "x:1"}, hc)
	require.NoError(t, err)
	assert.Same(t, hc, c.http)
	assert.Zero(t, c.longHTTP.Timeout)
	assert.Equal(t, time.Second, hc.Timeout, "the caller's client must not be changed")

	c, err = New(&anykube.Config{Host: "x:1"}, &http.Client{})
	require.NoError(t, err)
	assert.Same(t, c.http, c.longHTTP)
}

func TestVerbHelpers(t *testing.T) {
	c := newTestClient(t, &anykube.Config{Host: "http://h"})
	assert.Equal(t, "GET", c.Get().verb)
	assert.Equal(t, "POST", c.Post().verb)
	assert.Equal(t, "PUT", c.Put().verb)
	assert.Equal(t, "DELETE", c.Delete().verb)
	p := c.Patch("application/merge-patch+json")
	assert.Equal(t, "PATCH", p.verb)
	assert.Equal(t, "application/merge-patch+json", p.headers.Get("Content-Type"))
	assert.True(t, strings.EqualFold("OPTIONS", c.Verb("OPTIONS").verb))
}
