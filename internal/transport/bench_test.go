package transport

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/anykube/anykube/internal/testcerts"
)

// BenchmarkTokenFileAuthorization is the per-request cost of a rotating
// token file: one stat, no read.
func BenchmarkTokenFileAuthorization(b *testing.B) {
	p := writeFileB(b, "token")
	a := newTokenFileAuth(p)
	a.file.now = func() time.Time { return time.Now().Add(time.Hour) } // not racy
	ctx := context.Background()
	for b.Loop() {
		if _, err := a.authorization(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHeaderRoundTripper is the cost of the header layer over a base
// transport that does nothing.
func BenchmarkHeaderRoundTripper(b *testing.B) {
	ok := &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}
	rt := &headerRoundTripper{
		next:        roundTripperFunc(func(*http.Request) (*http.Response, error) { return ok, nil }),
		auth:        bearerAuth("token"),
		impersonate: impersonationHeaders(&Impersonation{UserName: "alice", Groups: []string{"g"}}),
		userAgent:   "bench/1",
	}
	req, _ := http.NewRequest(http.MethodGet, "https://k.example/api/v1/pods", nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rt.RoundTrip(req); err != nil {
			b.Fatal(err)
		}
	}
}

func writeFileB(b *testing.B, name string) string {
	p := b.TempDir() + "/" + name
	if err := os.WriteFile(p, []byte("bench-token"), 0o600); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkCARotationTransport is the per-request cost of following a CA
// file: one stat, no read, under the rotation's lock.
func BenchmarkCARotationTransport(b *testing.B) {
	p := writeFileB(b, "ca.crt")
	ca, err := testcerts.NewCA("bench")
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(p, ca.PEM, 0o600); err != nil {
		b.Fatal(err)
	}
	f, pem, pool, err := loadCAFile(p)
	if err != nil {
		b.Fatal(err)
	}
	f.now = func() time.Time { return time.Now().Add(time.Hour) } // not racy
	f.racy = false
	r := newCARotation(&http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, &caSource{file: f, pem: pem})
	b.ReportAllocs()
	for b.Loop() {
		r.transport(false)
	}
}

// BenchmarkRoundTripCA compares whole requests over HTTP/2 to a local TLS
// server with the CA given as data (never re-read) and as a file (a stat
// per request): the price of following rotation where it is paid.
func BenchmarkRoundTripCA(b *testing.B) {
	var cert testcerts.Rotating
	caPEM, err := cert.Rotate("127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "{}")
	}))
	srv.TLS = cert.TLSConfig("h2", "http/1.1")
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	p := writeFileB(b, "ca.crt")
	if err := os.WriteFile(p, caPEM, 0o600); err != nil {
		b.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		tls  TLS
	}{{"data", TLS{CAData: caPEM}}, {"file", TLS{CAFile: p}}} {
		b.Run(tc.name, func(b *testing.B) {
			rt, err := New(&Config{TLS: tc.tls})
			if err != nil {
				b.Fatal(err)
			}
			defer rt.(interface{ CloseIdleConnections() }).CloseIdleConnections()
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			b.ReportAllocs()
			for b.Loop() {
				resp, err := rt.RoundTrip(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}
