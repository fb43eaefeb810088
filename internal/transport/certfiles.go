package transport

import (
	"crypto/tls"
	"fmt"
	"sync"
)

// certFiles is a client certificate whose certificate or key (or both) live
// in files that may be rotated.
type certFiles struct {
	cert, key         *watchedFile // nil when the data field is used instead
	certData, keyData []byte

	mu   sync.Mutex // guards last
	last *tls.Certificate
}

// get returns the current key pair. When the files changed but no longer
// form a pair (the certificate was replaced and the key not yet), the last
// good pair is returned; the error is only returned when there is none.
func (c *certFiles) get() (*tls.Certificate, error) {
	certPEM, keyPEM := c.certData, c.keyData
	changed := false
	if c.cert != nil {
		b, ch, err := c.cert.read(false)
		if err != nil {
			return c.lastOr(fmt.Errorf("TLS: reading client-certificate file: %w", err))
		}
		certPEM, changed = b, changed || ch
	}
	if c.key != nil {
		b, ch, err := c.key.read(false)
		if err != nil {
			return c.lastOr(fmt.Errorf("TLS: reading client-key file: %w", err))
		}
		keyPEM, changed = b, changed || ch
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !changed && c.last != nil {
		return c.last, nil
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		if c.last != nil {
			return c.last, nil
		}
		return nil, fmt.Errorf("TLS: client certificate %s and key %s: %w", c.name(c.cert), c.name(c.key), err)
	}
	c.last = &pair
	return c.last, nil
}

func (c *certFiles) lastOr(err error) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last != nil {
		return c.last, nil
	}
	return nil, err
}

func (c *certFiles) name(w *watchedFile) string {
	if w == nil {
		return "(data)"
	}
	return w.path
}
