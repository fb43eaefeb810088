package transport

import (
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// Settings of the base transport. The dial and handshake bounds catch dead
// or black-holed API servers early; the HTTP/2 pings catch connections that
// died silently under a long watch, which would otherwise hang until the
// kernel gives up (about 15 minutes).
const (
	dialTimeout         = 30 * time.Second
	dialKeepAlive       = 30 * time.Second
	tlsHandshakeTimeout = 10 * time.Second
	idleConnTimeout     = 90 * time.Second
	maxIdleConnsPerHost = 25
	h2SendPingTimeout   = 30 * time.Second
	h2PingTimeout       = 15 * time.Second
)

// New builds the round tripper for c: base transport, then the header
// layer (credentials, impersonation, user agent, and the refusal of
// redirects to another host or from https to http), then c.Wrap.
//
// It fails when the TLS settings cannot be loaded (named file missing, PEM
// without a certificate, certificate without key, CA together with
// insecure), when TLS settings accompany a custom Base, when more than one
// kind of credential is set, or when the exec stanza is invalid.
func New(c *Config) (http.RoundTripper, error) {
	var exec *execAuthenticator
	if c.Exec != nil {
		if err := validateExec(c.Exec); err != nil {
			return nil, err
		}
		var cluster *execCluster
		if c.Exec.ProvideClusterInfo {
			var err error
			if cluster, err = execClusterInfo(c); err != nil {
				return nil, err
			}
		}
		var err error
		if exec, err = sharedExecAuthenticator(c.Exec, cluster); err != nil {
			return nil, err
		}
	}
	return newWith(c, exec)
}

// newWith is New with the exec authenticator already made, so that tests
// can give it a fake clock.
func newWith(c *Config, exec *execAuthenticator) (http.RoundTripper, error) {
	auth, err := chooseAuthorizer(c, exec)
	if err != nil {
		return nil, err
	}
	base := c.Base
	if base != nil {
		if !c.TLS.empty() {
			return nil, errors.New("TLS settings cannot be combined with a custom Transport; configure TLS on that transport instead")
		}
		if exec != nil {
			auth = execCertUnusable{exec}
		}
	} else {
		if base, err = baseTransport(c, exec); err != nil {
			return nil, err
		}
	}
	var rt http.RoundTripper = &headerRoundTripper{
		next:        base,
		auth:        auth,
		impersonate: impersonationHeaders(&c.Impersonate),
		userAgent:   c.UserAgent,
	}
	if c.Wrap != nil {
		rt = c.Wrap(rt)
	}
	return rt, nil
}

// baseTransports shares one base transport, and so one connection pool,
// among all configs with the same TLS settings that leave the proxy to the
// environment: clients built one after another for the same cluster (a
// discovery client, a dynamic client) then reuse connections. Files are
// keyed by name, which is enough since their content is followed: a CA
// file by the caRotation that the shared transport then is, a client
// certificate by its certFiles.
var baseTransports = struct {
	sync.Mutex
	m map[[sha256.Size]byte]http.RoundTripper
}{m: map[[sha256.Size]byte]http.RoundTripper{}}

// baseTransport returns the base transport for c: an *http.Transport, or
// a *caRotation over one when the CA is a file.
func baseTransport(c *Config, exec *execAuthenticator) (http.RoundTripper, error) {
	cacheable := c.Proxy == nil && exec == nil
	var key [sha256.Size]byte
	if cacheable {
		key = transportKey(c)
		baseTransports.Lock()
		t := baseTransports.m[key]
		baseTransports.Unlock()
		if t != nil {
			return t, nil
		}
	}
	var getCert func(*tls.CertificateRequestInfo) (*tls.Certificate, bool, error)
	if exec != nil {
		getCert = exec.clientCertificate
	}
	tc, ca, err := tlsConfig(&c.TLS, getCert)
	if err != nil {
		return nil, err
	}
	proxy := c.Proxy
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	t := &http.Transport{
		Proxy: proxy,
		DialContext: (&net.Dialer{
			Timeout:   dialTimeout,
			KeepAlive: dialKeepAlive,
		}).DialContext,
		TLSClientConfig:     tc,
		TLSHandshakeTimeout: tlsHandshakeTimeout,
		MaxIdleConnsPerHost: maxIdleConnsPerHost,
		IdleConnTimeout:     idleConnTimeout,
		// A custom TLS config turns HTTP/2 off unless asked for.
		ForceAttemptHTTP2:     true,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    c.DisableCompression,
		HTTP2: &http.HTTP2Config{
			SendPingTimeout: h2SendPingTimeout,
			PingTimeout:     h2PingTimeout,
		},
	}
	var rt http.RoundTripper = t
	closeIdle := t.CloseIdleConnections
	if ca != nil {
		r := newCARotation(t, ca)
		rt, closeIdle = r, r.CloseIdleConnections
	}
	if exec != nil {
		exec.onCertChange(closeIdle)
	}
	if cacheable {
		baseTransports.Lock()
		defer baseTransports.Unlock()
		if old := baseTransports.m[key]; old != nil {
			return old, nil
		}
		baseTransports.m[key] = rt
	}
	return rt, nil
}

// transportKey identifies the settings a cached base transport depends on.
// Key material is hashed, never kept as a map key in the clear.
func transportKey(c *Config) [sha256.Size]byte {
	h := sha256.New()
	t := &c.TLS
	fmt.Fprintf(h, "%t\x00%q\x00%q\x00%q\x00%q\x00%t\x00", t.Insecure, t.ServerName, t.CAFile, t.CertFile, t.KeyFile, c.DisableCompression)
	for _, b := range [][]byte{t.CAData, t.CertData, t.KeyData} {
		fmt.Fprintf(h, "%d\x00", len(b))
		h.Write(b)
	}
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// execClusterInfo is the cluster description handed to a plugin that asked
// for it.
func execClusterInfo(c *Config) (*execCluster, error) {
	cl := &execCluster{
		Server:                   c.Host,
		TLSServerName:            c.TLS.ServerName,
		InsecureSkipTLSVerify:    c.TLS.Insecure,
		CertificateAuthorityData: c.TLS.CAData,
		DisableCompression:       c.DisableCompression,
		Config:                   c.Exec.Config,
	}
	if len(cl.CertificateAuthorityData) == 0 && c.TLS.CAFile != "" {
		b, err := os.ReadFile(c.TLS.CAFile)
		if err != nil {
			return nil, fmt.Errorf("exec plugin cluster info: reading CA file: %w", err)
		}
		cl.CertificateAuthorityData = b
	}
	if c.Proxy != nil {
		// The proxy is a function; ask it about the server's URL.
		req, err := http.NewRequest(http.MethodGet, c.Host, nil)
		if err == nil {
			if u, err := c.Proxy(req); err == nil && u != nil {
				cl.ProxyURL = u.String()
			}
		}
	}
	return cl, nil
}
