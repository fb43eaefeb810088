package memory_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/discovery"
	"github.com/anykube/anykube/discovery/cached/memory"
)

// countingTransport counts the requests it sends, by path.
type countingTransport struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[r.URL.Path]++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func (c *countingTransport) count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[path]
}

const appsDoc = `{"openapi":"3.0.0","info":{"title":"Kubernetes","version":"v1.37.2"},"paths":{"/apis/apps/v1/deployments":{}}}`

// openAPIServer serves an OpenAPI v3 index of one document. failIndex
// makes the index answer 403 while it is set; block, when not nil, holds
// document answers until it is closed.
func openAPIServer(t *testing.T, failIndex *atomic.Bool, block chan struct{}) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/openapi/v3":
			if failIndex != nil && failIndex.Load() {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403}`))
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"paths":{"apis/apps/v1":{"serverRelativeURL":"/openapi/v3/apis/apps/v1?hash=ABC"}}}`))
		case "/openapi/v3/apis/apps/v1":
			if block != nil {
				<-block
			}
			w.Header().Set("Content-Type", r.Header.Get("Accept"))
			_, _ = w.Write([]byte(appsDoc))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newOpenAPICache(t *testing.T, url string) (*memory.MemCacheClient, *countingTransport) {
	t.Helper()
	rt := &countingTransport{}
	d, err := discovery.NewDiscoveryClientForConfig(&anykube.Config{Host: url, Transport: rt})
	require.NoError(t, err)
	return memory.NewMemCacheClient(d), rt
}

func TestOpenAPIV3IsCachedUntilInvalidate(t *testing.T) {
	c, rt := newOpenAPICache(t, openAPIServer(t, nil, nil).URL)

	for range 3 {
		paths, err := c.OpenAPIV3().Paths()
		require.NoError(t, err)
		gv, ok := paths["apis/apps/v1"]
		require.True(t, ok)
		assert.Equal(t, "/openapi/v3/apis/apps/v1?hash=ABC", gv.ServerRelativeURL())
		data, err := gv.Schema("application/json")
		require.NoError(t, err)
		assert.JSONEq(t, appsDoc, string(data))
		doc, err := gv.Document()
		require.NoError(t, err)
		assert.Contains(t, doc.Paths.Paths, "/apis/apps/v1/deployments")
	}
	assert.Equal(t, 1, rt.count("/openapi/v3"), "the index is fetched once")
	assert.Equal(t, 1, rt.count("/openapi/v3/apis/apps/v1"), "the document is fetched once, Document included")

	paths, err := c.OpenAPIV3().Paths()
	require.NoError(t, err)
	_, err = paths["apis/apps/v1"].Schema("application/com.github.proto-openapi.spec.v3@v1.0+protobuf")
	require.NoError(t, err)
	assert.Equal(t, 2, rt.count("/openapi/v3/apis/apps/v1"), "each content type is a document of its own")

	c.Invalidate()
	paths, err = c.OpenAPIV3().Paths()
	require.NoError(t, err)
	_, err = paths["apis/apps/v1"].Schema("application/json")
	require.NoError(t, err)
	assert.Equal(t, 2, rt.count("/openapi/v3"), "Invalidate drops the index")
	assert.Equal(t, 3, rt.count("/openapi/v3/apis/apps/v1"), "and the documents")
}

func TestOpenAPIV3FailuresAreNotKept(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	c, rt := newOpenAPICache(t, openAPIServer(t, &fail, nil).URL)
	_, err := c.OpenAPIV3().Paths()
	require.Error(t, err)
	assert.True(t, apierrors.IsForbidden(err), "err: %v", err)

	fail.Store(false)
	paths, err := c.OpenAPIV3().Paths()
	require.NoError(t, err)
	assert.Contains(t, paths, "apis/apps/v1")
	assert.Equal(t, 2, rt.count("/openapi/v3"))
}

func TestOpenAPIV3ConcurrentMissesShareOneFetch(t *testing.T) {
	block := make(chan struct{})
	c, rt := newOpenAPICache(t, openAPIServer(t, nil, block).URL)
	paths, err := c.OpenAPIV3().Paths()
	require.NoError(t, err)

	// A caller whose context ends stops waiting; the fetch goes on for
	// the others.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	early, err := c.WithContext(ctx).OpenAPIV3().Paths()
	require.NoError(t, err, "the index is cached: no wait")
	_, err = early["apis/apps/v1"].Schema("application/json")
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			data, err := paths["apis/apps/v1"].Schema("application/json")
			assert.NoError(t, err)
			assert.JSONEq(t, appsDoc, string(data))
		})
	}
	time.Sleep(50 * time.Millisecond)
	close(block)
	wg.Wait()
	assert.Equal(t, 1, rt.count("/openapi/v3/apis/apps/v1"))
}
