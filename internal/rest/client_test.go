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

// newTestClient builds a Client with fast retry timing, no rate limiting
// unless s has a limiter, and warnings going to s.Warnings or the default.
func newTestClient(t *testing.T, s Settings) *Client {
	t.Helper()
	c, err := New(s, &http.Client{})
	require.NoError(t, err)
	c.retryAfterUnit = time.Millisecond
	c.backoffBase = time.Millisecond
	c.backoffMax = 4 * time.Millisecond
	return c
}

func TestNewParsesHost(t *testing.T) {
	cases := []struct {
		name       string
		s          Settings
		wantBase   string
		wantPrefix string
	}{
		{"url", Settings{Host: "https://10.0.0.1:6443"}, "https://10.0.0.1:6443", ""},
		{"url with prefix", Settings{Host: "https://rancher.example/k8s/clusters/c-1/"}, "https://rancher.example", "/k8s/clusters/c-1"},
		{"plain http url", Settings{Host: "http://127.0.0.1:8001"}, "http://127.0.0.1:8001", ""},
		{"plain http url stays http when secure", Settings{Host: "http://127.0.0.1:8001", Secure: true}, "http://127.0.0.1:8001", ""},
		{"host:port", Settings{Host: "127.0.0.1:8001"}, "http://127.0.0.1:8001", ""},
		{"host:port, secure", Settings{Host: "10.0.0.1:6443", Secure: true}, "https://10.0.0.1:6443", ""},
		{"host, secure", Settings{Host: "kube", Secure: true}, "https://kube", ""},
		{"ipv6", Settings{Host: "[::1]:6443", Secure: true}, "https://[::1]:6443", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.s, &http.Client{})
			require.NoError(t, err)
			assert.Equal(t, tc.wantBase, c.base.String())
			assert.Equal(t, tc.wantPrefix, c.prefix)
		})
	}
}

func TestNewRejectsBadInput(t *testing.T) {
	cases := []struct {
		name    string
		s       Settings
		hc      *http.Client
		wantErr string
	}{
		{"nil client", Settings{Host: "x:1"}, nil, "nil *http.Client"},
		{"empty host", Settings{}, &http.Client{}, "Host is empty"},
		{"bad scheme", Settings{Host: "ftp://x"}, &http.Client{}, "scheme must be http or https"},
		{"user info", Settings{Host: "https://admin:s3cret@x:6443"}, &http.Client{}, "must not contain user info"},
		{"user info, no scheme", Settings{Host: "admin:s3cret@x:6443"}, &http.Client{}, "must not contain user info"},
		{"user info, bad escape", Settings{Host: "https://admin:s3cret%zz@x:6443"}, &http.Client{}, "must not contain user info"},
		{"user only", Settings{Host: "https://s3cret@x:6443"}, &http.Client{}, "must not contain user info"},
		{"query", Settings{Host: "https://x/?a=b"}, &http.Client{}, "query or fragment"},
		{"no host", Settings{Host: "https:///path"}, &http.Client{}, "has no host"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.s, tc.hc)
			require.ErrorContains(t, err, tc.wantErr)
			assert.NotContains(t, err.Error(), "s3cret")
		})
	}
}

func TestNewKeepsHTTPClientTimeoutOffLongRunning(t *testing.T) {
	hc := &http.Client{Timeout: time.Second}
	c, err := New(Settings{Host: "x:1"}, hc)
	require.NoError(t, err)
	assert.Same(t, hc, c.http)
	assert.Zero(t, c.longHTTP.Timeout)
	assert.Equal(t, time.Second, hc.Timeout, "the caller's client must not be changed")

	c, err = New(Settings{Host: "x:1"}, &http.Client{})
	require.NoError(t, err)
	assert.Same(t, c.http, c.longHTTP)
}

func TestVerbHelpers(t *testing.T) {
	c := newTestClient(t, Settings{Host: "http://h"})
	assert.Equal(t, "GET", c.Get().verb)
	assert.Equal(t, "POST", c.Post().verb)
	assert.Equal(t, "PUT", c.Put().verb)
	assert.Equal(t, "DELETE", c.Delete().verb)
	p := c.Patch("application/merge-patch+json")
	assert.Equal(t, "PATCH", p.verb)
	assert.Equal(t, "application/merge-patch+json", p.headers.Get("Content-Type"))
	assert.True(t, strings.EqualFold("OPTIONS", c.Verb("OPTIONS").verb))
}
