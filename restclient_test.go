package anykube

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRESTClientSchemeOfABareHost(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"nothing configured", Config{Host: "127.0.0.1:8001"}, "http://127.0.0.1:8001/version"},
		{"url keeps its scheme", Config{Host: "http://127.0.0.1:8001", BearerToken: "x"}, "http://127.0.0.1:8001/version"},
		{"token", Config{Host: "10.0.0.1:6443", BearerToken: "x"}, "https://10.0.0.1:6443/version"},
		{"token file", Config{Host: "kube", BearerTokenFile: "/t"}, "https://kube/version"},
		{"basic auth", Config{Host: "[::1]:6443", Username: "u"}, "https://[::1]:6443/version"},
		{"CA", Config{Host: "kube:6443", TLSClientConfig: TLSClientConfig{CAData: []byte("pem")}}, "https://kube:6443/version"},
		{"insecure", Config{Host: "kube:6443", TLSClientConfig: TLSClientConfig{Insecure: true}}, "https://kube:6443/version"},
		{"server name", Config{Host: "kube", TLSClientConfig: TLSClientConfig{ServerName: "k"}}, "https://kube/version"},
		{"exec", Config{Host: "kube", ExecProvider: &ExecConfig{Command: "x"}}, "https://kube/version"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := RESTClientForConfigAndClient(&tc.cfg, &http.Client{})
			require.NoError(t, err)
			assert.Equal(t, tc.want, c.Get().AbsPath("/version").URL().String())
		})
	}
}

func TestRESTClientForRejectsBadInput(t *testing.T) {
	cases := []struct {
		name    string
		cfg     *Config
		hc      *http.Client
		wantErr string
	}{
		{"nil config", nil, &http.Client{}, "nil *anykube.Config"},
		{"nil client", &Config{Host: "x:1"}, nil, "nil *http.Client"},
		{"empty host", &Config{}, &http.Client{}, "Host is empty"},
		{"user info", &Config{Host: "https://admin:s3cret@x:6443"}, &http.Client{}, "must not contain user info"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RESTClientForConfigAndClient(tc.cfg, tc.hc)
			require.ErrorContains(t, err, tc.wantErr)
			assert.NotContains(t, err.Error(), "s3cret")
		})
	}
	_, err := RESTClientFor(nil)
	assert.Error(t, err)
}

// A redirect to another host fails the request with a *RedirectError, is
// not retried, and the other host sees nothing: not the request, not the
// credentials.
func TestRESTClientRedirectToAnotherHostFails(t *testing.T) {
	var otherHits, hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { otherHits.Add(1) }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, other.URL+"/stolen?secret=LOCATION-SECRET", http.StatusFound)
	}))
	defer srv.Close()
	c, err := RESTClientFor(&Config{Host: srv.URL, BearerToken: "TOKEN-SECRET", QPS: -1})
	require.NoError(t, err)
	err = c.Get().AbsPath("/api").Do(context.Background()).Error()
	var re *RedirectError
	require.True(t, errors.As(err, &re), "%v", err)
	assert.Equal(t, other.URL+"/stolen", re.To)
	assert.Zero(t, otherHits.Load())
	assert.Equal(t, int32(1), hits.Load(), "a refused redirect is not retried")
	assert.NotContains(t, err.Error(), "TOKEN-SECRET")
	assert.NotContains(t, err.Error(), "LOCATION-SECRET")
}

// The Config's limit reaches the request layer: zero as the default,
// negative as none.
func TestMaxResponseBytesSettings(t *testing.T) {
	for _, tc := range []struct{ in, want int64 }{{0, DefaultMaxResponseBytes}, {-1, 0}, {4096, 4096}} {
		assert.Equal(t, tc.want, restSettings(&Config{Host: "x", MaxResponseBytes: tc.in}).MaxBody, "MaxResponseBytes %d", tc.in)
	}
}
