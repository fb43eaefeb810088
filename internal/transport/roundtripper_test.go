package transport

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStaticCredentials(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()

	rt, err := New(&Config{BearerToken: "abc"})
	require.NoError(t, err)
	get(t, rt, srv.URL)
	assert.Equal(t, "Bearer abc", rec.last().Get("Authorization"))

	rt, err = New(&Config{Username: "user", Password: "pa:ss"})
	require.NoError(t, err)
	get(t, rt, srv.URL)
	assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("user:pa:ss")), rec.last().Get("Authorization"))
}

func TestCallerAuthorizationAndUserAgentWin(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	rt, err := New(&Config{BearerToken: "config-token", UserAgent: "anykube-test/1"})
	require.NoError(t, err)

	get(t, rt, srv.URL)
	assert.Equal(t, "anykube-test/1", rec.last().Get("User-Agent"))

	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Authorization", "Bearer caller")
	req.Header.Set("User-Agent", "caller-agent")
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "Bearer caller", rec.last().Get("Authorization"))
	assert.Equal(t, "caller-agent", rec.last().Get("User-Agent"))
	assert.Len(t, req.Header, 2, "the caller's request is not modified")
}

func TestOnlyOneCredentialKind(t *testing.T) {
	_, err := New(&Config{BearerToken: "t", Username: "u", Password: "p"})
	assert.ErrorContains(t, err, "found bearer token and basic auth")
}

// A static token beside an exec plugin wins and the plugin never runs, as
// in client-go (kubectl --token over a plugin user).
func TestStaticTokenBeatsExecPlugin(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	// The plugin would fail the request if it ran: its command does not exist.
	rt, err := New(&Config{BearerToken: "static", Exec: &ExecConfig{Command: "/nonexistent/plugin", APIVersion: execAPIV1beta1}})
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "Bearer static", rec.last().Get("Authorization"))
}

func TestImpersonationHeaders(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	rt, err := New(&Config{Impersonate: Impersonation{
		UserName: "alice",
		UID:      "1234",
		Groups:   []string{"devs", "system:authenticated"},
		Extra: map[string][]string{
			"scopes":                 {"view", "edit"},
			"example.com/team name%": {"blue"},
		},
	}})
	require.NoError(t, err)
	get(t, rt, srv.URL)
	h := rec.last()
	assert.Equal(t, "alice", h.Get("Impersonate-User"))
	assert.Equal(t, "1234", h.Get("Impersonate-Uid"))
	assert.Equal(t, []string{"devs", "system:authenticated"}, h.Values("Impersonate-Group"))
	assert.Equal(t, []string{"view", "edit"}, h.Values("Impersonate-Extra-Scopes"))
	// '/', ' ' and '%' are escaped so the server's path-unescape gets the
	// key back.
	assert.Equal(t, []string{"blue"}, h.Values("Impersonate-Extra-Example.com%2fteam%20name%25"))

	// A request that impersonates on its own keeps its headers.
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Impersonate-User", "bob")
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "bob", rec.last().Get("Impersonate-User"))
	assert.Empty(t, rec.last().Values("Impersonate-Group"))
}

func TestEscapeExtraKey(t *testing.T) {
	assert.Equal(t, "scopes", escapeExtraKey("scopes"))
	assert.Equal(t, "example.com%2Fscopes", escapeExtraKey("example.com/scopes"))
	assert.Equal(t, "a%25b%3Ac%C3%A9", escapeExtraKey("a%b:cé"))
	assert.Nil(t, impersonationHeaders(&Impersonation{Groups: []string{"g"}}), "groups alone impersonate nobody")
}

func TestTokenFileRotation(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	dir := t.TempDir()
	tokenFile := writeFile(t, dir, "token", []byte("token-one\n"), 0o600)
	rt, err := New(&Config{BearerTokenFile: tokenFile})
	require.NoError(t, err)

	get(t, rt, srv.URL)
	get(t, rt, srv.URL)
	// Same size, written right away: only the racy-mtime rule can see it.
	writeFile(t, dir, "token", []byte("token-two\n"), 0o600)
	get(t, rt, srv.URL)
	// The kubelet's way: a new file renamed over the old one.
	writeFile(t, dir, "token.new", []byte("token-three"), 0o600)
	require.NoError(t, os.Rename(filepath.Join(dir, "token.new"), tokenFile))
	get(t, rt, srv.URL)
	assert.Equal(t, []string{"Bearer token-one", "Bearer token-one", "Bearer token-two", "Bearer token-three"}, rec.auths())
}

func TestTokenFileErrors(t *testing.T) {
	srv := httptest.NewServer(&recorder{})
	defer srv.Close()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	rt, err := New(&Config{BearerTokenFile: missing})
	require.NoError(t, err, "the file may appear later")
	assert.ErrorContains(t, getErr(t, rt, srv.URL), missing)

	empty := writeFile(t, dir, "empty", []byte("\n"), 0o600)
	rt, err = New(&Config{BearerTokenFile: empty})
	require.NoError(t, err)
	assert.ErrorContains(t, getErr(t, rt, srv.URL), empty+" is empty")
}

func TestTokenFileKeepsLastTokenWhileFileIsGone(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	tokenFile := writeFile(t, t.TempDir(), "token", []byte("kept"), 0o600)
	rt, err := New(&Config{BearerTokenFile: tokenFile})
	require.NoError(t, err)
	get(t, rt, srv.URL)
	require.NoError(t, os.Remove(tokenFile))
	get(t, rt, srv.URL)
	assert.Equal(t, []string{"Bearer kept", "Bearer kept"}, rec.auths())
}

func TestTokenFileRereadOn401AndRetried(t *testing.T) {
	rec := &recorder{status: func(auth string) int {
		if auth == "Bearer fresh" {
			return http.StatusOK
		}
		return http.StatusUnauthorized
	}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	dir := t.TempDir()
	tokenFile := writeFile(t, dir, "token", []byte("stale"), 0o600)
	a := newTokenFileAuth(tokenFile)
	rt := &headerRoundTripper{next: http.DefaultTransport, auth: a}
	get(t, rt, srv.URL)
	// Pretend the stat says unchanged: only a forced re-read sees the new
	// token.
	a.file.racy = false
	fi, _ := os.Stat(tokenFile)
	writeFile(t, dir, "token", []byte("fresh"), 0o600)
	require.NoError(t, os.Chtimes(tokenFile, fi.ModTime(), fi.ModTime()))
	assert.Equal(t, http.StatusOK, get(t, rt, srv.URL))
	assert.Equal(t, []string{"Bearer stale", "Bearer stale", "Bearer fresh"}, rec.auths())
}

func TestWatchedFileRacyRule(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "f", []byte("aaaa"), 0o600)
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(p, old, old))
	w := newWatchedFile(p)
	b, changed, err := w.read(false)
	require.NoError(t, err)
	assert.Equal(t, "aaaa", string(b))
	assert.True(t, changed)
	assert.False(t, w.racy, "an hour-old file is trusted by its stat")

	// Same size and mtime: invisible to a stat, so the old content stays.
	writeFile(t, dir, "f", []byte("bbbb"), 0o600)
	require.NoError(t, os.Chtimes(p, old, old))
	b, changed, _ = w.read(false)
	assert.Equal(t, "aaaa", string(b))
	assert.False(t, changed)

	b, changed, _ = w.read(true)
	assert.Equal(t, "bbbb", string(b))
	assert.True(t, changed)
}

func TestRetryOn401ReplaysBody(t *testing.T) {
	// The authorizer hands out a new value after each 401.
	a := &countingAuth{}
	rec := &recorder{status: func(auth string) int {
		if auth == "Bearer 2" {
			return http.StatusOK
		}
		return http.StatusUnauthorized
	}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	rt := &headerRoundTripper{next: http.DefaultTransport, auth: a}

	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("payload"))
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, []string{"payload", "payload"}, rec.bodies)

	// A body that cannot be replayed gets the 401 back, and the next
	// request the new credential.
	a.n = 0
	req, _ = http.NewRequest(http.MethodPost, srv.URL, io.NopCloser(bytes.NewReader([]byte("once"))))
	req.GetBody = nil
	resp, err = rt.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, http.StatusOK, get(t, rt, srv.URL))
}

type countingAuth struct{ n int }

func (c *countingAuth) authorization(context.Context) (string, error) {
	if c.n == 0 {
		c.n = 1
	}
	return "Bearer " + string(rune('0'+c.n)), nil
}

func (c *countingAuth) unauthorized(string) bool {
	c.n++
	return true
}
