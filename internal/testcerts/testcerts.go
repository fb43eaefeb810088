// Package testcerts makes certificate authorities and server certificates
// for tests, and a TLS server configuration whose certificate a test can
// replace while the server runs: what a test of CA rotation needs, since
// httptest's servers present one fixed certificate that is its own CA.
package testcerts

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"sync/atomic"
	"time"
)

// CA is a self-signed certificate authority valid for an hour either side
// of its creation.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	// PEM is the CA's certificate, what a client's CA file holds.
	PEM []byte
}

// serial numbers certificates apart within one process.
var serial atomic.Int64

// NewCA returns a new certificate authority named cn. It fails only when
// key generation or signing does.
func NewCA(cn string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("testcerts: CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial.Add(1)),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("testcerts: CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("testcerts: CA certificate: %w", err)
	}
	return &CA{cert: cert, key: key, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// ServerCert returns a server certificate signed by ca for hosts, each an
// IP address or a DNS name. It fails only when key generation or signing
// does.
func (ca *CA) ServerCert(hosts ...string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("testcerts: server key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)),
		Subject:      pkix.Name{CommonName: "server of " + ca.cert.Subject.CommonName},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("testcerts: server certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// Rotating is the certificate a TLS server presents, replaceable at any
// time; connections made afterwards see the new one. The zero value
// presents no certificate: call Set before the first handshake.
type Rotating struct {
	cert atomic.Pointer[tls.Certificate]
}

// Set makes c the certificate of every handshake from now on.
func (r *Rotating) Set(c tls.Certificate) { r.cert.Store(&c) }

// Rotate makes a new CA and presents, from now on, a certificate it signed
// for hosts, as a server does whose CA rotates. It returns the new CA's
// PEM, and fails as NewCA and ServerCert do.
func (r *Rotating) Rotate(hosts ...string) ([]byte, error) {
	ca, err := NewCA("rotated CA")
	if err != nil {
		return nil, err
	}
	c, err := ca.ServerCert(hosts...)
	if err != nil {
		return nil, err
	}
	r.Set(c)
	return ca.PEM, nil
}

// TLSConfig returns a server configuration that presents the current
// certificate and offers nextProtos by ALPN (for an httptest server:
// "h2" and "http/1.1" to serve both). The certificate is chosen per
// handshake through GetConfigForClient rather than GetCertificate, which
// crypto/tls skips for clients that send no server name, as clients
// dialling an IP address do.
func (r *Rotating) TLSConfig(nextProtos ...string) *tls.Config {
	// httptest fills in a certificate of its own, which is never
	// presented: GetConfigForClient answers every handshake.
	return &tls.Config{
		NextProtos: nextProtos,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			c := r.cert.Load()
			if c == nil {
				return nil, fmt.Errorf("testcerts: no certificate set")
			}
			return &tls.Config{Certificates: []tls.Certificate{*c}, NextProtos: nextProtos}, nil
		},
	}
}
