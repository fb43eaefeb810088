package rest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Do sends the request, retrying as described in retry.go, and reads the
// whole response. Builder errors are returned without sending anything.
// A non-2xx answer gives a Result whose Error is a *apierrors.StatusError;
// a transport failure gives one whose Error names the request and wraps the
// cause (context.Canceled and context.DeadlineExceeded included).
func (r *Request) Do(ctx context.Context) Result {
	res, _ := r.run(ctx, false)
	return res
}

// Stream sends the request like Do, but on a 2xx answer returns the body
// unread, with the response headers, for watches and other streams. The
// caller must close the body; it is also closed when ctx ends (or the
// request's timeout, if any, passes: mark streams LongRunning). On any other
// outcome the body is nil and the error is what Do would have returned.
func (r *Request) Stream(ctx context.Context) (io.ReadCloser, http.Header, error) {
	res, body := r.run(ctx, true)
	if res.err != nil {
		return nil, nil, res.err
	}
	return body, res.header, nil
}

// run is the single request path of the package. In stream mode a 2xx body
// is handed back open; otherwise it is read into the Result.
func (r *Request) run(ctx context.Context, stream bool) (Result, io.ReadCloser) {
	res := Result{verb: r.verb}
	if r.err != nil {
		res.err = r.err
		return res, nil
	}
	u, err := r.url()
	if err != nil {
		res.err = err
		return res, nil
	}
	res.path = u.Path
	urlStr := u.String()

	// The first wait on the limiter is outside the timeout, as in client-go:
	// a busy client should slow down, not report timeouts for requests it
	// never sent.
	if err := r.throttle(ctx); err != nil {
		res.err = r.wrapErr(urlStr, 0, err)
		return res, nil
	}
	parent := ctx
	timeout := r.effectiveTimeout()
	cancel := context.CancelFunc(func() {})
	if timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, timeout)
	}
	hc := r.c.http
	if r.longRunning {
		hc = r.c.longHTTP
	}

	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			if err := r.throttle(ctx); err != nil {
				cancel()
				res.err = r.ctxErr(parent, urlStr, attempt-1, timeout, err)
				return res, nil
			}
		}
		var wait time.Duration
		resp, err := r.send(ctx, hc, urlStr)
		if err == nil {
			r.c.handleWarnings(resp.Header)
			res.statusCode, res.header = resp.StatusCode, resp.Header
			if resp.StatusCode >= 200 && resp.StatusCode < 300 {
				if stream {
					return res, &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
				}
				res.body, err = readAll(resp)
				resp.Body.Close()
				if err == nil {
					cancel()
					return res, nil
				}
				res.body = nil
			} else {
				body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
				resp.Body.Close()
				serverWait, hasWait, retry := r.retryStatus(resp.StatusCode, resp.Header)
				if readErr != nil && ctx.Err() != nil {
					cancel()
					res.err = r.ctxErr(parent, urlStr, attempt, timeout, readErr)
					return res, nil
				}
				if !retry || attempt > r.maxRetries {
					cancel()
					se := r.statusError(resp.StatusCode, resp.Header, body)
					if attempt > 1 {
						se.ErrStatus.Message += fmt.Sprintf(" (gave up after %d attempts)", attempt)
					}
					res.body, res.err = body, se
					return res, nil
				}
				wait = serverWait
				if !hasWait {
					wait = r.backoff(attempt)
				}
				if err := sleep(ctx, wait); err != nil {
					cancel()
					res.err = r.ctxErr(parent, urlStr, attempt, timeout, err)
					return res, nil
				}
				continue
			}
		}
		// err is a transport error, or a read error on a 2xx body.
		res.statusCode, res.header = 0, nil
		if ctx.Err() != nil {
			cancel()
			res.err = r.ctxErr(parent, urlStr, attempt, timeout, err)
			return res, nil
		}
		if !r.retryTransport(err) || attempt > r.maxRetries {
			cancel()
			res.err = r.wrapErr(urlStr, attempt, err)
			return res, nil
		}
		if err := sleep(ctx, r.backoff(attempt)); err != nil {
			cancel()
			res.err = r.ctxErr(parent, urlStr, attempt, timeout, err)
			return res, nil
		}
	}
}

// send makes one attempt.
func (r *Request) send(ctx context.Context, hc *http.Client, urlStr string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, r.verb, urlStr, r.bodyReader())
	if err != nil {
		return nil, err
	}
	for k, v := range r.headers {
		req.Header[k] = v
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if r.hasBody && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return hc.Do(req)
}

// readAll reads a response body, sized from Content-Length when known.
func readAll(resp *http.Response) ([]byte, error) {
	if n := resp.ContentLength; n > 0 && n < 64<<20 {
		buf := make([]byte, 0, n+1) // +1 lets ReadAll see EOF without growing
		for {
			m, err := resp.Body.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+m]
			if err == io.EOF {
				return buf, nil
			}
			if err != nil {
				return buf, err
			}
			if len(buf) == cap(buf) {
				rest, err := io.ReadAll(resp.Body)
				return append(buf, rest...), err
			}
		}
	}
	return io.ReadAll(resp.Body)
}

// throttle waits for the rate limiter unless the request is exempt.
func (r *Request) throttle(ctx context.Context) error {
	if r.noRateLimit || r.c.limiter == nil {
		return nil
	}
	return r.c.limiter.Wait(ctx)
}

// effectiveTimeout is the bound on the whole request: the Request's own,
// else Config.Timeout unless the request is long-running.
func (r *Request) effectiveTimeout() time.Duration {
	switch {
	case r.timeoutSet:
		return r.timeout
	case r.longRunning:
		return 0
	}
	return r.c.timeout
}

// wrapErr names the request around a failure, stripping net/http's
// url.Error, which would repeat the URL.
func (r *Request) wrapErr(urlStr string, attempts int, err error) error {
	err = stripURLError(err)
	if attempts > 1 {
		return fmt.Errorf("%s %s: gave up after %d attempts: %w", r.verb, urlStr, attempts, err)
	}
	return fmt.Errorf("%s %s: %w", r.verb, urlStr, err)
}

// ctxErr reports a request ended by its context: the caller's, or the
// request timeout when only that one has ended.
func (r *Request) ctxErr(parent context.Context, urlStr string, attempts int, timeout time.Duration, err error) error {
	if parent.Err() != nil || timeout <= 0 {
		return r.wrapErr(urlStr, attempts, err)
	}
	err = stripURLError(err)
	if !errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
	}
	return r.wrapErr(urlStr, attempts, fmt.Errorf("request timed out after %v: %w", timeout, err))
}

// stripURLError drops net/http's *url.Error wrapper, whose message repeats
// the method and URL that our own wrapping names.
func stripURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// cancelOnClose releases the request's timeout context when the caller
// closes a streamed body.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

// Close closes the body and releases the request's context.
func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
