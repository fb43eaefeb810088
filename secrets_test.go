package anykube

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNoSecretInAnyError drives every failure path that could see a
// credential and checks that none of the credentials used shows up in the
// error text.
func TestNoSecretInAnyError(t *testing.T) {
	secrets := []string{"TOKSECRET", "PASSSECRET", "KEYSECRET", "PROXYSECRET", "EXECOUTSECRET", "EXECERRSECRET", "ENVSECRET"}
	var errs []error
	collect := func(err error) {
		t.Helper()
		require.Error(t, err)
		errs = append(errs, err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	dir := t.TempDir()
	load := func(content string, ctx string) error {
		p := writeFile(t, t.TempDir(), "config", content)
		_, err := LoadKubeconfig(KubeconfigOptions{Paths: []string{p}, Context: ctx})
		return err
	}

	// Kubeconfig parsing.
	collect(load("users:\n- name: u\n  user: {token: TOKSECRET, password: PASSSECRET\n", ""))
	collect(load("users:\n- name: u\n  user:\n    token: TOKSECRET\n   password: PASSSECRET\n", ""))
	collect(load("clusters:\n- name: c\n  cluster: {insecure-skip-tls-verify: TOKSECRET}\n", ""))
	collect(load("clusters:\n- name: c\n  cluster: {server: [TOKSECRET]}\n", ""))
	collect(load("users:\n- name: u\n  user: {client-key-data: 'KEYSECRET!'}\n", ""))
	collect(load("users:\n- name: u\n  user: {client-certificate-data: '%KEYSECRET'}\n", ""))
	base := "current-context: c\ncontexts: [{name: c, context: {cluster: cl, user: u}}]\n"
	collect(load(base+"clusters: [{name: cl, cluster: {server: 'https://k', proxy-url: 'http://u:PROXYSECRET@[::1'}}]\nusers: [{name: u, user: {token: TOKSECRET}}]\n", ""))
	collect(load(base+"clusters: [{name: cl, cluster: {server: 'https://k', proxy-url: 'ftp://u:PROXYSECRET@host'}}]\nusers: [{name: u, user: {token: TOKSECRET}}]\n", ""))
	collect(load(base+"clusters: [{name: cl, cluster: {server: 'https://k', proxy-url: 'http://u:PROXYSECRET@'}}]\nusers: [{name: u, user: {token: TOKSECRET}}]\n", ""))
	collect(load(base+"clusters: [{name: cl, cluster: {server: 'https://k'}}]\nusers: [{name: u, user: {token: TOKSECRET, client-certificate: missing.crt, client-key: k}}]\n", ""))
	collect(load(base+"clusters: [{name: cl, cluster: {server: 'https://k'}}]\nusers: [{name: x, user: {token: TOKSECRET}}]\n", ""))
	collect(load(base+"clusters: [{name: cl, cluster: {}}]\nusers: [{name: u, user: {password: PASSSECRET}}]\n", ""))
	collect(load(base+"clusters: [{name: cl, cluster: {server: 'https://u:PASSSECRET@k'}}]\nusers: [{name: u, user: {token: TOKSECRET}}]\n", ""))
	collect(load(base+"clusters: [{name: cl, cluster: {server: 'u:PASSSECRET%zz@k:6443'}}]\nusers: [{name: u, user: {}}]\n", ""))
	collect(load(base+"clusters: [{name: cl, cluster: {server: 'https://k'}}]\nusers: [{name: u, user: {auth-provider: {name: oidc, config: {id-token: TOKSECRET}}}}]\n", ""))

	// Building transports.
	transportErr := func(cfg *Config) error { _, err := HTTPClientFor(cfg); return err }
	collect(transportErr(&Config{BearerToken: "TOKSECRET", Username: "u", Password: "PASSSECRET"}))
	collect(transportErr(&Config{TLSClientConfig: TLSClientConfig{CertData: []byte("CERT"), KeyData: []byte("KEYSECRET")}}))
	collect(transportErr(&Config{TLSClientConfig: TLSClientConfig{KeyData: []byte("KEYSECRET")}}))
	collect(transportErr(&Config{TLSClientConfig: TLSClientConfig{CAData: []byte("KEYSECRET")}}))
	collect(transportErr(&Config{ExecProvider: &ExecConfig{Command: "x", APIVersion: "v0", Env: []ExecEnvVar{{Name: "E", Value: "ENVSECRET"}}}}))

	// Requests.
	requestErr := func(cfg *Config) error { return doErr(t, cfg, srv.URL) }
	collect(requestErr(&Config{BearerTokenFile: filepath.Join(dir, "no-token")}))
	plugin := func(body string) *ExecConfig {
		p := writeFile(t, t.TempDir(), "plugin.sh", "#!/bin/sh\n"+body)
		require.NoError(t, chmodX(p))
		return &ExecConfig{Command: p, APIVersion: "client.authentication.k8s.io/v1", InteractiveMode: NeverExecInteractiveMode,
			Env: []ExecEnvVar{{Name: "E", Value: "ENVSECRET"}}}
	}
	cred := `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"EXECOUTSECRET"}}`
	collect(requestErr(&Config{ExecProvider: plugin("echo '" + cred + "'; echo 'denied EXECERRSECRET' >&2; exit 1\n")}))
	collect(requestErr(&Config{ExecProvider: plugin("echo 'EXECOUTSECRET is not json'\n")}))
	collect(requestErr(&Config{ExecProvider: plugin(`echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"EXECOUTSECRET"}}'` + "\n")}))
	collect(requestErr(&Config{ExecProvider: plugin(`echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":["EXECOUTSECRET"]}}'` + "\n")}))
	collect(requestErr(&Config{ExecProvider: plugin(`echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"x","expirationTimestamp":"EXECOUTSECRET"}}'` + "\n")}))
	collect(requestErr(&Config{ExecProvider: plugin(`echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"EXECOUTSECRET","clientKeyData":"EXECOUTSECRET"}}'` + "\n")}))
	missing := plugin("")
	missing.Command = "anykube-test-missing-plugin"
	collect(requestErr(&Config{ExecProvider: missing}))

	for _, err := range errs {
		for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", errors.Unwrap(err))} {
			for _, s := range secrets {
				if strings.Contains(text, s) {
					t.Errorf("error reveals %s: %s", s, text)
				}
			}
		}
	}
	t.Logf("checked %d errors", len(errs))
	for _, e := range errs {
		t.Log(e)
	}
}
