package testcerts

import (
	"crypto/x509"
	"testing"
)

// A server certificate verifies against its own CA, for the IP address
// and the DNS name it was made for, and not against another CA.
func TestServerCertVerifiesAgainstItsCA(t *testing.T) {
	ca, err := NewCA("one")
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewCA("two")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.ServerCert("127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	pool := func(c *CA) *x509.CertPool {
		p := x509.NewCertPool()
		if !p.AppendCertsFromPEM(c.PEM) {
			t.Fatal("CA PEM does not parse")
		}
		return p
	}
	for _, host := range []string{"127.0.0.1", "localhost"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool(ca), DNSName: host}); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool(other), DNSName: "localhost"}); err == nil {
		t.Error("verified against another CA")
	}
}

// Rotate presents a certificate of a new CA each time.
func TestRotateChangesTheCA(t *testing.T) {
	var r Rotating
	first, err := r.Rotate("localhost")
	if err != nil {
		t.Fatal(err)
	}
	c1 := r.cert.Load()
	second, err := r.Rotate("localhost")
	if err != nil {
		t.Fatal(err)
	}
	if string(first) == string(second) || c1 == r.cert.Load() {
		t.Fatal("the CA or the certificate did not change")
	}
	leaf, err := x509.ParseCertificate(r.cert.Load().Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(second)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: p, DNSName: "localhost"}); err != nil {
		t.Fatal(err)
	}
}
