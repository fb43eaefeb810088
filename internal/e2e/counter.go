package e2e

import (
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/internal/testcluster"
)

// Counter counts the requests a client sends to the network, so tests can
// pin how many requests a cached or lazy path costs. With LegacyOnly set it
// also takes the aggregated discovery type out of Accept headers, as a
// server (or proxy) without aggregated discovery would ignore it, which
// drives the client down the legacy path against a modern server.
type Counter struct {
	LegacyOnly bool

	next http.RoundTripper
	n    atomic.Int64
}

// Wrap makes the counter sit in front of next; it fits
// anykube.Config.WrapTransport.
func (c *Counter) Wrap(next http.RoundTripper) http.RoundTripper {
	c.next = next
	return c
}

// RoundTrip counts r and sends it on.
func (c *Counter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	if c.LegacyOnly && strings.Contains(r.Header.Get("Accept"), "apidiscovery.k8s.io") {
		r = r.Clone(r.Context())
		r.Header.Set("Accept", "application/json")
	}
	return c.next.RoundTrip(r)
}

// Count returns the requests sent so far.
func (c *Counter) Count() int64 { return c.n.Load() }

// Take returns the requests sent since the last Take and starts again at 0.
func (c *Counter) Take() int64 { return c.n.Swap(0) }

// Config returns a Config for the cluster's admin user, without client-side
// rate limiting (tests measure requests, not the limiter), with counter in
// front of the transport when it is not nil.
func Config(c *testcluster.Cluster, counter *Counter) *anykube.Config {
	cfg := &anykube.Config{
		Host:            c.Host,
		BearerToken:     c.Token,
		TLSClientConfig: anykube.TLSClientConfig{CAData: c.CAData},
		QPS:             -1,
	}
	if counter != nil {
		cfg.WrapTransport = counter.Wrap
	}
	return cfg
}
