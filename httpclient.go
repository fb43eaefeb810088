package anykube

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/anykube/anykube/internal/transport"
)

// HTTPClientFor returns an *http.Client that reaches cfg's API server with
// cfg's TLS settings and credentials: the round tripper of TransportFor.
//
// The client has no Timeout. Config.Timeout is applied to each request by
// anykube's REST layer instead, because http.Client.Timeout would also cut
// off watches and other long-running streams. Callers using the client
// directly should bound requests with a context.
//
// It fails as TransportFor does.
func HTTPClientFor(cfg *Config) (*http.Client, error) {
	rt, err := TransportFor(cfg)
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: rt}, nil
}

// TransportFor returns the http.RoundTripper for cfg. From the inside out:
//
//   - the base transport: cfg.Transport, or an *http.Transport with cfg's
//     TLS settings (CA verified, client certificate, ServerName), HTTP/2
//     with health-check pings, dial and TLS handshake timeouts, cfg.Proxy
//     (or the environment's proxy settings) and cfg.DisableCompression.
//     Configs with equal TLS settings and no Proxy or ExecProvider share
//     one such transport and so one connection pool. A CAFile is checked
//     with a stat per request: when its content changes the transport is
//     replaced by one trusting the new CA (requests in flight finish on
//     the old one, whose idle connections are closed); when it is missing
//     or holds no certificate the CA read before stays in use, logged once
//     and named in the error of a server that CA does not trust. A
//     certificate that fails to verify makes the file be read at once and
//     the request, if its body can be replayed, sent again;
//   - credentials: BearerTokenFile (re-read when it changes), BearerToken,
//     basic auth, or the ExecProvider's token or client certificate, never
//     replacing an Authorization header the request already has. After a
//     401, a credential that can be refreshed (plugin re-run, rotated token
//     file) is refreshed and the request retried once if its body can be
//     replayed;
//   - impersonation headers, and the User-Agent (cfg.UserAgent or
//     DefaultUserAgent()) when the request sets none;
//   - cfg.WrapTransport, last.
//
// A redirect is followed only within the scheme and host the request was
// sent to (an upgrade from http to https on the default ports is allowed):
// one that leads to another host, or from https to http, fails the request
// with a *RedirectError before anything is sent there, so that credentials
// never reach a host the request was not addressed to.
//
// It fails when cfg is nil, when TLS files cannot be read or hold no usable
// PEM, when CA and Insecure are both set, when TLS settings come with a
// custom Transport, when a bearer token and basic auth are both set, or when
// the ExecProvider is invalid (unknown apiVersion, missing interactiveMode
// for v1). Errors never contain credentials.
func TransportFor(cfg *Config) (http.RoundTripper, error) {
	if cfg == nil {
		return nil, errors.New("anykube: TransportFor: nil Config")
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = DefaultUserAgent()
	}
	tc := &transport.Config{
		Host: cfg.Host,
		TLS: transport.TLS{
			Insecure:   cfg.TLSClientConfig.Insecure,
			ServerName: cfg.TLSClientConfig.ServerName,
			CAFile:     cfg.TLSClientConfig.CAFile,
			CertFile:   cfg.TLSClientConfig.CertFile,
			KeyFile:    cfg.TLSClientConfig.KeyFile,
			CAData:     cfg.TLSClientConfig.CAData,
			CertData:   cfg.TLSClientConfig.CertData,
			KeyData:    cfg.TLSClientConfig.KeyData,
		},
		Base:               cfg.Transport,
		Proxy:              cfg.Proxy,
		DisableCompression: cfg.DisableCompression,
		BearerToken:        cfg.BearerToken,
		BearerTokenFile:    cfg.BearerTokenFile,
		Username:           cfg.Username,
		Password:           cfg.Password,
		Impersonate: transport.Impersonation{
			UserName: cfg.Impersonate.UserName,
			UID:      cfg.Impersonate.UID,
			Groups:   cfg.Impersonate.Groups,
			Extra:    cfg.Impersonate.Extra,
		},
		UserAgent: ua,
		Wrap:      cfg.WrapTransport,
	}
	if e := cfg.ExecProvider; e != nil {
		te := &transport.ExecConfig{
			Command:            e.Command,
			Args:               e.Args,
			APIVersion:         e.APIVersion,
			InstallHint:        e.InstallHint,
			ProvideClusterInfo: e.ProvideClusterInfo,
			InteractiveMode:    string(e.InteractiveMode),
			Config:             e.Config,
		}
		for _, v := range e.Env {
			te.Env = append(te.Env, transport.EnvVar{Name: v.Name, Value: v.Value})
		}
		tc.Exec = te
	}
	rt, err := transport.New(tc)
	if err != nil {
		return nil, fmt.Errorf("anykube: %w", err)
	}
	return rt, nil
}
