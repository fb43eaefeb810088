package anykube

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anykube/anykube/internal/testcerts"
)

func TestLoadKubeconfigMergesFilesFirstWins(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a/ca.crt", "CA")
	a := writeFile(t, dir, "a/config", `
current-context: dev
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user, namespace: team-a}
clusters:
- name: dev-cluster
  cluster:
    server: https://dev.example:6443
    certificate-authority: ca.crt
`)
	b := writeFile(t, dir, "b/config", `
current-context: prod
contexts:
- name: dev
  context: {cluster: other, user: other, namespace: ignored}
- name: prod
  context: {cluster: prod-cluster, user: dev-user}
clusters:
- name: dev-cluster
  cluster: {server: https://ignored.example}
- name: prod-cluster
  cluster: {server: https://prod.example}
users:
- name: dev-user
  user:
    tokenFile: token
`)
	kc, err := LoadKubeconfig(KubeconfigOptions{Paths: []string{a, b}})
	require.NoError(t, err)
	assert.Equal(t, "dev", kc.Context)
	assert.Equal(t, "team-a", kc.Namespace)
	assert.Equal(t, []string{a, b}, kc.Files)
	assert.Equal(t, "https://dev.example:6443", kc.Config.Host)
	assert.Equal(t, filepath.Join(dir, "a/ca.crt"), kc.Config.TLSClientConfig.CAFile, "relative to the file that defined the cluster")
	assert.Equal(t, filepath.Join(dir, "b/token"), kc.Config.BearerTokenFile, "relative to the file that defined the user")

	// The same through KUBECONFIG, with a missing entry skipped.
	t.Setenv("KUBECONFIG", strings.Join([]string{filepath.Join(dir, "missing"), a, b}, string(os.PathListSeparator)))
	kc, err = LoadKubeconfig(KubeconfigOptions{Context: "prod"})
	require.NoError(t, err)
	assert.Equal(t, "https://prod.example", kc.Config.Host)
	assert.Equal(t, "default", kc.Namespace)
	assert.Equal(t, []string{a, b}, kc.Files)
}

func TestLoadKubeconfigFields(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "config", `
current-context: c
contexts:
- name: c
  context: {cluster: cl, user: u}
clusters:
- name: cl
  cluster:
    server: https://k.example
    certificate-authority-data: `+b64([]byte("CA PEM"))+`
    certificate-authority: does-not-matter-data-wins
    tls-server-name: api.internal
    disable-compression: true
    proxy-url: socks5://127.0.0.1:1080
    extensions:
    - name: client.authentication.k8s.io/exec
      extension: {audience: sts.example}
users:
- name: u
  user:
    client-certificate-data: `+b64([]byte("CERT"))+`
    client-key-data: `+b64([]byte("KEY"))+`
    as: alice
    as-uid: "42"
    as-groups: [devs]
    as-user-extra: {scopes: [view]}
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./plugins/get-token
      args: [--cluster, cl]
      env: [{name: REGION, value: eu}]
      installHint: install get-token
      provideClusterInfo: true
      interactiveMode: Never
`)
	cfg, err := ConfigFromKubeconfig(KubeconfigOptions{Paths: []string{p}})
	require.NoError(t, err)
	tls := cfg.TLSClientConfig
	assert.Equal(t, []byte("CA PEM"), tls.CAData)
	assert.Empty(t, tls.CAFile)
	assert.Equal(t, []byte("CERT"), tls.CertData)
	assert.Equal(t, []byte("KEY"), tls.KeyData)
	assert.Equal(t, "api.internal", tls.ServerName)
	assert.True(t, cfg.DisableCompression)
	assert.Equal(t, ImpersonationConfig{UserName: "alice", UID: "42", Groups: []string{"devs"}, Extra: map[string][]string{"scopes": {"view"}}}, cfg.Impersonate)
	require.NotNil(t, cfg.Proxy)
	u, err := cfg.Proxy(httptestRequest(t, cfg.Host))
	require.NoError(t, err)
	assert.Equal(t, "socks5://127.0.0.1:1080", u.String())
	assert.Equal(t, &ExecConfig{
		Command:            filepath.Join(dir, "plugins/get-token"),
		Args:               []string{"--cluster", "cl"},
		Env:                []ExecEnvVar{{Name: "REGION", Value: "eu"}},
		APIVersion:         "client.authentication.k8s.io/v1",
		InstallHint:        "install get-token",
		ProvideClusterInfo: true,
		InteractiveMode:    NeverExecInteractiveMode,
		Config:             map[string]any{"audience": "sts.example"},
	}, cfg.ExecProvider)
}

func httptestRequest(t *testing.T, url string) *http.Request {
	r, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	return r
}

func TestLoadKubeconfigBasicAuthAndToken(t *testing.T) {
	p := writeFile(t, t.TempDir(), "config", `
current-context: basic
contexts:
- {name: basic, context: {cluster: cl, user: basic}}
- {name: token, context: {cluster: cl, user: token}}
- {name: anon, context: {cluster: cl}}
clusters:
- {name: cl, cluster: {server: "https://k.example", insecure-skip-tls-verify: true}}
users:
- {name: basic, user: {username: admin, password: hunter2}}
- {name: token, user: {token: abc}}
`)
	cfg, err := ConfigFromKubeconfig(KubeconfigOptions{Paths: []string{p}})
	require.NoError(t, err)
	assert.Equal(t, "admin", cfg.Username)
	assert.Equal(t, "hunter2", cfg.Password)
	assert.True(t, cfg.TLSClientConfig.Insecure)
	cfg, err = ConfigFromKubeconfig(KubeconfigOptions{Paths: []string{p}, Context: "token"})
	require.NoError(t, err)
	assert.Equal(t, "abc", cfg.BearerToken)
	cfg, err = ConfigFromKubeconfig(KubeconfigOptions{Paths: []string{p}, Context: "anon"})
	require.NoError(t, err)
	assert.Empty(t, cfg.BearerToken+cfg.Username+cfg.BearerTokenFile)
}

func TestLoadKubeconfigErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "present.crt", "x")
	p := writeFile(t, dir, "config", `
contexts:
- {name: no-cluster, context: {cluster: ghost, user: u}}
- {name: no-user, context: {cluster: cl, user: ghost}}
- {name: missing-ca, context: {cluster: bad-ca, user: u}}
- {name: missing-cert, context: {cluster: cl, user: missing-cert}}
- {name: missing-key, context: {cluster: cl, user: missing-key}}
- {name: no-server, context: {cluster: no-server}}
- {name: bad-proxy, context: {cluster: bad-proxy}}
- {name: auth-provider, context: {cluster: cl, user: auth-provider}}
- {name: user-info, context: {cluster: user-info, user: u}}
clusters:
- {name: cl, cluster: {server: "https://k.example"}}
- {name: bad-ca, cluster: {server: "https://k.example", certificate-authority: certs/ca.crt}}
- {name: no-server, cluster: {}}
- {name: bad-proxy, cluster: {server: "https://k.example", proxy-url: "ftp://proxy"}}
- {name: user-info, cluster: {server: "https://admin:PW-SECRET@k.example:6443"}}
users:
- {name: u, user: {}}
- {name: missing-cert, user: {client-certificate: nope.crt, client-key: present.crt}}
- {name: missing-key, user: {client-certificate: present.crt, client-key: nope.key}}
- {name: auth-provider, user: {auth-provider: {name: gcp}}}
`)
	load := func(ctx string) error {
		_, err := LoadKubeconfig(KubeconfigOptions{Paths: []string{p}, Context: ctx})
		require.Error(t, err)
		return err
	}

	assert.ErrorIs(t, load(""), ErrNoCurrentContext)

	var nf *KubeconfigNotFoundError
	require.True(t, errors.As(load("nope"), &nf))
	assert.Equal(t, KubeconfigNotFoundError{Kind: "context", Name: "nope", Files: []string{p}}, *nf)
	require.True(t, errors.As(load("no-cluster"), &nf))
	assert.Equal(t, KubeconfigNotFoundError{Kind: "cluster", Name: "ghost", Context: "no-cluster", Files: []string{p}}, *nf)
	assert.EqualError(t, nf, `kubeconfig: cluster "ghost" (named by context "no-cluster") not found in `+p)
	require.True(t, errors.As(load("no-user"), &nf))
	assert.Equal(t, "user", nf.Kind)

	var fe *KubeconfigFieldError
	for ctx, want := range map[string]KubeconfigFieldError{
		"missing-ca":    {Kubeconfig: p, Kind: "cluster", Name: "bad-ca", Field: "certificate-authority", Path: filepath.Join(dir, "certs/ca.crt")},
		"missing-cert":  {Kubeconfig: p, Kind: "user", Name: "missing-cert", Field: "client-certificate", Path: filepath.Join(dir, "nope.crt")},
		"missing-key":   {Kubeconfig: p, Kind: "user", Name: "missing-key", Field: "client-key", Path: filepath.Join(dir, "nope.key")},
		"no-server":     {Kubeconfig: p, Kind: "cluster", Name: "no-server", Field: "server"},
		"bad-proxy":     {Kubeconfig: p, Kind: "cluster", Name: "bad-proxy", Field: "proxy-url"},
		"auth-provider": {Kubeconfig: p, Kind: "user", Name: "auth-provider", Field: "auth-provider"},
		"user-info":     {Kubeconfig: p, Kind: "cluster", Name: "user-info", Field: "server"},
	} {
		err := load(ctx)
		require.True(t, errors.As(err, &fe), "%s: %v", ctx, err)
		got := *fe
		got.Err = nil
		assert.Equal(t, want, got, ctx)
		if want.Path != "" {
			assert.ErrorIs(t, err, os.ErrNotExist)
			assert.Contains(t, err.Error(), want.Field+" "+want.Path)
		}
	}
	assert.ErrorContains(t, load("bad-proxy"), `unsupported scheme "ftp"`)
	assert.ErrorContains(t, load("user-info"), "must not contain user info")
	assert.NotContains(t, load("user-info").Error(), "PW-SECRET")
	assert.ErrorContains(t, load("auth-provider"), `provider "gcp" is not supported`)
}

func TestLoadKubeconfigMalformedYAMLNamesFileAndLine(t *testing.T) {
	p := writeFile(t, t.TempDir(), "config", "current-context: x\nclusters:\n- name: a\n   server: b\n")
	_, err := LoadKubeconfig(KubeconfigOptions{Paths: []string{p}})
	var pe *KubeconfigParseError
	require.True(t, errors.As(err, &pe), "got %v", err)
	assert.Equal(t, p, pe.Path)
	assert.Equal(t, 4, pe.Line)
	assert.Contains(t, err.Error(), p)
	assert.Contains(t, err.Error(), "line 4")
}

func TestLoadKubeconfigNoFiles(t *testing.T) {
	t.Setenv("KUBECONFIG", "")
	t.Setenv("HOME", t.TempDir())
	_, err := LoadKubeconfig(KubeconfigOptions{})
	assert.ErrorIs(t, err, ErrNoConfig)
	assert.ErrorContains(t, err, filepath.Join(os.Getenv("HOME"), ".kube", "config")+": does not exist")

	_, err = LoadKubeconfig(KubeconfigOptions{Paths: []string{filepath.Join(t.TempDir(), "explicit")}})
	assert.ErrorIs(t, err, os.ErrNotExist, "an explicit path must exist")
}

// kubeconfigFor writes a one-context kubeconfig with the given cluster and
// user bodies and loads it.
func kubeconfigFor(t *testing.T, cluster, user string) *Config {
	t.Helper()
	p := writeFile(t, t.TempDir(), "config", fmt.Sprintf(`
current-context: c
contexts: [{name: c, context: {cluster: cl, user: u}}]
clusters: [{name: cl, cluster: {%s}}]
users: [{name: u, user: {%s}}]
`, cluster, user))
	cfg, err := ConfigFromKubeconfig(KubeconfigOptions{Paths: []string{p}})
	require.NoError(t, err)
	return cfg
}

func TestKubeconfigTLSEndToEnd(t *testing.T) {
	srv := httptest.NewTLSServer(&seen{})
	defer srv.Close()
	cfg := kubeconfigFor(t, fmt.Sprintf("server: %q, certificate-authority-data: %s", srv.URL, b64(caPEM(srv))), "token: t")
	assert.Equal(t, http.StatusOK, do(t, cfg, srv.URL))

	// Every httptest server has the same certificate; a fresh one is a
	// CA that did not sign it.
	cfg = kubeconfigFor(t, fmt.Sprintf("server: %q, certificate-authority-data: %s", srv.URL, b64(otherCA(t))), "token: t")
	err := doErr(t, cfg, srv.URL)
	assert.ErrorContains(t, err, "certificate signed by unknown authority")
}

func TestKubeconfigImpersonationEndToEnd(t *testing.T) {
	s := &seen{}
	srv := httptest.NewServer(s)
	defer srv.Close()
	cfg := kubeconfigFor(t, fmt.Sprintf("server: %q", srv.URL),
		`token: t, as: alice, as-uid: u-1, as-groups: [a, b], as-user-extra: {"acme.com/project": [p1, p2]}`)
	do(t, cfg, srv.URL)
	h := s.last()
	assert.Equal(t, "Bearer t", h.Get("Authorization"))
	assert.Equal(t, "alice", h.Get("Impersonate-User"))
	assert.Equal(t, "u-1", h.Get("Impersonate-Uid"))
	assert.Equal(t, []string{"a", "b"}, h.Values("Impersonate-Group"))
	assert.Equal(t, []string{"p1", "p2"}, h.Values("Impersonate-Extra-Acme.com%2fproject"))
	assert.Equal(t, DefaultUserAgent(), h.Get("User-Agent"))
}

func TestKubeconfigHTTPProxy(t *testing.T) {
	proxy := &seen{}
	proxySrv := httptest.NewServer(proxy)
	defer proxySrv.Close()
	// The API server's name does not resolve: only the proxy can answer.
	cfg := kubeconfigFor(t, fmt.Sprintf("server: http://kube.invalid:6443, proxy-url: %q", proxySrv.URL), "token: t")
	assert.Equal(t, http.StatusOK, do(t, cfg, cfg.Host+"/api"))
	require.Len(t, proxy.urls, 1)
	assert.Equal(t, "http://kube.invalid:6443/api", proxy.urls[0])
	assert.Equal(t, "Bearer t", proxy.last().Get("Authorization"))
}

func TestKubeconfigSOCKS5Proxy(t *testing.T) {
	api := &seen{}
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()
	addr, connects := startSOCKS5(t)
	cfg := kubeconfigFor(t, fmt.Sprintf("server: %q, proxy-url: socks5://%s", apiSrv.URL, addr), "token: t")
	assert.Equal(t, http.StatusOK, do(t, cfg, apiSrv.URL+"/api"))
	assert.EqualValues(t, 1, connects.Load())
	assert.Equal(t, "Bearer t", api.last().Get("Authorization"))
}

// startSOCKS5 runs a minimal SOCKS5 server (no authentication, CONNECT
// only) on loopback and counts the connections it relays.
func startSOCKS5(t *testing.T) (string, *atomic.Int32) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	var n atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 262)
				if _, err := io.ReadFull(c, buf[:2]); err != nil || buf[0] != 5 {
					return
				}
				if _, err := io.ReadFull(c, buf[:buf[1]]); err != nil {
					return
				}
				c.Write([]byte{5, 0})
				if _, err := io.ReadFull(c, buf[:4]); err != nil || buf[1] != 1 {
					return
				}
				var host string
				switch buf[3] {
				case 1:
					io.ReadFull(c, buf[:4])
					host = net.IP(buf[:4]).String()
				case 3:
					io.ReadFull(c, buf[:1])
					l := int(buf[0])
					io.ReadFull(c, buf[:l])
					host = string(buf[:l])
				default:
					return
				}
				io.ReadFull(c, buf[:2])
				port := int(buf[0])<<8 | int(buf[1])
				target, err := net.Dial("tcp", net.JoinHostPort(host, fmt.Sprint(port)))
				if err != nil {
					c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
					return
				}
				defer target.Close()
				n.Add(1)
				c.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0})
				go io.Copy(target, c)
				io.Copy(c, target)
			}()
		}
	}()
	return ln.Addr().String(), &n
}

// The overrides kubectl takes on its command line: --context, --cluster,
// --user, --namespace and --server.
func TestLoadKubeconfigOverrides(t *testing.T) {
	p := writeFile(t, t.TempDir(), "config", `
apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: {server: "https://one:6443"}
- name: c2
  cluster: {server: "https://two:6443"}
users:
- name: u1
  user: {token: token-one}
- name: u2
  user: {token: token-two}
contexts:
- name: first
  context: {cluster: c1, user: u1, namespace: ns1}
- name: second
  context: {cluster: c2, user: u2}
current-context: first
`)
	noCurrent := writeFile(t, t.TempDir(), "config", strings.Replace(readFile(t, p), "current-context: first", "", 1))
	for _, tc := range []struct {
		name                     string
		opts                     KubeconfigOptions
		host, token, ns, context string
	}{
		{"none", KubeconfigOptions{}, "https://one:6443", "token-one", "ns1", "first"},
		{"context", KubeconfigOptions{Context: "second"}, "https://two:6443", "token-two", "default", "second"},
		{"cluster", KubeconfigOptions{Cluster: "c2"}, "https://two:6443", "token-one", "ns1", "first"},
		{"user", KubeconfigOptions{User: "u2"}, "https://one:6443", "token-two", "ns1", "first"},
		{"namespace", KubeconfigOptions{Namespace: "mine"}, "https://one:6443", "token-one", "mine", "first"},
		{"server", KubeconfigOptions{Context: "second", Server: "https://three:6443"}, "https://three:6443", "token-two", "default", "second"},
		{"cluster without a context", KubeconfigOptions{Paths: []string{noCurrent}, Cluster: "c1", User: "u2"}, "https://one:6443", "token-two", "default", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.opts.Paths == nil {
				tc.opts.Paths = []string{p}
			}
			kc, err := LoadKubeconfig(tc.opts)
			require.NoError(t, err)
			assert.Equal(t, tc.host, kc.Config.Host)
			assert.Equal(t, tc.token, kc.Config.BearerToken)
			assert.Equal(t, tc.ns, kc.Namespace)
			assert.Equal(t, tc.context, kc.Context)
		})
	}

	// A cluster or user the files lack is named, and so is what asked.
	_, err := LoadKubeconfig(KubeconfigOptions{Paths: []string{p}, Cluster: "nope"})
	var nf *KubeconfigNotFoundError
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, "cluster", nf.Kind)
	assert.Equal(t, "nope", nf.Name)
	_, err = LoadKubeconfig(KubeconfigOptions{Paths: []string{noCurrent}, User: "u1"})
	assert.ErrorIs(t, err, ErrNoCurrentContext, "a user alone does not make a context")

	// --server alone, with no file at all, is an anonymous Config.
	t.Setenv("KUBECONFIG", "")
	t.Setenv("HOME", t.TempDir())
	kc, err := LoadKubeconfig(KubeconfigOptions{Server: "https://anon:6443"})
	require.NoError(t, err)
	assert.Equal(t, "https://anon:6443", kc.Config.Host)
	assert.Empty(t, kc.Config.BearerToken)
	_, err = LoadKubeconfig(KubeconfigOptions{Server: "https://user:s3cret@anon:6443"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret")
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// A client built from a kubeconfig whose certificate-authority file is
// rewritten with a new CA trusts the server that CA signed, without being
// built again.
func TestKubeconfigCAFileRotation(t *testing.T) {
	var cert testcerts.Rotating
	rotate := func() []byte {
		pem, err := cert.Rotate("127.0.0.1")
		require.NoError(t, err)
		return pem
	}
	dir := t.TempDir()
	writeFile(t, dir, "ca.crt", string(rotate()))
	srv := httptest.NewUnstartedServer(&seen{})
	srv.TLS = cert.TLSConfig("h2", "http/1.1")
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	p := writeFile(t, dir, "config", fmt.Sprintf(`
current-context: c
contexts: [{name: c, context: {cluster: cl, user: u}}]
clusters: [{name: cl, cluster: {server: %q, certificate-authority: ca.crt}}]
users: [{name: u, user: {token: t}}]
`, srv.URL))
	cfg, err := ConfigFromKubeconfig(KubeconfigOptions{Paths: []string{p}})
	require.NoError(t, err)
	hc, err := HTTPClientFor(cfg)
	require.NoError(t, err)
	getOK := func() {
		t.Helper()
		resp, err := hc.Get(srv.URL)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	}
	getOK()
	next := rotate()
	srv.CloseClientConnections()
	hc.CloseIdleConnections()
	writeFile(t, dir, "ca.crt", string(next))
	getOK()
}
