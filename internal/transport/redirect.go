package transport

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// RedirectError reports a redirect that was not followed because it leads
// to another host, or from https to http. The credentials this transport
// adds belong to the host the request was sent to: following such a
// redirect would hand them to whoever the Location header names, or send
// them in clear text. Redirects within the same scheme and host are
// followed as usual.
type RedirectError struct {
	// StatusCode is the redirect's HTTP status (301, 302, 303, 307 or
	// 308), or 0 when unknown.
	StatusCode int
	// From is the scheme and host the request was first sent to, such as
	// "https://10.0.0.1:6443".
	From string
	// To is the redirect target's scheme, host and path. User info and
	// query are left out: either may carry a secret.
	To string
	// Downgrade is true when the target is http and the request was https.
	Downgrade bool
}

// Error names both ends of the redirect and why it was refused.
func (e *RedirectError) Error() string {
	why := "the target is another host, which must not receive the credentials"
	if e.Downgrade {
		why = "it leads from https to http, which would send the request in clear text"
	}
	status := "redirect"
	if e.StatusCode != 0 {
		status = fmt.Sprintf("%d redirect", e.StatusCode)
	}
	return fmt.Sprintf("refused to follow a %s from %s to %s: %s", status, e.From, e.To, why)
}

// checkRedirect returns a *RedirectError when req follows a redirect (the
// http.Client sets req.Response then) to another host than the first
// request of the chain, or from https to http, and nil otherwise.
//
// The check keys on the chain rather than on Config.Host so that requests
// a caller sends on purpose to another address through HTTPClientFor, or
// rewrites in WrapTransport, behave as before; only a server's answer
// cannot move a request elsewhere.
func checkRedirect(req *http.Request) error {
	if req.Response == nil || req.URL == nil {
		return nil
	}
	first := req.Response.Request
	for first != nil && first.Response != nil && first.Response.Request != nil {
		first = first.Response.Request
	}
	if first == nil || first.URL == nil {
		return nil
	}
	from, to := first.URL, req.URL
	downgrade := strings.EqualFold(from.Scheme, "https") && !strings.EqualFold(to.Scheme, "https")
	if !downgrade && sameHost(from, to) {
		return nil
	}
	return &RedirectError{
		StatusCode: req.Response.StatusCode,
		From:       (&url.URL{Scheme: from.Scheme, Host: from.Host}).String(),
		To:         (&url.URL{Scheme: to.Scheme, Host: to.Host, Path: to.Path, RawPath: to.RawPath}).String(),
		Downgrade:  downgrade,
	}
}

// sameHost reports whether a and b name the same host and port, ports
// defaulted from each URL's scheme. An upgrade from http to https on the
// default ports of the same host name counts as the same host.
func sameHost(a, b *url.URL) bool {
	if !strings.EqualFold(a.Hostname(), b.Hostname()) {
		return false
	}
	pa, pb := port(a), port(b)
	if pa == pb {
		return true
	}
	return strings.EqualFold(a.Scheme, "http") && strings.EqualFold(b.Scheme, "https") && pa == "80" && pb == "443"
}

// port returns u's port, or the default port of its scheme.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}
