package restmapper

import (
	"context"
	"sync"
)

// flightGroup runs one load per key at a time and gives its result to
// every caller that asked for the key while it ran: fifty goroutines
// missing the same group cost one discovery round, not fifty.
//
// The load runs in its own goroutine under the first caller's context with
// its cancellation removed, so that the first caller giving up does not
// fail the others; every caller waits for the result or for its own
// context, whichever ends first.
type flightGroup[K comparable] struct {
	// mu guards calls.
	mu    sync.Mutex
	calls map[K]*flightCall
}

type flightCall struct {
	done chan struct{}
	err  error
}

// do joins the load in progress for key, or, when there is none and skip
// reports false, starts fn. skip runs under the group's lock, so a load
// whose result became visible before it ended is seen by skip: callers use
// it to learn that the load they want has just happened. do returns fn's
// error, or ctx's when ctx ends first.
func (g *flightGroup[K]) do(ctx context.Context, key K, skip func() bool, fn func(context.Context) error) error {
	g.mu.Lock()
	c, ok := g.calls[key]
	if !ok {
		if skip() {
			g.mu.Unlock()
			return nil
		}
		if g.calls == nil {
			g.calls = make(map[K]*flightCall)
		}
		c = &flightCall{done: make(chan struct{})}
		g.calls[key] = c
		loadCtx := context.WithoutCancel(ctx)
		go func() {
			c.err = fn(loadCtx)
			g.mu.Lock()
			delete(g.calls, key)
			g.mu.Unlock()
			close(c.done)
		}()
	}
	g.mu.Unlock()
	select {
	case <-c.done:
		return c.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
