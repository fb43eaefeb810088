package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// caSource is where the certificate authorities of a tls.Config came from
// when they came from a file: the file, watched for rotation, and the
// content the pool was made of.
type caSource struct {
	file *watchedFile
	pem  []byte
}

// tlsConfig turns t into a *tls.Config. getCert, when not nil, is consulted
// at every handshake before the static certificate (an exec plugin's
// certificate wins over the files). ca is nil unless the pool was read
// from t.CAFile.
//
// Errors name the setting and file at fault, never key material.
func tlsConfig(t *TLS, getCert func(*tls.CertificateRequestInfo) (*tls.Certificate, bool, error)) (c *tls.Config, ca *caSource, err error) {
	if t.Insecure && (t.CAFile != "" || len(t.CAData) > 0) {
		return nil, nil, errors.New("TLS: a certificate authority and insecure-skip-tls-verify cannot both be set")
	}
	c = &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         t.ServerName,
		InsecureSkipVerify: t.Insecure, //nolint:gosec // the user asked for it
	}
	switch {
	case len(t.CAData) > 0:
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(t.CAData) {
			return nil, nil, errors.New("TLS: CA data holds no PEM certificate")
		}
		c.RootCAs = pool
	case t.CAFile != "":
		f, pem, pool, err := loadCAFile(t.CAFile)
		if err != nil {
			return nil, nil, err
		}
		c.RootCAs, ca = pool, &caSource{file: f, pem: pem}
	}

	static, err := staticCert(t)
	if err != nil {
		return nil, nil, err
	}
	if getCert == nil && static == nil {
		return c, ca, nil
	}
	c.GetClientCertificate = func(info *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		if getCert != nil {
			cert, ok, err := getCert(info)
			if err != nil {
				return nil, err
			}
			if ok {
				return cert, nil
			}
		}
		if static != nil {
			return static()
		}
		// An empty certificate makes the handshake go on without one.
		return &tls.Certificate{}, nil
	}
	return c, ca, nil
}

// staticCert returns the source of the configured client certificate, or
// nil when none is configured. Certificates given as data are parsed once;
// certificates in files are reloaded when the files change, so a rotated
// kubelet-style client certificate is picked up without a restart.
func staticCert(t *TLS) (func() (*tls.Certificate, error), error) {
	hasCert := len(t.CertData) > 0 || t.CertFile != ""
	hasKey := len(t.KeyData) > 0 || t.KeyFile != ""
	switch {
	case !hasCert && !hasKey:
		return nil, nil
	case !hasKey:
		return nil, errors.New("TLS: a client certificate is set but no client key")
	case !hasCert:
		return nil, errors.New("TLS: a client key is set but no client certificate")
	}
	if len(t.CertData) > 0 && len(t.KeyData) > 0 {
		cert, err := tls.X509KeyPair(t.CertData, t.KeyData)
		if err != nil {
			return nil, fmt.Errorf("TLS: client certificate and key data: %w", err)
		}
		return func() (*tls.Certificate, error) { return &cert, nil }, nil
	}
	src := &certFiles{certData: t.CertData, keyData: t.KeyData}
	if len(t.CertData) == 0 {
		src.cert = newWatchedFile(t.CertFile)
	}
	if len(t.KeyData) == 0 {
		src.key = newWatchedFile(t.KeyFile)
	}
	// Load now so that a missing or broken file fails construction, not the
	// first request.
	if _, err := src.get(); err != nil {
		return nil, err
	}
	return src.get, nil
}
