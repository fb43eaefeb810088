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
