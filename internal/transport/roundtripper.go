package transport

import (
	"io"
	"net/http"
)

// headerRoundTripper adds the headers every request carries: credentials,
// impersonation and user agent. It does the work of what would otherwise be
// three wrappers in one request clone. It is also where redirects are
// checked (see checkRedirect), so it is in every transport New builds.
type headerRoundTripper struct {
	next        http.RoundTripper
	auth        authorizer  // nil for anonymous requests
	impersonate http.Header // nil when not impersonating
	userAgent   string      // "" to leave the header alone
}

// RoundTrip sends req with the configured headers. Headers the caller set
// itself win: an Authorization header, a User-Agent, or any Impersonate-User
// header switches the corresponding part off for this request.
//
// A request that follows a redirect to another host, or from https to
// http, is not sent: it fails with a *RedirectError before any credential
// is obtained.
//
// When the server answers 401 and the credential source can produce a
// different credential (an exec plugin re-run, a rotated token file), the
// request is sent once more, provided its body can be replayed.
func (rt *headerRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkRedirect(req); err != nil {
		closeBody(req)
		return nil, err
	}
	useAuth := rt.auth != nil && req.Header.Get("Authorization") == ""
	var authValue string
	if useAuth {
		v, err := rt.auth.authorization(req.Context())
		if err != nil {
			closeBody(req)
			return nil, err
		}
		authValue = v
	}
	resp, err := nextFor(rt.next, req).RoundTrip(rt.prepare(req, authValue, req.Body))
	if err != nil || resp.StatusCode != http.StatusUnauthorized || !useAuth {
		return resp, err
	}
	if !rt.auth.unauthorized(authValue) {
		return resp, nil
	}
	body, ok := replayBody(req)
	if !ok {
		return resp, nil
	}
	// Drop the 401 first. Draining a little lets the connection go back to
	// the idle pool, from which a refresh that changes the client
	// certificate removes it: the retry must not reuse a connection that
	// authenticated with the old certificate.
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
	resp.Body.Close()
	v, err := rt.auth.authorization(req.Context())
	if err != nil {
		// Why the refresh failed (a plugin asking for a new login, say)
		// is more use to the caller than the 401.
		if body != nil {
			body.Close()
		}
		return nil, err
	}
	return nextFor(rt.next, req).RoundTrip(rt.prepare(req, v, body))
}

// CloseIdleConnections closes the idle connections of the transport below,
// so that http.Client.CloseIdleConnections reaches it through this layer.
func (rt *headerRoundTripper) CloseIdleConnections() {
	if c, ok := rt.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// prepare returns a copy of req with the headers set; req itself is never
// modified, as the RoundTripper contract demands.
func (rt *headerRoundTripper) prepare(req *http.Request, auth string, body io.ReadCloser) *http.Request {
	r := new(http.Request)
	*r = *req
	r.Body = body
	r.Header = make(http.Header, len(req.Header)+2+len(rt.impersonate))
	for k, v := range req.Header {
		r.Header[k] = v
	}
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	if rt.userAgent != "" && req.Header.Get("User-Agent") == "" {
		r.Header.Set("User-Agent", rt.userAgent)
	}
	if rt.impersonate != nil && req.Header.Get(headerImpersonateUser) == "" {
		for k, v := range rt.impersonate {
			r.Header[k] = v
		}
	}
	return r
}

// replayBody returns a fresh copy of req's body for a retry, and false when
// the body cannot be produced again.
func replayBody(req *http.Request) (io.ReadCloser, bool) {
	if req.Body == nil || req.Body == http.NoBody {
		return req.Body, true
	}
	if req.GetBody == nil {
		return nil, false
	}
	b, err := req.GetBody()
	if err != nil {
		return nil, false
	}
	return b, true
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
