package upgrade

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/internal/testcerts"
)

// clientCert returns a PEM certificate and key for common name cn.
func clientCert(t *testing.T, cn string) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

// acceptBoth answers a WebSocket with subprotocol "p" and an SPDY upgrade
// with protocol "p", and reports the client certificate's common name.
func acceptBoth(names chan<- string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			names <- r.TLS.PeerCertificates[0].Subject.CommonName
		} else {
			names <- ""
		}
		if r.Header.Get("Upgrade") == "websocket" {
			c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"p"}})
			if err == nil {
				c.Close(websocket.StatusNormalClosure, "")
			}
			return
		}
		hijack101(w, "Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: p\r\n", nil)
	}
}

// Both upgrades present the Config's client certificate.
func TestUpgradesPresentTheClientCertificate(t *testing.T) {
	names := make(chan string, 2)
	srv := httptest.NewUnstartedServer(acceptBoth(names))
	srv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	cert, key := clientCert(t, "alice")
	cfg := &anykube.Config{Host: srv.URL, TLSClientConfig: anykube.TLSClientConfig{
		CAData:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}),
		CertData: cert, KeyData: key,
	}}
	dialBoth(t, cfg)
	assert.Equal(t, "alice", <-names)
	assert.Equal(t, "alice", <-names)
}

// Both upgrades go through the Config's proxy, with CONNECT.
func TestUpgradesGoThroughTheProxy(t *testing.T) {
	names := make(chan string, 2)
	srv := httptest.NewUnstartedServer(acceptBoth(names))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	var connects atomic.Int32
	pu := connectProxy(t, &connects)
	cfg := &anykube.Config{
		Host:            srv.URL,
		Proxy:           http.ProxyURL(pu),
		TLSClientConfig: anykube.TLSClientConfig{CAData: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})},
	}
	dialBoth(t, cfg)
	assert.Equal(t, int32(2), connects.Load(), "each upgrade tunnelled through the proxy")
}

// connectProxy starts a proxy that tunnels CONNECT requests, counting
// them in connects, and returns its URL.
func connectProxy(t *testing.T, connects *atomic.Int32) *url.URL {
	t.Helper()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		connects.Add(1)
		up, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer up.Close()
		w.WriteHeader(http.StatusOK)
		down, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer down.Close()
		go func() { _, _ = io.Copy(up, rw); up.Close() }()
		_, _ = io.Copy(down, up)
	}))
	t.Cleanup(proxy.Close)
	pu, err := url.Parse(proxy.URL)
	require.NoError(t, err)
	return pu
}

// Both upgrades, directly and through a proxy, verify the server with the
// CA file as it is now: a client made before the server's CA rotated
// keeps working once the new CA is written to the file.
func TestUpgradesFollowTheCAFile(t *testing.T) {
	for _, viaProxy := range []bool{false, true} {
		t.Run(fmt.Sprintf("proxy=%t", viaProxy), func(t *testing.T) {
			var cert testcerts.Rotating
			rotate := func() []byte {
				pem, err := cert.Rotate("127.0.0.1")
				require.NoError(t, err)
				return pem
			}
			names := make(chan string, 4)
			srv := httptest.NewUnstartedServer(acceptBoth(names))
			srv.TLS = cert.TLSConfig("h2", "http/1.1")
			srv.EnableHTTP2 = true
			caFile := filepath.Join(t.TempDir(), "ca.crt")
			require.NoError(t, os.WriteFile(caFile, rotate(), 0o600))
			srv.StartTLS()
			defer srv.Close()
			cfg := &anykube.Config{Host: srv.URL, TLSClientConfig: anykube.TLSClientConfig{CAFile: caFile}}
			var connects atomic.Int32
			if viaProxy {
				cfg.Proxy = http.ProxyURL(connectProxy(t, &connects))
			}
			hc, err := anykube.HTTPClientFor(cfg)
			require.NoError(t, err)
			d, err := New(cfg, hc)
			require.NoError(t, err)
			dialBothWith(t, d)

			// The server restarts with a certificate of a new CA.
			next := rotate()
			srv.CloseClientConnections()
			hc.CloseIdleConnections()
			require.NoError(t, os.WriteFile(caFile, next, 0o600))
			dialBothWith(t, d)
			if viaProxy {
				assert.Equal(t, int32(4), connects.Load(), "each upgrade tunnelled through the proxy")
			}
		})
	}
}

// dialBoth opens a WebSocket and an SPDY connection with cfg.
func dialBoth(t *testing.T, cfg *anykube.Config) {
	t.Helper()
	hc, err := anykube.HTTPClientFor(cfg)
	require.NoError(t, err)
	d, err := New(cfg, hc)
	require.NoError(t, err)
	dialBothWith(t, d)
}

// dialBothWith opens a WebSocket and an SPDY connection with d.
func dialBothWith(t *testing.T, d *Dialer) {
	t.Helper()
	u := d.URL("ns", "pod", "exec", nil)
	ws, proto, err := d.WebSocket(context.Background(), u, "pod", []string{"p"})
	require.NoError(t, err)
	assert.Equal(t, "p", proto)
	ws.CloseNow()
	conn, err := d.SPDY(context.Background(), u, "pod", []string{"p"})
	require.NoError(t, err)
	conn.Close()
}
