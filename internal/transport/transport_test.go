package transport

import (
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTLSWithServerCAData(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewTLSServer(rec)
	defer srv.Close()
	rt, err := New(&Config{TLS: TLS{CAData: serverCAPEM(srv)}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, get(t, rt, srv.URL))
}

func TestTLSWithServerCAFileAndServerName(t *testing.T) {
	srv := httptest.NewTLSServer(&recorder{})
	defer srv.Close()
	ca := writeFile(t, t.TempDir(), "ca.crt", serverCAPEM(srv), 0o600)
	// httptest's certificate is valid for example.com, not for 127.0.0.1's
	// name, so a matching ServerName must be accepted...
	rt, err := New(&Config{TLS: TLS{CAFile: ca, ServerName: "example.com"}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, get(t, rt, srv.URL))
	// ...and a wrong one refused.
	rt, err = New(&Config{TLS: TLS{CAFile: ca, ServerName: "wrong.example"}})
	require.NoError(t, err)
	err = getErr(t, rt, srv.URL)
	var he x509.HostnameError
	assert.True(t, errors.As(err, &he), "got %v", err)
}

func TestTLSWithWrongCAFailsClearly(t *testing.T) {
	srv := httptest.NewTLSServer(&recorder{})
	defer srv.Close()
	wrong, _ := selfSigned(t, "some other CA")
	rt, err := New(&Config{TLS: TLS{CAData: wrong}})
	require.NoError(t, err)
	err = getErr(t, rt, srv.URL)
	var ua x509.UnknownAuthorityError
	assert.True(t, errors.As(err, &ua), "got %v", err)
	assert.Contains(t, err.Error(), "certificate signed by unknown authority")
}

func TestTLSInsecure(t *testing.T) {
	srv := httptest.NewTLSServer(&recorder{})
	defer srv.Close()
	rt, err := New(&Config{TLS: TLS{Insecure: true}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, get(t, rt, srv.URL))
}

func TestTLSConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSigned(t, "x")
	junk := writeFile(t, dir, "junk.pem", []byte("not pem"), 0o600)
	certFile := writeFile(t, dir, "c.crt", cert, 0o600)
	for name, tc := range map[string]struct {
		tls  TLS
		want string
	}{
		"insecure with CA": {TLS{Insecure: true, CAData: cert}, "cannot both be set"},
		"missing CA file":  {TLS{CAFile: filepath.Join(dir, "nope.crt")}, filepath.Join(dir, "nope.crt")},
		"CA file not PEM":  {TLS{CAFile: junk}, junk + " holds no PEM certificate"},
		"CA data not PEM":  {TLS{CAData: []byte("x")}, "CA data holds no PEM certificate"},
		"cert without key": {TLS{CertData: cert}, "no client key"},
		"key without cert": {TLS{KeyData: key}, "no client certificate"},
		"missing key file": {TLS{CertFile: certFile, KeyFile: filepath.Join(dir, "k.key")}, filepath.Join(dir, "k.key")},
		"mismatched pair":  {TLS{CertData: cert, KeyData: []byte("junk")}, "client certificate and key data"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(&Config{TLS: tc.tls})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestTLSCustomBaseRejectsTLSSettings(t *testing.T) {
	_, err := New(&Config{Base: http.DefaultTransport, TLS: TLS{Insecure: true}})
	assert.ErrorContains(t, err, "custom Transport")
}

func TestClientCertificateFromFilesIsPresentedAndReloaded(t *testing.T) {
	rec := &recorder{}
	srv := newClientCertServer(t, rec)
	dir := t.TempDir()
	c1, k1 := selfSigned(t, "first")
	certFile := writeFile(t, dir, "c.crt", c1, 0o600)
	keyFile := writeFile(t, dir, "c.key", k1, 0o600)
	rt, err := New(&Config{TLS: TLS{CAData: serverCAPEM(srv), CertFile: certFile, KeyFile: keyFile}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, get(t, rt, srv.URL))

	c2, k2 := selfSigned(t, "second")
	writeFile(t, dir, "c.crt", c2, 0o600)
	writeFile(t, dir, "c.key", k2, 0o600)
	// A certificate is presented at the handshake: a new connection is
	// needed to see the new one.
	rt.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	assert.Equal(t, http.StatusOK, get(t, rt, srv.URL))
	assert.Equal(t, []string{"first", "second"}, rec.clientCN)
}

func TestClientCertificateFromData(t *testing.T) {
	rec := &recorder{}
	srv := newClientCertServer(t, rec)
	c, k := selfSigned(t, "data-user")
	rt, err := New(&Config{TLS: TLS{CAData: serverCAPEM(srv), CertData: c, KeyData: k}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, get(t, rt, srv.URL))
	assert.Equal(t, []string{"data-user"}, rec.clientCN)
}

func TestBaseTransportSettings(t *testing.T) {
	rt, err := New(&Config{TLS: TLS{ServerName: "settings.example"}, DisableCompression: true})
	require.NoError(t, err)
	hr, ok := rt.(*headerRoundTripper)
	require.True(t, ok, "the header layer, which checks redirects, is always there")
	tr, ok := hr.next.(*http.Transport)
	require.True(t, ok)
	assert.True(t, tr.ForceAttemptHTTP2)
	assert.True(t, tr.DisableCompression)
	assert.Equal(t, maxIdleConnsPerHost, tr.MaxIdleConnsPerHost)
	assert.Equal(t, tlsHandshakeTimeout, tr.TLSHandshakeTimeout)
	assert.NotZero(t, tr.HTTP2.SendPingTimeout)
	assert.Equal(t, "settings.example", tr.TLSClientConfig.ServerName)

	again, err := New(&Config{TLS: TLS{ServerName: "settings.example"}, DisableCompression: true})
	require.NoError(t, err)
	assert.Same(t, tr, again.(*headerRoundTripper).next, "equal TLS settings share a connection pool")
	other, err := New(&Config{TLS: TLS{ServerName: "settings.example"}})
	require.NoError(t, err)
	assert.NotSame(t, tr, other.(*headerRoundTripper).next)
}

func TestWrapIsOutermost(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	var sawAuth string
	rt, err := New(&Config{BearerToken: "tok", Wrap: func(next http.RoundTripper) http.RoundTripper {
		return roundTripperFunc(func(r *http.Request) (*http.Response, error) {
			sawAuth = r.Header.Get("Authorization")
			r.Header.Set("X-Wrapped", "yes")
			return next.RoundTrip(r)
		})
	}})
	require.NoError(t, err)
	get(t, rt, srv.URL)
	assert.Empty(t, sawAuth, "the wrapper sees the caller's request")
	assert.Equal(t, "yes", rec.last().Get("X-Wrapped"))
	assert.Equal(t, "Bearer tok", rec.last().Get("Authorization"))
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
