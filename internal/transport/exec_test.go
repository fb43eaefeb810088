package transport

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingPlugin is a shell script that counts its runs in $D/count, saves
// KUBERNETES_EXEC_INFO and its first argument, and prints a token
// "tok-<run>" with apiVersion $V. extra runs before the output.
const countingPlugin = `#!/bin/sh
n=$(( $(cat "$D/count" 2>/dev/null || echo 0) + 1 ))
echo $n > "$D/count"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$D/info"
printf '%s' "$1" > "$D/arg"
EXTRA
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"tok-%s"EXPIRY}}' "$V" "$n"
`

type pluginDir struct {
	dir    string
	script string
}

func newPlugin(t *testing.T, extra, expiry string) *pluginDir {
	t.Helper()
	dir := t.TempDir()
	s := strings.Replace(countingPlugin, "EXTRA", extra, 1)
	if expiry != "" {
		expiry = `,"expirationTimestamp":"` + expiry + `"`
	}
	s = strings.Replace(s, "EXPIRY", expiry, 1)
	return &pluginDir{dir: dir, script: writeFile(t, dir, "plugin.sh", []byte(s), 0o755)}
}

func (p *pluginDir) exec(apiVersion string) *ExecConfig {
	mode := "Never"
	if apiVersion == execAPIV1beta1 {
		mode = ""
	}
	return &ExecConfig{
		Command:         p.script,
		Args:            []string{"first-arg"},
		Env:             []EnvVar{{Name: "D", Value: p.dir}, {Name: "V", Value: apiVersion}},
		APIVersion:      apiVersion,
		InteractiveMode: mode,
	}
}

func (p *pluginDir) count(t *testing.T) int {
	b, err := os.ReadFile(filepath.Join(p.dir, "count"))
	if errors.Is(err, fs.ErrNotExist) {
		return 0
	}
	require.NoError(t, err)
	var n int
	_, err = fmt.Sscan(strings.TrimSpace(string(b)), &n)
	require.NoError(t, err)
	return n
}

func (p *pluginDir) info(t *testing.T) map[string]any {
	b, err := os.ReadFile(filepath.Join(p.dir, "info"))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func TestExecV1TokenCachedAndClusterInfo(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewTLSServer(rec)
	defer srv.Close()
	p := newPlugin(t, "", "")
	ec := p.exec(execAPIV1)
	ec.ProvideClusterInfo = true
	ec.Config = map[string]any{"audience": "kube"}
	ca := serverCAPEM(srv)
	rt, err := New(&Config{Host: srv.URL, TLS: TLS{CAData: ca, ServerName: "example.com"}, Exec: ec})
	require.NoError(t, err)

	assert.Equal(t, http.StatusOK, get(t, rt, srv.URL))
	assert.Equal(t, http.StatusOK, get(t, rt, srv.URL))
	assert.Equal(t, []string{"Bearer tok-1", "Bearer tok-1"}, rec.auths())
	assert.Equal(t, 1, p.count(t), "a credential without expiry is cached")

	info := p.info(t)
	assert.Equal(t, execAPIV1, info["apiVersion"])
	assert.Equal(t, "ExecCredential", info["kind"])
	spec := info["spec"].(map[string]any)
	assert.Equal(t, false, spec["interactive"])
	cluster := spec["cluster"].(map[string]any)
	assert.Equal(t, srv.URL, cluster["server"])
	assert.Equal(t, "example.com", cluster["tls-server-name"])
	assert.Equal(t, base64.StdEncoding.EncodeToString(ca), cluster["certificate-authority-data"])
	assert.Equal(t, map[string]any{"audience": "kube"}, cluster["config"])
	arg, _ := os.ReadFile(filepath.Join(p.dir, "arg"))
	assert.Equal(t, "first-arg", string(arg))

	// A second transport for the same plugin and cluster shares the cache.
	rt2, err := New(&Config{Host: srv.URL, TLS: TLS{CAData: ca, ServerName: "example.com"}, Exec: ec})
	require.NoError(t, err)
	get(t, rt2, srv.URL)
	assert.Equal(t, 1, p.count(t))
}

func TestExecV1beta1WithoutClusterInfo(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	p := newPlugin(t, "", "")
	rt, err := New(&Config{Host: srv.URL, Exec: p.exec(execAPIV1beta1)})
	require.NoError(t, err)
	get(t, rt, srv.URL)
	assert.Equal(t, "Bearer tok-1", rec.last().Get("Authorization"))
	info := p.info(t)
	assert.Equal(t, execAPIV1beta1, info["apiVersion"])
	assert.NotContains(t, info["spec"], "cluster")
}

func TestExecConfigValidation(t *testing.T) {
	for name, tc := range map[string]struct {
		ec   ExecConfig
		want string
	}{
		"unknown apiVersion": {ExecConfig{Command: "x", APIVersion: "client.authentication.k8s.io/v1alpha1"}, `unsupported apiVersion "client.authentication.k8s.io/v1alpha1"`},
		"empty apiVersion":   {ExecConfig{Command: "x"}, "apiVersion is empty"},
		"v1 needs mode":      {ExecConfig{Command: "x", APIVersion: execAPIV1}, "interactiveMode must be set"},
		"bad mode":           {ExecConfig{Command: "x", APIVersion: execAPIV1, InteractiveMode: "Sometimes"}, `invalid interactiveMode "Sometimes"`},
		"no command":         {ExecConfig{APIVersion: execAPIV1, InteractiveMode: "Never"}, "command is empty"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(&Config{Exec: &tc.ec})
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestExecExpiryRerunsPlugin(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	p := newPlugin(t, "", "2030-01-01T00:00:00Z")
	a := newExecAuthenticator(p.exec(execAPIV1), nil)
	now := time.Date(2029, 12, 31, 23, 59, 0, 0, time.UTC)
	var mu sync.Mutex
	a.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	rt, err := newWith(&Config{Exec: &a.cfg}, a)
	require.NoError(t, err)

	get(t, rt, srv.URL)
	get(t, rt, srv.URL)
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	get(t, rt, srv.URL)
	assert.Equal(t, []string{"Bearer tok-1", "Bearer tok-1", "Bearer tok-2"}, rec.auths())
	assert.Equal(t, 2, p.count(t))
}

func TestExec401RerunsPluginAndRetries(t *testing.T) {
	rec := &recorder{status: func(auth string) int {
		if auth == "Bearer tok-1" {
			return http.StatusUnauthorized
		}
		return http.StatusOK
	}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	p := newPlugin(t, "", "")
	rt, err := New(&Config{Exec: p.exec(execAPIV1)})
	require.NoError(t, err)

	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"kind":"Pod"}`))
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, []string{"Bearer tok-1", "Bearer tok-2"}, rec.auths())
	assert.Equal(t, []string{`{"kind":"Pod"}`, `{"kind":"Pod"}`}, rec.bodies)
	assert.Equal(t, 2, p.count(t))

	get(t, rt, srv.URL)
	assert.Equal(t, 2, p.count(t), "the refreshed credential is cached")
}

func TestExecConcurrentRequestsShareOneRun(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	p := newPlugin(t, "sleep 0.3", "")
	rt, err := New(&Config{Exec: p.exec(execAPIV1)})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			get(t, rt, srv.URL)
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, p.count(t))
	assert.Len(t, rec.auths(), 8)
	for _, a := range rec.auths() {
		assert.Equal(t, "Bearer tok-1", a)
	}
}

func TestExecPluginNotFound(t *testing.T) {
	srv := httptest.NewServer(&recorder{})
	defer srv.Close()
	rt, err := New(&Config{Exec: &ExecConfig{
		Command: "anykube-test-no-such-plugin", APIVersion: execAPIV1, InteractiveMode: "Never",
		InstallHint: "Install it with: go install example.com/plugin@latest",
	}})
	require.NoError(t, err, "a missing plugin is found out when it is needed")
	err = getErr(t, rt, srv.URL)
	assert.ErrorIs(t, err, exec.ErrNotFound)
	assert.Contains(t, err.Error(), `executable "anykube-test-no-such-plugin" not found`)
	assert.Contains(t, err.Error(), "Install it with: go install example.com/plugin@latest")

	missing := filepath.Join(t.TempDir(), "bin", "plugin")
	rt, err = New(&Config{Exec: &ExecConfig{Command: missing, APIVersion: execAPIV1, InteractiveMode: "Never"}})
	require.NoError(t, err)
	err = getErr(t, rt, srv.URL)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), missing)
}

// A plugin that prints its token on standard error and fails must not put
// the token in the error, which every request returns and programs log.
func TestExecPluginFailureQuotesNeitherStderrNorStdout(t *testing.T) {
	srv := httptest.NewServer(&recorder{})
	defer srv.Close()
	script := writeFile(t, t.TempDir(), "plugin.sh", []byte(`#!/bin/sh
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"STDOUT-SECRET"}}'
echo "refresh failed for token STDERR-SECRET, env: API_KEY=ENV-SECRET" >&2
exit 3
`), 0o755)
	rt, err := New(&Config{Exec: &ExecConfig{Command: script, APIVersion: execAPIV1, InteractiveMode: "Never"}})
	require.NoError(t, err)
	err = getErr(t, rt, srv.URL)
	assert.Contains(t, err.Error(), "exit status 3")
	assert.Contains(t, err.Error(), "wrote 64 bytes to standard error, not shown")
	for _, secret := range []string{"STDOUT-SECRET", "STDERR-SECRET", "ENV-SECRET"} {
		assert.NotContains(t, err.Error(), secret)
	}
	var ee *exec.ExitError
	assert.True(t, errors.As(err, &ee))
	assert.Empty(t, ee.Stderr, "the exit error carries no copy of standard error either")
}

func TestExecPluginFailureWithoutStderr(t *testing.T) {
	srv := httptest.NewServer(&recorder{})
	defer srv.Close()
	script := writeFile(t, t.TempDir(), "plugin.sh", []byte("#!/bin/sh\nexit 2\n"), 0o755)
	rt, err := New(&Config{Exec: &ExecConfig{Command: script, APIVersion: execAPIV1, InteractiveMode: "Never"}})
	require.NoError(t, err)
	err = getErr(t, rt, srv.URL)
	assert.ErrorContains(t, err, "failed: exit status 2")
	assert.NotContains(t, err.Error(), "standard error")
}

func TestExecBadOutput(t *testing.T) {
	const secret = "OUTPUT-SECRET"
	cert, key := selfSigned(t, "x")
	jsonStr := func(b []byte) string { s, _ := json.Marshal(string(b)); return string(s) }
	for name, tc := range map[string]struct {
		out  string
		want string
	}{
		"not JSON":        {`token: ` + secret, "not valid JSON"},
		"truncated":       {`{"apiVersion":"client.authentication.k8s.io/v1","status":{"token":"` + secret, "not valid JSON"},
		"wrong type":      {`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":["` + secret + `"]}}`, `field "status.token" has the wrong type`},
		"wrong kind":      {`{"apiVersion":"client.authentication.k8s.io/v1","kind":"Secret","status":{"token":"` + secret + `"}}`, `not of kind "ExecCredential"`},
		"other version":   {`{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"` + secret + `"}}`, "apiVersion differs"},
		"no status":       {`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"}`, "no status"},
		"empty status":    {`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}`, "neither a token nor a client certificate"},
		"cert but no key": {`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":` + jsonStr(cert) + `}}`, "both clientCertificateData and clientKeyData"},
		"bad expiry":      {`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"x","expirationTimestamp":"` + secret + `"}}`, "expirationTimestamp is not an RFC 3339 time"},
		"bad pair":        {`{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":` + jsonStr(cert) + `,"clientKeyData":"` + secret + `"}}`, "clientKeyData"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseExecOutput([]byte(tc.out), execAPIV1)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), secret)
			assert.NotContains(t, err.Error(), string(key))
		})
	}
}

func TestExecClientCertificate(t *testing.T) {
	// The plugin returns certificate "first", then "second"; the server
	// rejects "first", so the 401 must lead to a re-run and a new
	// connection that presents "second".
	rec := &recorder{}
	srv := newClientCertServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.ServeHTTP(httptest.NewRecorder(), r)
		if r.TLS.PeerCertificates[0].Subject.CommonName != "second" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	dir := t.TempDir()
	for i, cn := range []string{"first", "second"} {
		c, k := selfSigned(t, cn)
		out, _ := json.Marshal(map[string]any{
			"apiVersion": execAPIV1, "kind": "ExecCredential",
			"status": map[string]string{"clientCertificateData": string(c), "clientKeyData": string(k)},
		})
		writeFile(t, dir, "cred-"+string(rune('1'+i))+".json", out, 0o600)
	}
	script := writeFile(t, dir, "plugin.sh", []byte(`#!/bin/sh
n=$(( $(cat "$D/count" 2>/dev/null || echo 0) + 1 ))
echo $n > "$D/count"
cat "$D/cred-$n.json"
`), 0o755)
	rt, err := New(&Config{TLS: TLS{CAData: serverCAPEM(srv)}, Exec: &ExecConfig{
		Command: script, APIVersion: execAPIV1, InteractiveMode: "Never", Env: []EnvVar{{Name: "D", Value: dir}},
	}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, get(t, rt, srv.URL))
	assert.Equal(t, []string{"first", "second"}, rec.clientCN)
	assert.Equal(t, []string{"", ""}, rec.auths(), "a certificate-only credential sends no Authorization")
}

func TestExecCertificateWithCustomTransportFails(t *testing.T) {
	dir := t.TempDir()
	c, k := selfSigned(t, "x")
	out, _ := json.Marshal(map[string]any{"apiVersion": execAPIV1, "kind": "ExecCredential",
		"status": map[string]string{"clientCertificateData": string(c), "clientKeyData": string(k)}})
	writeFile(t, dir, "cred.json", out, 0o600)
	script := writeFile(t, dir, "plugin.sh", []byte("#!/bin/sh\ncat \"$(dirname \"$0\")/cred.json\"\n"), 0o755)
	rt, err := New(&Config{Base: http.DefaultTransport, Exec: &ExecConfig{Command: script, APIVersion: execAPIV1, InteractiveMode: "Never"}})
	require.NoError(t, err)
	assert.ErrorContains(t, getErr(t, rt, "http://127.0.0.1:1"), "custom Config.Transport")
}

func TestExecInteractiveModes(t *testing.T) {
	srv := httptest.NewServer(&recorder{})
	defer srv.Close()
	p := newPlugin(t, `read line; printf '%s' "$line" > "$D/stdin"`, "")
	stdinFile := writeFile(t, t.TempDir(), "stdin", []byte("typed-by-user\n"), 0o600)

	run := func(mode string, terminal bool) (error, map[string]any, string) {
		os.Remove(filepath.Join(p.dir, "stdin"))
		ec := p.exec(execAPIV1)
		ec.InteractiveMode = mode
		a := newExecAuthenticator(ec, nil)
		f, err := os.Open(stdinFile)
		require.NoError(t, err)
		defer f.Close()
		a.stdin = f
		a.stderr = &strings.Builder{}
		a.isTerminal = func(*os.File) bool { return terminal }
		_, err = a.get(t.Context())
		if err != nil {
			return err, nil, ""
		}
		in, _ := os.ReadFile(filepath.Join(p.dir, "stdin"))
		return nil, p.info(t), string(in)
	}

	err, _, _ := run("Always", false)
	assert.ErrorContains(t, err, "interactiveMode is Always but standard input is not a terminal")

	err, info, in := run("Always", true)
	require.NoError(t, err)
	assert.Equal(t, true, info["spec"].(map[string]any)["interactive"])
	assert.Equal(t, "typed-by-user", in)

	err, info, in = run("IfAvailable", false)
	require.NoError(t, err)
	assert.Equal(t, false, info["spec"].(map[string]any)["interactive"])
	assert.Equal(t, "", in, "stdin is not handed over without a terminal")

	err, info, in = run("Never", true)
	require.NoError(t, err)
	assert.Equal(t, false, info["spec"].(map[string]any)["interactive"])
	assert.Equal(t, "", in)
}

func TestExecClusterInfo(t *testing.T) {
	dir := t.TempDir()
	ca := writeFile(t, dir, "ca.crt", []byte("CA PEM"), 0o600)
	proxyURL, _ := url.Parse("socks5://127.0.0.1:1080")
	cl, err := execClusterInfo(&Config{
		Host:               "https://k.example:6443",
		TLS:                TLS{CAFile: ca, ServerName: "api.internal", Insecure: false},
		Proxy:              http.ProxyURL(proxyURL),
		DisableCompression: true,
		Exec:               &ExecConfig{Config: map[string]any{"k": "v"}},
	})
	require.NoError(t, err)
	assert.Equal(t, &execCluster{
		Server:                   "https://k.example:6443",
		TLSServerName:            "api.internal",
		CertificateAuthorityData: []byte("CA PEM"),
		ProxyURL:                 "socks5://127.0.0.1:1080",
		DisableCompression:       true,
		Config:                   map[string]any{"k": "v"},
	}, cl)

	_, err = execClusterInfo(&Config{TLS: TLS{CAFile: filepath.Join(dir, "missing")}, Exec: &ExecConfig{}})
	assert.ErrorContains(t, err, filepath.Join(dir, "missing"))
}
