package disk_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery/cached/disk"
	"github.com/anykube/anykube/discovery/discoverytest"
)

// statusRecorder records the status of each answer to a conditional
// request.
type statusRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	// conditional holds, per conditional request, the status answered.
	conditional []int
}

func (r *statusRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := r.next.RoundTrip(req)
	if err == nil && req.Header.Get("If-None-Match") != "" {
		r.mu.Lock()
		r.conditional = append(r.conditional, res.StatusCode)
		r.mu.Unlock()
	}
	return res, err
}

func (r *statusRecorder) take() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.conditional
	r.conditional = nil
	return out
}

func TestLongLivedClientRevalidatesAfterTheTTL(t *testing.T) {
	for _, dir := range []string{"files", ""} {
		t.Run("dir="+dir, func(t *testing.T) {
			if dir != "" {
				dir = t.TempDir()
			}
			api := discoverytest.Generate(discoverytest.Spec{Groups: 3, Versions: 1, Resources: 2})
			srv := discoverytest.NewServer(api, discoverytest.ServerOptions{})
			defer srv.Close()
			rec := &statusRecorder{}
			cfg := &anykube.Config{Host: srv.URL, WrapTransport: func(rt http.RoundTripper) http.RoundTripper {
				rec.next = rt
				return rec
			}}
			const ttl = 300 * time.Millisecond
			c, err := disk.NewCachedDiscoveryClientForConfig(cfg, dir, "", ttl)
			require.NoError(t, err)

			want := everything(t, c)
			assert.Equal(t, want, everything(t, c))
			assert.Equal(t, 2, srv.Requests(), "within the TTL, from memory")

			// Past the TTL, one call revalidates: two conditional requests
			// answered 304, and the same view.
			time.Sleep(ttl + 50*time.Millisecond)
			srv.ResetCounts()
			assert.Equal(t, want, everything(t, c))
			assert.Equal(t, 2, srv.Requests())
			assert.Equal(t, []int{http.StatusNotModified, http.StatusNotModified}, rec.take())
			assert.True(t, c.Fresh())
			srv.ResetCounts()
			everything(t, c)
			assert.Zero(t, srv.Requests(), "the TTL restarted")

			// A change is seen at the next expiry.
			changed := discoverytest.Generate(discoverytest.Spec{Groups: 4, Versions: 1, Resources: 2})
			srv.SetAPI(changed)
			assert.Equal(t, want, everything(t, c), "within the TTL")
			time.Sleep(ttl + 50*time.Millisecond)
			assert.Len(t, everything(t, c), changed.GroupVersions())
		})
	}
}
