package rest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingLimiter lets every request through and counts the waits.
type countingLimiter struct{ n int }

func (l *countingLimiter) Wait(ctx context.Context) error { l.n++; return ctx.Err() }

func TestLimiterIsWaitedOnForEveryAttempt(t *testing.T) {
	srv := newCountingServer(t, nil)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if srv.hits.Add(1) == 1 {
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	l := &countingLimiter{}
	c := newTestClient(t, Settings{Host: srv.URL, Limiter: l})
	require.NoError(t, c.Get().AbsPath("/x").Do(context.Background()).Error())
	assert.Equal(t, 2, l.n)

	require.NoError(t, c.Get().AbsPath("/x").NoRateLimit().Do(context.Background()).Error())
	assert.Equal(t, 2, l.n, "NoRateLimit skips the limiter")
}

// blockingLimiter never lets a request through before the context ends.
type blockingLimiter struct{}

func (blockingLimiter) Wait(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }

func TestLimiterWaitEndsWithContext(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c := newTestClient(t, Settings{Host: srv.URL, Limiter: blockingLimiter{}})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	err := c.Get().AbsPath("/x").Do(ctx).Error()
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Zero(t, srv.hits.Load(), "nothing is sent while the limiter holds the request")
}
