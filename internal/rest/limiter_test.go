package rest

import (
	"context"
	"net/http"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anykube/anykube"
)

// shortCtx leaves too little time for a limiter token that is not already
// there, so rate.Limiter fails at once instead of waiting.
func shortCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	t.Cleanup(cancel)
	return ctx
}

func TestLimiterSharedByClientsOfOneConfig(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	cfg := &anykube.Config{Host: srv.URL, QPS: 0.01, Burst: 1}
	c1, err := New(cfg, &http.Client{})
	require.NoError(t, err)
	c2, err := New(cfg, &http.Client{})
	require.NoError(t, err)
	assert.Same(t, c1.limiter, c2.limiter)

	require.NoError(t, c1.Get().AbsPath("/x").Do(shortCtx(t)).Error(), "the burst allows one")
	err = c2.Get().AbsPath("/x").Do(shortCtx(t)).Error()
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the other client shares the empty bucket")
	assert.Equal(t, int32(1), srv.hits.Load())

	require.NoError(t, c2.Get().AbsPath("/x").NoRateLimit().Do(shortCtx(t)).Error(), "NoRateLimit skips the bucket")

	// An equal but distinct Config has its own bucket.
	other := *cfg
	c3, err := New(&other, &http.Client{})
	require.NoError(t, err)
	assert.NotSame(t, c1.limiter, c3.limiter)
	require.NoError(t, c3.Get().AbsPath("/x").Do(shortCtx(t)).Error())
	assert.Equal(t, int32(3), srv.hits.Load())
}

func TestNegativeQPSTurnsLimitingOff(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c, err := New(&anykube.Config{Host: srv.URL, QPS: -1, Burst: 1}, &http.Client{})
	require.NoError(t, err)
	assert.Nil(t, c.limiter)
	for range 5 {
		require.NoError(t, c.Get().AbsPath("/x").Do(shortCtx(t)).Error())
	}
}

func TestDefaultLimits(t *testing.T) {
	c, err := New(&anykube.Config{Host: "http://h"}, &http.Client{})
	require.NoError(t, err)
	tb := c.limiter.(*tokenBucket)
	assert.InDelta(t, float64(anykube.DefaultQPS), float64(tb.l.Limit()), 0.001)
	assert.Equal(t, anykube.DefaultBurst, tb.l.Burst())
}

type countingLimiter struct{ n int }

func (l *countingLimiter) Wait(ctx context.Context) error { l.n++; return ctx.Err() }

func TestConfigRateLimiterIsUsedForEveryAttempt(t *testing.T) {
	srv := newCountingServer(t, nil)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if srv.hits.Add(1) == 1 {
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	l := &countingLimiter{}
	c := newTestClient(t, &anykube.Config{Host: srv.URL, RateLimiter: l})
	require.NoError(t, c.Get().AbsPath("/x").Do(context.Background()).Error())
	assert.Equal(t, 2, l.n)
}

func TestLimiterWaitEndsWithContext(t *testing.T) {
	c, err := New(&anykube.Config{Host: "http://127.0.0.1:1", QPS: 0.001, Burst: 1}, &http.Client{})
	require.NoError(t, err)
	require.NoError(t, c.limiter.Wait(context.Background())) // empty the bucket
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	err = c.Get().AbsPath("/x").Do(ctx).Error()
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestLimiterEntryDroppedWithConfig(t *testing.T) {
	key := func() weak.Pointer[anykube.Config] {
		cfg := &anykube.Config{Host: "http://h"}
		_, err := New(cfg, &http.Client{})
		require.NoError(t, err)
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
