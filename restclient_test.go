package anykube

import (
	"net/http"
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
