package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// UpgradeRecorder records the Upgrade header and status of every upgrade
// request a client sends, as "websocket 101" or "spdy/3.1 101", so a test
// can tell which protocol carried a stream. Install Wrap as the Config's
// WrapTransport.
type UpgradeRecorder struct {
	mu   sync.Mutex // guards seen
	seen []string
}

// Wrap returns next, recording its upgrade requests.
func (u *UpgradeRecorder) Wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		if up := r.Header.Get("Upgrade"); up != "" {
			code := 0
			if resp != nil {
				code = resp.StatusCode
			}
			u.mu.Lock()
			u.seen = append(u.seen, fmt.Sprintf("%s %d", strings.ToLower(up), code))
			u.mu.Unlock()
		}
		return resp, err
	})
}

// Take returns what was recorded since the last Take.
func (u *UpgradeRecorder) Take() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	s := u.seen
	u.seen = nil
	return s
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
