package transport

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
)

// authorizer supplies the Authorization header of each request.
type authorizer interface {
	// authorization returns the header value, or "" to send none.
	authorization(ctx context.Context) (string, error)
	// unauthorized is told that the server answered 401 to a request that
	// carried value. It reports whether a retry could now carry a
	// different credential.
	unauthorized(value string) bool
}

// staticAuth is a fixed header value: a bearer token or basic auth.
type staticAuth string

func (s staticAuth) authorization(context.Context) (string, error) { return string(s), nil }
func (s staticAuth) unauthorized(string) bool                      { return false }

func bearerAuth(token string) staticAuth { return staticAuth("Bearer " + token) }

func basicAuth(user, password string) staticAuth {
	return staticAuth("Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password)))
}

// tokenFileAuth reads the bearer token from a file on every request (see
// watchedFile for why that is cheap) so rotated tokens are used at once.
type tokenFileAuth struct {
	file *watchedFile
}

func newTokenFileAuth(path string) *tokenFileAuth {
	return &tokenFileAuth{file: newWatchedFile(path)}
}

func (t *tokenFileAuth) authorization(context.Context) (string, error) {
	return t.read(false)
}

func (t *tokenFileAuth) read(force bool) (string, error) {
	b, _, err := t.file.read(force)
	if err != nil {
		return "", fmt.Errorf("reading bearer token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("bearer token file %s is empty", t.file.path)
	}
	return "Bearer " + tok, nil
}

// unauthorized re-reads the file at once: a 401 often means the token was
// rotated a moment ago.
func (t *tokenFileAuth) unauthorized(value string) bool {
	v, err := t.read(true)
	return err == nil && v != value
}

// chooseAuthorizer picks the credential source the config names. A bearer
// token and basic auth together are an error, since the server would see only
// one. A static credential beside an exec plugin wins and the plugin is never
// run, as in client-go: that is what lets "kubectl --token" override a
// kubeconfig user whose credentials come from a plugin.
func chooseAuthorizer(c *Config, exec *execAuthenticator) (authorizer, error) {
	hasToken := c.BearerToken != "" || c.BearerTokenFile != ""
	hasBasic := c.Username != "" || c.Password != ""
	if hasToken && hasBasic {
		return nil, fmt.Errorf("only one kind of credential may be set, found bearer token and basic auth")
	}
	switch {
	case c.BearerTokenFile != "":
		return newTokenFileAuth(c.BearerTokenFile), nil
	case c.BearerToken != "":
		return bearerAuth(c.BearerToken), nil
	case hasBasic:
		return basicAuth(c.Username, c.Password), nil
	case exec != nil:
		return exec, nil
	}
	return nil, nil
}
