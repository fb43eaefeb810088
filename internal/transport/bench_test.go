package transport

import (
	"context"
	"crypto/tls"
	"net/http"
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
