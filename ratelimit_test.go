package anykube

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
	"weak"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shortCtx leaves too little time for a limiter token that is not already
// there, so rate.Limiter fails at once instead of waiting.
func shortCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	t.Cleanup(cancel)
	return ctx
}

// hitCounter is an httptest server answering 200 to everything and
// counting the requests.
func hitCounter(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestLimiterSharedByClientsOfOneConfig(t *testing.T) {
	srv, hits := hitCounter(t)
	cfg := &Config{Host: srv.URL, QPS: 0.01, Burst: 1}
	c1, err := RESTClientForConfigAndClient(cfg, &http.Client{})
	require.NoError(t, err)
	c2, err := RESTClientForConfigAndClient(cfg, &http.Client{})
	require.NoError(t, err)
	assert.Same(t, limiterFor(cfg), limiterFor(cfg))

	require.NoError(t, c1.Get().AbsPath("/x").Do(shortCtx(t)).Error(), "the burst allows one")
	err = c2.Get().AbsPath("/x").Do(shortCtx(t)).Error()
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the other client shares the empty bucket")
	assert.Equal(t, int32(1), hits.Load())

	// An equal but distinct Config has its own bucket.
	other := *cfg
	c3, err := RESTClientForConfigAndClient(&other, &http.Client{})
	require.NoError(t, err)
	assert.NotSame(t, limiterFor(cfg), limiterFor(&other))
	require.NoError(t, c3.Get().AbsPath("/x").Do(shortCtx(t)).Error())
	assert.Equal(t, int32(2), hits.Load())
}

func TestNegativeQPSTurnsLimitingOff(t *testing.T) {
	srv, hits := hitCounter(t)
	cfg := &Config{Host: srv.URL, QPS: -1, Burst: 1}
	assert.Nil(t, limiterFor(cfg))
	c, err := RESTClientForConfigAndClient(cfg, &http.Client{})
	require.NoError(t, err)
	for range 5 {
		require.NoError(t, c.Get().AbsPath("/x").Do(shortCtx(t)).Error())
	}
	assert.Equal(t, int32(5), hits.Load())
}

func TestDefaultLimits(t *testing.T) {
	tb := limiterFor(&Config{Host: "http://h"}).(*tokenBucket)
	assert.InDelta(t, float64(DefaultQPS), float64(tb.l.Limit()), 0.001)
	assert.Equal(t, DefaultBurst, tb.l.Burst())
}

type countingLimiter struct{ n atomic.Int32 }

func (l *countingLimiter) Wait(ctx context.Context) error { l.n.Add(1); return ctx.Err() }

func TestConfigRateLimiterReplacesTheBucket(t *testing.T) {
	srv, _ := hitCounter(t)
	l := &countingLimiter{}
	cfg := &Config{Host: srv.URL, RateLimiter: l}
	assert.Same(t, l, limiterFor(cfg))
	c, err := RESTClientForConfigAndClient(cfg, &http.Client{})
	require.NoError(t, err)
	require.NoError(t, c.Get().AbsPath("/x").Do(context.Background()).Error())
	assert.Equal(t, int32(1), l.n.Load())
}

func TestTokenBucketWaitPastDeadline(t *testing.T) {
	tb := limiterFor(&Config{Host: "http://h", QPS: 0.001, Burst: 1}).(*tokenBucket)
	require.NoError(t, tb.Wait(context.Background())) // empty the bucket
	err := tb.Wait(shortCtx(t))
	assert.ErrorIs(t, err, context.DeadlineExceeded, "a token after the deadline is reported as the deadline")

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	assert.ErrorIs(t, tb.Wait(ctx), context.Canceled)
}

func TestLimiterEntryDroppedWithConfig(t *testing.T) {
	key := func() weak.Pointer[Config] {
		cfg := &Config{Host: "http://h"}
		limiterFor(cfg)
		return weak.Make(cfg)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		sharedLimiters.mu.Lock()
		_, present := sharedLimiters.m[key]
		sharedLimiters.mu.Unlock()
		if !present {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the limiter of a collected Config is still in the map")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
