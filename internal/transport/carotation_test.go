package transport

import (
	"bytes"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anykube/anykube/internal/leakcheck"
	"github.com/anykube/anykube/internal/testcerts"
)

// rotatingServer is a TLS server, offering HTTP/2, whose certificate for
// host is signed by a CA the test replaces, as an API server's is when
// its CA rotates.
type rotatingServer struct {
	*httptest.Server
	cert testcerts.Rotating
	host string
}

func newRotatingServer(t *testing.T, h http.Handler, host string) *rotatingServer {
	t.Helper()
	s := &rotatingServer{host: host}
	s.rotate(t)
	s.Server = httptest.NewUnstartedServer(h)
	s.TLS = s.cert.TLSConfig("h2", "http/1.1")
	s.EnableHTTP2 = true
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// rotate makes the server present a certificate of a new CA from now on,
// and returns that CA's PEM.
func (s *rotatingServer) rotate(t *testing.T) []byte {
	t.Helper()
	pem, err := s.cert.Rotate(s.host)
	require.NoError(t, err)
	return pem
}

// url is the server's URL with the host its certificate names.
func (s *rotatingServer) url() string {
	_, port, _ := net.SplitHostPort(s.Listener.Addr().String())
	return "https://" + net.JoinHostPort(s.host, port)
}

// rotation returns the caRotation under the header layer of rt.
func rotation(t *testing.T, rt http.RoundTripper) *caRotation {
	t.Helper()
	r, ok := rt.(*headerRoundTripper).next.(*caRotation)
	require.True(t, ok, "a CA file makes the base transport a caRotation")
	return r
}

// The same transport follows its CA file as the server moves to a new CA,
// whether the server is dialled by IP address or by DNS name; a file that
// holds no certificate or is gone keeps the pool read before, logged once
// per cause, and a server that pool does not trust fails with that cause.
func TestCAFileRotationIsFollowed(t *testing.T) {
	for _, host := range []string{"127.0.0.1", "localhost"} {
		t.Run(host, func(t *testing.T) {
			srv := newRotatingServer(t, &recorder{}, host)
			dir := t.TempDir()
			caFile := writeFile(t, dir, "ca.crt", srv.rotate(t), 0o600)
			rt, err := New(&Config{TLS: TLS{CAFile: caFile}})
			require.NoError(t, err)
			var logged []string
			rotation(t, rt).file.warn = func(s string) { logged = append(logged, s) }
			// The server restarts: the client must make new connections.
			// Closing the client's side too keeps a request from picking
			// a connection before it has seen the server close it.
			restart := func() {
				srv.CloseClientConnections()
				rt.(interface{ CloseIdleConnections() }).CloseIdleConnections()
			}
			assert.Equal(t, http.StatusOK, get(t, rt, srv.url()))

			// The API server restarts with a certificate of a new CA,
			// which is written to the file.
			next := srv.rotate(t)
			restart()
			writeFile(t, dir, "ca.crt", next, 0o600)
			assert.Equal(t, http.StatusOK, get(t, rt, srv.url()), "the new CA is read")

			writeFile(t, dir, "ca.crt", []byte("not a certificate\n"), 0o600)
			restart()
			assert.Equal(t, http.StatusOK, get(t, rt, srv.url()), "garbage keeps the pool")
			assert.Equal(t, http.StatusOK, get(t, rt, srv.url()))
			require.NoError(t, os.Remove(caFile))
			restart()
			assert.Equal(t, http.StatusOK, get(t, rt, srv.url()), "a missing file keeps the pool")
			require.Len(t, logged, 2, "each cause logged once: %q", logged)
			assert.Contains(t, logged[0], caFile+" holds no PEM certificate; going on with the certificate authorities read before")
			assert.Contains(t, logged[1], caFile)

			// The server moves on while the file is missing: the error
			// says why the CA it was signed by is not known.
			srv.rotate(t)
			restart()
			err = getErr(t, rt, srv.url())
			var ua x509.UnknownAuthorityError
			assert.True(t, errors.As(err, &ua), "got %v", err)
			assert.ErrorIs(t, err, os.ErrNotExist)
			assert.Contains(t, err.Error(), "from CA file "+caFile+", whose current content cannot be used")

			writeFile(t, dir, "ca.crt", srv.rotate(t), 0o600)
			assert.Equal(t, http.StatusOK, get(t, rt, srv.url()))
		})
	}
}

// A CA written over the old one with the same size and modification time,
// which the stat cannot see, is read when the server's certificate fails
// to verify, and the request, body included, is sent again.
func TestCAFileReadAgainWhenVerificationFails(t *testing.T) {
	rec := &recorder{}
	srv := newRotatingServer(t, rec, "127.0.0.1")
	first, second := srv.rotate(t), srv.rotate(t)
	// Trailing bytes after the PEM block are ignored; they make both
	// files the same size.
	n := max(len(first), len(second))
	first = append(first, bytes.Repeat([]byte("\n"), n-len(first))...)
	second = append(second, bytes.Repeat([]byte("\n"), n-len(second))...)
	dir := t.TempDir()
	caFile := writeFile(t, dir, "ca.crt", first, 0o600)
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(caFile, old, old))
	rt, err := New(&Config{TLS: TLS{CAFile: caFile}})
	require.NoError(t, err)

	writeFile(t, dir, "ca.crt", second, 0o600)
	require.NoError(t, os.Chtimes(caFile, old, old))
	req, err := http.NewRequest(http.MethodPost, srv.url(), strings.NewReader("the body"))
	require.NoError(t, err)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, []string{"the body"}, rec.bodies)
}

// Configs naming one CA file share one rotation, and so one connection
// pool; CA data is never read again, so it needs none.
func TestCAFileRotationIsShared(t *testing.T) {
	srv := newRotatingServer(t, &recorder{}, "127.0.0.1")
	caPEM := srv.rotate(t)
	caFile := writeFile(t, t.TempDir(), "ca.crt", caPEM, 0o600)
	a, err := New(&Config{TLS: TLS{CAFile: caFile}})
	require.NoError(t, err)
	b, err := New(&Config{TLS: TLS{CAFile: caFile}, BearerToken: "other user"})
	require.NoError(t, err)
	assert.Same(t, rotation(t, a), rotation(t, b))

	d, err := New(&Config{TLS: TLS{CAData: caPEM}})
	require.NoError(t, err)
	_, ok := d.(*headerRoundTripper).next.(*http.Transport)
	assert.True(t, ok, "CA data gives a plain transport")
}

// An SPDY upgrade, sent over HTTP/1.1 beside HTTP/2 requests, verifies
// with the rotated CA too.
func TestCAFileRotationReachesUpgrades(t *testing.T) {
	auths := make(chan string, 1)
	srv := newRotatingServer(t, upgradeHandler(auths), "127.0.0.1")
	dir := t.TempDir()
	caFile := writeFile(t, dir, "ca.crt", srv.rotate(t), 0o600)
	rt, err := New(&Config{TLS: TLS{CAFile: caFile}, BearerToken: "tok"})
	require.NoError(t, err)
	echoThroughUpgrade(t, rt, srv.url())
	assert.Equal(t, "Bearer tok", <-auths)

	next := srv.rotate(t)
	srv.CloseClientConnections()
	rt.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	writeFile(t, dir, "ca.crt", next, 0o600)
	echoThroughUpgrade(t, rt, srv.url())
	assert.Equal(t, "Bearer tok", <-auths)
}

// A request in flight when the CA rotates finishes on the old transport,
// and its connection, idle afterwards, is closed by CloseIdleConnections
// like those of the new one: nothing is left running.
func TestCAFileRotationLeavesNoConnectionBehind(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	srv := newRotatingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			_, _ = io.WriteString(w, "first ")
			http.NewResponseController(w).Flush() //nolint:errcheck // the test reads what arrives
			<-release
		}
		_, _ = io.WriteString(w, "done")
	}), "127.0.0.1")
	defer once.Do(func() { close(release) })
	dir := t.TempDir()
	caFile := writeFile(t, dir, "ca.crt", srv.rotate(t), 0o600)
	rt, err := New(&Config{TLS: TLS{CAFile: caFile}})
	require.NoError(t, err)

	req, err := http.NewRequest(http.MethodGet, srv.url()+"/slow", nil)
	require.NoError(t, err)
	slow, err := rt.RoundTrip(req)
	require.NoError(t, err)
	// The CA rotates while the slow request goes on: the server keeps its
	// connection, new ones get the new certificate.
	writeFile(t, dir, "ca.crt", srv.rotate(t), 0o600)
	assert.Equal(t, http.StatusOK, get(t, rt, srv.url()))
	once.Do(func() { close(release) })
	body, err := io.ReadAll(slow.Body)
	require.NoError(t, err)
	slow.Body.Close()
	assert.Equal(t, "first done", string(body))

	rt.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	leakcheck.Check(t, -1, 5*time.Second, "net/http.(*persistConn)", "net/http.(*http2ClientConn)")
}

// A file rotated many times keeps a bounded number of old transports.
func TestCAFileRotationForgetsOldTransports(t *testing.T) {
	srv := newRotatingServer(t, &recorder{}, "127.0.0.1")
	dir := t.TempDir()
	caFile := writeFile(t, dir, "ca.crt", srv.rotate(t), 0o600)
	rt, err := New(&Config{TLS: TLS{CAFile: caFile}})
	require.NoError(t, err)
	for range 2 * maxRetired {
		writeFile(t, dir, "ca.crt", srv.rotate(t), 0o600)
		assert.Equal(t, http.StatusOK, get(t, rt, srv.url()))
	}
	r := rotation(t, rt)
	r.mu.Lock()
	defer r.mu.Unlock()
	assert.Len(t, r.retired, maxRetired)
}

// The transport a rotation makes keeps the settings of the first.
func TestCAFileRotationKeepsTheSettings(t *testing.T) {
	srv := newRotatingServer(t, &recorder{}, "127.0.0.1")
	dir := t.TempDir()
	caFile := writeFile(t, dir, "ca.crt", srv.rotate(t), 0o600)
	rt, err := New(&Config{TLS: TLS{CAFile: caFile, ServerName: "127.0.0.1"}, DisableCompression: true})
	require.NoError(t, err)
	r := rotation(t, rt)
	first := r.transport(false)
	writeFile(t, dir, "ca.crt", srv.rotate(t), 0o600)
	second := r.transport(false)
	require.NotSame(t, first, second)
	assert.True(t, second.DisableCompression)
	assert.True(t, second.ForceAttemptHTTP2)
	assert.Equal(t, "127.0.0.1", second.TLSClientConfig.ServerName)
	assert.Equal(t, first.HTTP2, second.HTTP2)
	assert.NotEqual(t, first.TLSClientConfig.RootCAs, second.TLSClientConfig.RootCAs)
}
