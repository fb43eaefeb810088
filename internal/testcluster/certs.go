package testcluster

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
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// pki is the key material one cluster runs with: a CA, certificates it
// signs for the API server and the fake kubelets, the API server's client
// certificate towards those kubelets, and the key that signs
// service-account tokens. Fields other than caPEM are paths inside the
// cluster's directory.
type pki struct {
	caPEM  []byte
	caCert string
	caKey  string

	servingCert string // kube-apiserver's
	servingKey  string

	kubeletClientCert string // kube-apiserver's identity towards kubelets
	kubeletClientKey  string

	kubeletServingCert string // the fake kubelets' (kwok's server)
	kubeletServingKey  string

	saKey string
}

// loopbackIPs are the addresses every serving certificate is valid for.
var loopbackIPs = []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}

// newPKI generates fresh keys and certificates into dir. ECDSA P-256 keeps
// generation in the milliseconds, where RSA would cost a noticeable part of
// each cluster start.
func newPKI(dir string) (*pki, error) {
	now := time.Now()
	p := &pki{caCert: filepath.Join(dir, "ca.crt"), caKey: filepath.Join(dir, "ca.key"), saKey: filepath.Join(dir, "service-account.key")}

	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "anykube-testcluster-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("creating CA: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	p.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	if err := os.WriteFile(p.caCert, p.caPEM, 0o600); err != nil {
		return nil, err
	}
	if err := writeKey(p.caKey, caKey); err != nil {
		return nil, err
	}

	leaves := []struct {
		certPath, keyPath *string
		name              string
		tmpl              x509.Certificate
	}{
		{&p.servingCert, &p.servingKey, "serving", x509.Certificate{
			Subject:     pkix.Name{CommonName: "kube-apiserver"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			DNSNames:    []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
			IPAddresses: append([]net.IP{net.ParseIP("10.0.0.1")}, loopbackIPs...),
		}},
		{&p.kubeletClientCert, &p.kubeletClientKey, "kubelet-client", x509.Certificate{
			Subject:     pkix.Name{CommonName: "kube-apiserver-kubelet-client", Organization: []string{"system:masters"}},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}},
		{&p.kubeletServingCert, &p.kubeletServingKey, "kubelet-serving", x509.Certificate{
			Subject:     pkix.Name{CommonName: "kwok-kubelet"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			DNSNames:    []string{"localhost"},
			IPAddresses: loopbackIPs,
		}},
	}
	for i, l := range leaves {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		tmpl := l.tmpl
		tmpl.SerialNumber = big.NewInt(int64(i + 2))
		tmpl.NotBefore = now.Add(-time.Hour)
		tmpl.NotAfter = now.Add(7 * 24 * time.Hour)
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		der, err := x509.CreateCertificate(rand.Reader, &tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			return nil, fmt.Errorf("creating %s certificate: %w", l.name, err)
		}
		*l.certPath = filepath.Join(dir, l.name+".crt")
		*l.keyPath = filepath.Join(dir, l.name+".key")
		if err := os.WriteFile(*l.certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
			return nil, err
		}
		if err := writeKey(*l.keyPath, key); err != nil {
			return nil, err
		}
	}

	saKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	if err := writeKey(p.saKey, saKey); err != nil {
		return nil, err
	}
	return p, nil
}

// writeKey writes an EC private key as PEM, readable only by its owner.
func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
}

// kubeletClient returns an HTTP client that talks to the fake kubelet as
// kube-apiserver does: trusting the cluster CA, with the API server's
// kubelet client certificate.
func (p *pki) kubeletClient() (*http.Client, error) {
	cert, err := tls.LoadX509KeyPair(p.kubeletClientCert, p.kubeletClientKey)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(p.caPEM)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: pool, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12,
	}}}, nil
}
