package anykube

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"weak"

	"golang.org/x/time/rate"
)

// sharedLimiters gives every client built from the same *Config one token
// bucket, the way client-go shares a limiter through its Config, without a
// field in Config that a copy would share by accident. Keys are weak so
// that an entry never keeps a Config alive; a cleanup on the Config removes
// its entry.
var sharedLimiters struct {
	mu sync.Mutex // guards m
	m  map[weak.Pointer[Config]]*tokenBucket
}

// limiterFor returns the limiter for clients built from cfg: cfg.RateLimiter
// when set, nil when cfg.QPS is negative, else the token bucket shared by all
// clients of this *Config, created on first use from QPS and Burst (zero
// meaning the defaults). Settings changed after the first use are not seen.
func limiterFor(cfg *Config) RateLimiter {
	if cfg.RateLimiter != nil {
		return cfg.RateLimiter
	}
	if cfg.QPS < 0 {
		return nil
	}
	key := weak.Make(cfg)
	sharedLimiters.mu.Lock()
	defer sharedLimiters.mu.Unlock()
	if l, ok := sharedLimiters.m[key]; ok {
		return l
	}
	qps, burst := cfg.QPS, cfg.Burst
	if qps == 0 {
		qps = DefaultQPS
	}
	if burst <= 0 {
		burst = DefaultBurst
	}
	l := &tokenBucket{rate.NewLimiter(rate.Limit(qps), burst)}
	if sharedLimiters.m == nil {
		sharedLimiters.m = make(map[weak.Pointer[Config]]*tokenBucket)
	}
	sharedLimiters.m[key] = l
	runtime.AddCleanup(cfg, forgetLimiter, key)
	return l
}

// forgetLimiter drops the entry of a Config that has been collected.
func forgetLimiter(key weak.Pointer[Config]) {
	sharedLimiters.mu.Lock()
	delete(sharedLimiters.m, key)
	sharedLimiters.mu.Unlock()
}

// tokenBucket adapts rate.Limiter, whose Wait fails at once with an error
// that is not context.DeadlineExceeded when the wait would outlast the
// context's deadline; callers test for the deadline with errors.Is.
type tokenBucket struct{ l *rate.Limiter }

// Wait blocks until a token is free. It returns the context's error when the
// context ends first, or an error wrapping context.DeadlineExceeded when the
// token would come after the deadline.
func (b *tokenBucket) Wait(ctx context.Context) error {
	err := b.l.Wait(ctx)
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return fmt.Errorf("%w: the client-side rate limiter (Config.QPS) would delay the request past it: %w", context.DeadlineExceeded, err)
}
