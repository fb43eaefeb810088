package bench

import (
	"net/http"
	"testing"

	"k8s.io/client-go/rest"

	"github.com/anykube/anykube"
)

// sides holds one server's address and credentials as each library's
// config, each with its own request counter.
type sides struct {
	ak               *anykube.Config
	cg               *rest.Config
	akCount, cgCount *counter
}

// unthrottled turns client-side rate limiting off: the benchmarks time the
// libraries, not a token bucket.
const unthrottled = -1

// newSides returns configs for the server at host, with a bearer token and
// CA when they are not empty, and rate limiting off on both sides.
func newSides(host, token string, caData []byte) *sides {
	s := &sides{akCount: &counter{}, cgCount: &counter{}}
	s.ak = &anykube.Config{
		Host:          host,
		BearerToken:   token,
		QPS:           unthrottled,
		WrapTransport: s.akCount.wrap,
	}
	s.ak.TLSClientConfig.CAData = caData
	s.cg = &rest.Config{
		Host:          host,
		BearerToken:   token,
		QPS:           unthrottled,
		WrapTransport: s.cgCount.wrap,
	}
	s.cg.TLSClientConfig.CAData = caData
	return s
}

// withDefaults returns a copy of s whose configs leave QPS and Burst at
// their zero values, which mean each library's defaults.
func (s *sides) withDefaults() *sides {
	c := *s
	ak, cg := *s.ak, *s.cg
	ak.QPS, cg.QPS = 0, 0
	c.ak, c.cg = &ak, &cg
	return &c
}

// akHTTP and cgHTTP build each library's HTTP client for its config, once
// per benchmark case, so that the ops share connections.
func (s *sides) akHTTP(b testing.TB) *http.Client {
	hc, err := anykube.HTTPClientFor(s.ak)
	if err != nil {
		b.Fatal(err)
	}
	return hc
}

func (s *sides) cgHTTP(b testing.TB) *http.Client {
	hc, err := rest.HTTPClientFor(s.cg)
	if err != nil {
		b.Fatal(err)
	}
	return hc
}
