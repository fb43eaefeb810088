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

// Do sends the request, retrying as the package documentation describes,
// and reads the whole response. Builder errors are returned without sending anything.
// A non-2xx answer gives a Result whose Error is a *apierrors.StatusError;
// a transport failure gives one whose Error names the request and wraps the
// cause (context.Canceled and context.DeadlineExceeded included).
func (r *Request) Do(ctx context.Context) Result {
	res, _ := r.run(ctx, readOwned)
	return res
}

// Stream sends the request like Do, but on a 2xx answer returns the body
// unread, with the response headers, for watches and other streams. The
// caller must close the body; it is also closed when ctx ends (or the
// request's timeout, if any, passes: mark streams LongRunning). On any other
// outcome the body is nil and the error is what Do would have returned.
func (r *Request) Stream(ctx context.Context) (io.ReadCloser, http.Header, error) {
	res, body := r.run(ctx, readStream)
	if res.err != nil {
		return nil, nil, res.err
	}
	return body, res.header, nil
}

// readMode says what run does with a 2xx body.
type readMode int

const (
	readOwned  readMode = iota // read into a new buffer the caller owns
	readPooled                 // read into a pooled buffer, Result.pooled
	readStream                 // handed back unread
)

// run is the single request path of the package. In stream mode a 2xx body
// is handed back open; otherwise it is read into the Result.
func (r *Request) run(ctx context.Context, mode readMode) (Result, io.ReadCloser) {
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
	// has not sent.
	if err := r.throttle(ctx); err != nil {
		res.err = r.wrapErr(urlStr, 0, err)
		return res, nil
	}
	parent := ctx
	timeout := r.effectiveTimeout()
	var cancel context.CancelFunc // set while run owns the timeout context
	if timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer func() {
			if cancel != nil {
				cancel()
			}
		}()
	}
	hc := r.c.http
	if r.longRunning {
		hc = r.c.longHTTP
	}
	fail := func(attempts int, err error) (Result, io.ReadCloser) {
		res.statusCode, res.header, res.body = 0, nil, nil
		if ctx.Err() != nil {
			res.err = r.ctxErr(parent, urlStr, attempts, timeout, err)
		} else {
			res.err = r.wrapErr(urlStr, attempts, err)
		}
		return res, nil
	}

	// bodyRetried is set once a 2xx body that broke off has been asked for
	// again: see the package documentation on retries.
	bodyRetried := false
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			if err := r.throttle(ctx); err != nil {
				return fail(attempt-1, err)
			}
		}
		bodyBroke := false
		resp, err := r.send(ctx, hc, urlStr)
		if err == nil {
			r.c.handleWarnings(resp.Header)
			res.statusCode, res.header = resp.StatusCode, resp.Header
			if resp.StatusCode < 200 || resp.StatusCode > 299 {
				body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
				resp.Body.Close()
				if err != nil && ctx.Err() != nil {
					return fail(attempt, err)
				}
				wait, err := r.retryWait(ctx, resp, body, attempt)
				if err != nil {
					res.body, res.err = body, err
					return res, nil
				}
				if err := sleep(ctx, wait); err != nil {
					return fail(attempt, err)
				}
				continue
			}
			if mode == readStream {
				// The body now owns the timeout context.
				body := &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
				cancel = nil
				return res, body
			}
			limit := r.maxBodyLimit()
			if limit > 0 && resp.ContentLength > limit {
				// Announced too large: not a byte of it is read.
				resp.Body.Close()
				return r.tooLarge(res, limit, resp.ContentLength), nil
			}
			if mode == readPooled {
				p := getBody(resp.ContentLength)
				*p, err = readInto(*p, resp.Body, limit)
				resp.Body.Close()
				if err == nil {
					res.body, res.pooled = *p, p
					return res, nil
				}
				putBody(p)
			} else {
				res.body, err = readAll(resp, limit)
				resp.Body.Close()
				if err == nil {
					return res, nil
				}
			}
			if errors.Is(err, errBodyTooLarge) {
				return r.tooLarge(res, limit, -1), nil
			}
			bodyBroke = true
			err = fmt.Errorf("reading the response body: %w", err)
		}
		// A transport error, or a 2xx body that broke off.
		if ctx.Err() != nil || !r.retryTransport(err) || attempt > r.maxRetries || bodyBroke && bodyRetried {
			return fail(attempt, err)
		}
		bodyRetried = bodyRetried || bodyBroke
		if err := sleep(ctx, r.backoff(attempt)); err != nil {
			return fail(attempt, err)
		}
	}
}

// retryWait decides what follows a non-2xx response: the wait before the
// next attempt, or the *apierrors.StatusError that ends the request.
func (r *Request) retryWait(ctx context.Context, resp *http.Response, body []byte, attempt int) (time.Duration, error) {
	wait, hasWait, retry := r.retryStatus(resp.StatusCode, resp.Header)
	if !hasWait {
		wait = r.backoff(attempt)
	}
	// Waiting past the deadline would only turn a clear 429 or 503 into a
	// bare timeout.
	deadline, hasDeadline := ctx.Deadline()
	tooLate := hasDeadline && time.Until(deadline) < wait
	if retry && !tooLate && attempt <= r.maxRetries {
		return wait, nil
	}
	se := r.statusError(resp.StatusCode, resp.Header, body)
	switch {
	case retry && tooLate:
		se.ErrStatus.Message += fmt.Sprintf(" (not retried: the wait of %v asked for would pass the request's deadline)", wait)
	case attempt > 1:
		se.ErrStatus.Message += fmt.Sprintf(" (gave up after %d attempts)", attempt)
	}
	return 0, se
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

// readAll reads a response body, sized from Content-Length when known,
// failing with errBodyTooLarge past limit bytes (0: no limit). The caller
// has already refused a Content-Length above limit.
func readAll(resp *http.Response, limit int64) ([]byte, error) {
	if n := resp.ContentLength; n > 0 && n < 64<<20 {
		// net/http never returns more than Content-Length, so the
		// buffer is the whole body, and EOF comes after it.
		buf := make([]byte, 0, n+1) // +1 lets the read see EOF without growing
		return readInto(buf, resp.Body, limit)
	}
	// An unsized body (gzip, chunked) is read through pooled blocks and
	// copied out once, at about its size (see readInto).
	buf, err := readInto(nil, resp.Body, limit)
	if err != nil {
		return nil, err
	}
	return buf, nil
}

// tooLarge ends res with a *ResponseTooLargeError for a body past
// limit; contentLength is the announced size, -1 when none was.
func (r *Request) tooLarge(res Result, limit, contentLength int64) Result {
	res.body = nil
	res.err = &ResponseTooLargeError{Method: r.verb, Path: res.path, Limit: limit, ContentLength: contentLength}
	return res
}

// maxBodyLimit is the limit on a 2xx body read whole: the Request's own,
// else the Client's; 0 means none.
func (r *Request) maxBodyLimit() int64 {
	if r.maxBodySet {
		return r.maxBody
	}
	return r.c.maxBody
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

// Close closes the body and releases the request's context, if it has one.
func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	if c.cancel != nil {
		c.cancel()
	}
	return err
}
