package transport

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// redirector answers every request under /go with a redirect to target
// (with the query it received) and serves rec elsewhere.
func redirector(rec *recorder, target func() string, code int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/go") {
			rec.ServeHTTP(httptest.NewRecorder(), r) // counted, not answered
			w.Header().Set("Location", target()+"?"+r.URL.RawQuery)
			w.WriteHeader(code)
			return
		}
		rec.ServeHTTP(w, r)
	})
}

// TestRedirectKeepsCredentialsOnTheirHost runs a pair of servers: A, which
// the request is sent to and which redirects, and B, another host. Same-host
// redirects carry the credentials; a redirect to B is refused before B
// sees anything, for every kind of credential and for https -> http.
func TestRedirectKeepsCredentialsOnTheirHost(t *testing.T) {
	plugin := writeFile(t, t.TempDir(), "plugin.sh", []byte(`#!/bin/sh
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"EXEC-SECRET"}}'
`), 0o755)
	creds := map[string]*Config{
		"bearer": {BearerToken: "BEARER-SECRET"},
		"basic":  {Username: "admin", Password: "BASIC-SECRET"},
		"exec":   {Exec: &ExecConfig{Command: plugin, APIVersion: execAPIV1, InteractiveMode: "Never"}},
	}
	for name, base := range creds {
		for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect} {
			t.Run(name+"/"+http.StatusText(code), func(t *testing.T) {
				recB := &recorder{}
				srvB := httptest.NewTLSServer(recB) // the same test CA as A, so B would be trusted
				defer srvB.Close()
				plainB := httptest.NewServer(recB)
				defer plainB.Close()

				recA := &recorder{}
				var target string
				srvA := httptest.NewTLSServer(redirector(recA, func() string { return target }, code))
				defer srvA.Close()

				cfg := *base
				cfg.TLS = TLS{CAData: serverCAPEM(srvA)}
				rt, err := New(&cfg)
				require.NoError(t, err)
				client := &http.Client{Transport: rt}

				// Same host: followed, with the credentials.
				target = srvA.URL + "/landed"
				resp, err := client.Get(srvA.URL + "/go?x=1")
				require.NoError(t, err)
				resp.Body.Close()
				assert.Equal(t, http.StatusOK, resp.StatusCode)
				auths := recA.auths()
				require.Len(t, auths, 2)
				assert.NotEmpty(t, auths[1], "the same-host redirect keeps the credentials")
				assert.Equal(t, auths[0], auths[1])

				for _, to := range []struct {
					url       string
					downgrade bool
				}{
					{srvB.URL + "/elsewhere", false},
					{plainB.URL + "/elsewhere", true},
					{strings.Replace(srvA.URL, "https://", "http://", 1) + "/landed", true},
				} {
					target = to.url
					_, err = client.Get(srvA.URL + "/go?token=QUERY-SECRET")
					var re *RedirectError
					require.True(t, errors.As(err, &re), "%v", err)
					assert.Equal(t, code, re.StatusCode)
					assert.Equal(t, srvA.URL, re.From)
					assert.Equal(t, to.url, re.To, "the target is named without its query")
					assert.Equal(t, to.downgrade, re.Downgrade)
					// net/http's *url.Error around it quotes the
					// target's URL as the server wrote it; the REST
					// layer strips that wrapper.
					assert.Contains(t, re.Error(), to.url)
					assert.NotContains(t, re.Error(), "QUERY-SECRET")
					for _, secret := range []string{"BEARER-SECRET", "BASIC-SECRET", "EXEC-SECRET"} {
						assert.NotContains(t, err.Error(), secret)
					}
				}
				assert.Empty(t, recB.auths(), "host B received no request at all")
			})
		}
	}
}

func TestRedirectCheckNamesNoUserInfo(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(redirector(rec, func() string { return "http://user:PW-SECRET@other.invalid/x" }, http.StatusFound))
	defer srv.Close()
	rt, err := New(&Config{BearerToken: "t"})
	require.NoError(t, err)
	_, err = (&http.Client{Transport: rt}).Get(srv.URL + "/go")
	var re *RedirectError
	require.True(t, errors.As(err, &re), "%v", err)
	assert.Equal(t, "http://other.invalid/x", re.To)
	assert.NotContains(t, err.Error(), "PW-SECRET")
}

func TestSameHost(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"https://k:6443/a", "https://k:6443/b", true},
		{"https://K:6443/a", "https://k:6443/b", true},
		{"https://k/a", "https://k:443/b", true},
		{"http://k/a", "https://k/b", true},
		{"https://k:6443/a", "https://k:6444/a", false},
		{"https://k/a", "https://k.evil/a", false},
		{"http://k:8080/a", "https://k/a", false},
	} {
		a, b := mustURL(t, tc.a), mustURL(t, tc.b)
		assert.Equal(t, tc.want, sameHost(a, b), "%s -> %s", tc.a, tc.b)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}
