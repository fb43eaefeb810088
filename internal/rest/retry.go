package rest

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	utilnet "k8s.io/apimachinery/pkg/util/net"
)

// safeVerb reports whether sending verb twice cannot do anything twice.
func safeVerb(verb string) bool {
	switch verb {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return false
}

// retryStatus reports whether a response with this code may be retried, and
// the wait the server asked for (hasWait false when it named none).
func (r *Request) retryStatus(code int, header http.Header) (wait time.Duration, hasWait, retry bool) {
	secs, hasRetryAfter := retryAfterSeconds(header)
	if hasRetryAfter {
		wait = time.Duration(secs) * r.c.retryAfterUnit
		wait = min(wait, r.c.retryAfterMax)
	}
	switch {
	case code == http.StatusTooManyRequests:
		retry = true
	case code == http.StatusServiceUnavailable && hasRetryAfter:
		retry = true
	case code == http.StatusServiceUnavailable, code == http.StatusGatewayTimeout:
		retry = safeVerb(r.verb)
	case code >= 500 && hasRetryAfter:
		retry = safeVerb(r.verb)
	}
	return wait, hasRetryAfter, retry
}

// retryAfterSeconds reads Retry-After as whole seconds or an HTTP date.
// Negative and unparsable values count as absent.
func retryAfterSeconds(header http.Header) (int, bool) {
	v := header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0, false
		}
		return n, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := time.Until(t)
		if d < 0 {
			return 0, true
		}
		return int((d + time.Second - 1) / time.Second), true
	}
	return 0, false
}

// retryTransport reports whether a request that failed with err before
// its response was complete may be sent again.
func (r *Request) retryTransport(err error) bool {
	return safeVerb(r.verb) && connectionLost(err)
}

// connectionLost reports whether err says an established connection broke,
// which an API server restart or a load balancer dropping idle connections
// causes and a new connection usually cures.
func connectionLost(err error) bool {
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, net.ErrClosed):
		return true
	}
	return utilnet.IsProbableEOF(err) || utilnet.IsHTTP2ConnectionLost(err)
}

// backoff is the wait before attempt number n+1 when the server named none.
func (r *Request) backoff(n int) time.Duration {
	d := r.c.backoffBase
	for i := 1; i < n && d < r.c.backoffMax; i++ {
		d *= 2
	}
	return min(d, r.c.backoffMax)
}

// sleep waits d, or until ctx ends, returning ctx's error then.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
