package rest

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// Retry bounds. They are deliberately smaller than client-go's ten retries:
// a tool waiting a minute on a sick server is worse than one that reports it.
const (
	// DefaultMaxRetries is how many times a request is sent again after a
	// retryable failure, so a request is sent at most DefaultMaxRetries+1
	// times. Request.MaxRetries overrides it.
	DefaultMaxRetries = 5
	// MaxRetryAfter caps the wait a server may ask for with Retry-After, so
	// a misconfigured proxy cannot park a request for hours.
	MaxRetryAfter = 10 * time.Second
)

// Client sends requests to one API server. It holds the parsed server
// address, the HTTP client, the client-side rate limiter (anykube shares one
// between every Client built from the same *anykube.Config), the warning
// handler and the default per-request timeout. It is safe for concurrent
// use.
type Client struct {
	// base holds the scheme and host; prefix is its path without the
	// trailing slash, put before every request path.
	base   url.URL
	prefix string

	http *http.Client
	// longHTTP is http without its Timeout, for watches and streams that
	// must outlive any fixed bound; it is http itself when that has none.
	longHTTP *http.Client

	limiter  RateLimiter // nil: no client-side limiting
	warnings WarningHandler
	timeout  time.Duration
	// maxBody bounds a 2xx body read whole; 0 means no limit.
	maxBody int64

	// Retry timing. Tests shrink them; elsewhere they are the constants.
	retryAfterUnit time.Duration // one Retry-After second
	retryAfterMax  time.Duration
	backoffBase    time.Duration // first wait when the server gave no Retry-After
	backoffMax     time.Duration
}

// New returns a Client for the server s.Host names, sending through
// httpClient, which should already carry TLS, authentication and the user
// agent (anykube.HTTPClientFor builds one).
//
// s.Host may be a URL ("https://10.0.0.1:6443/prefix"), whose path is kept
// as a prefix of every request path, or a bare host:port, which gets
// "https://" when s.Secure is set and "http://" otherwise. Hosts with user
// info are refused, so that a password cannot end up in error messages; use
// Config.Username and Config.Password.
//
// If httpClient has a Timeout, it still bounds ordinary requests, but
// long-running ones (Request.LongRunning) are sent through a copy without it,
// since a fixed bound would cut every watch. Prefer s.Timeout.
//
// New returns an error when httpClient is nil or s.Host cannot be parsed.
func New(s Settings, httpClient *http.Client) (*Client, error) {
	if httpClient == nil {
		return nil, errors.New("rest: nil *http.Client")
	}
	scheme := "http"
	if s.Secure {
		scheme = "https"
	}
	base, err := parseHost(s.Host, scheme)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:           url.URL{Scheme: base.Scheme, Host: base.Host},
		prefix:         strings.TrimRight(base.Path, "/"),
		http:           httpClient,
		longHTTP:       httpClient,
		limiter:        s.Limiter,
		warnings:       s.Warnings,
		timeout:        s.Timeout,
		maxBody:        s.MaxBody,
		retryAfterUnit: time.Second,
		retryAfterMax:  MaxRetryAfter,
		backoffBase:    250 * time.Millisecond,
		backoffMax:     4 * time.Second,
	}
	if c.warnings == nil {
		c.warnings = defaultWarningHandler
	}
	if httpClient.Timeout > 0 {
		long := *httpClient
		long.Timeout = 0
		c.longHTTP = &long
	}
	return c, nil
}

// parseHost turns Config.Host into a URL with a scheme, a host and an
// optional path prefix.
func parseHost(host, scheme string) (*url.URL, error) {
	if host == "" {
		return nil, errors.New("rest: Config.Host is empty; it must be a URL or host:port")
	}
	raw := host
	if !strings.Contains(host, "://") {
		raw = scheme + "://" + host
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the input, which may hold user info; say only
		// what is wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if strings.Contains(host, "@") {
			// The parser's own message may quote a piece of a password
			// (an invalid escape, say).
			return nil, errors.New("rest: Config.Host is not a URL or host:port, and it must not contain user info; set Config.Username and Config.Password instead")
		}
		return nil, fmt.Errorf("rest: Config.Host is not a URL or host:port: %w", err)
	}
	if u.User != nil {
		return nil, errors.New("rest: Config.Host must not contain user info; set Config.Username and Config.Password instead")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("rest: Config.Host %q: scheme must be http or https", host)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("rest: Config.Host %q has no host", host)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("rest: Config.Host %q must not have a query or fragment", host)
	}
	return u, nil
}

// Verb starts a request with the given HTTP method.
func (c *Client) Verb(verb string) *Request {
	return &Request{c: c, verb: verb, maxRetries: DefaultMaxRetries}
}

// Get starts a GET request.
func (c *Client) Get() *Request { return c.Verb(http.MethodGet) }

// Post starts a POST request.
func (c *Client) Post() *Request { return c.Verb(http.MethodPost) }

// Put starts a PUT request.
func (c *Client) Put() *Request { return c.Verb(http.MethodPut) }

// Delete starts a DELETE request.
func (c *Client) Delete() *Request { return c.Verb(http.MethodDelete) }

// Patch starts a PATCH request whose body is of the given patch type, which
// becomes its Content-Type.
func (c *Client) Patch(pt types.PatchType) *Request {
	return c.Verb(http.MethodPatch).SetHeader("Content-Type", string(pt))
}
