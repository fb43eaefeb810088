// Package rest is anykube's HTTP request layer: the one place that knows how
// Kubernetes API paths are built, how option structs become query parameters,
// how non-2xx answers become apimachinery StatusErrors, and when a request may
// be sent again. The discovery, dynamic and scale clients build requests here
// and never touch net/http themselves.
//
// A Client is built once per Config and is safe for concurrent use. Each call
// to Verb (or Get, Post, ...) returns a fresh Request, which is used by one
// goroutine: chain the builder methods, then call Do or Stream once.
//
// Builder mistakes (an empty name, a name containing "/") are recorded in the
// Request and returned by Do or Stream before anything is sent; the first one
// wins, so a chain needs no error checks in the middle.
//
// # Retries
//
// A request is sent again, at most Request.MaxRetries times
// (DefaultMaxRetries unless set), on:
//
//   - 429 Too Many Requests, for every verb: the API server (priority and
//     fairness, max-in-flight) rejects such requests before acting on them.
//   - 503 Service Unavailable with Retry-After, for every verb, for the same
//     reason: the server says it did not take the request.
//   - 503 without Retry-After, 504 Gateway Timeout, and other 5xx with
//     Retry-After, for GET, HEAD and OPTIONS only: a write may have been
//     carried out before the gateway gave up.
//   - A connection lost (reset, EOF, closed, HTTP/2 GOAWAY) while sending or
//     reading, for GET, HEAD and OPTIONS only. A POST or PATCH whose body may
//     have reached the server is never sent twice; refused connections are
//     not retried at all, so a wrong address fails fast. A 2xx body that
//     breaks off is asked for again once only: when it breaks again, it
//     most likely does so on every try (a truncated gzip stream, a body
//     shorter than its Content-Length, a proxy cutting at a size), and a
//     large answer would be downloaded each time. Corrupt gzip is not
//     retried at all.
//
// The wait is Retry-After (whole seconds or an HTTP date, capped at
// MaxRetryAfter), or else an exponential backoff from 250ms to 4s. A wait
// that would pass the request's deadline is not started: the server's error
// is returned at once. Every wait, like the rate limiter's, ends when the
// context does. Each attempt waits on the rate limiter.
//
// # Size limits
//
// A 2xx body read whole (Do, DoDecode) is bounded by Config.MaxResponseBytes
// (DefaultMaxResponseBytes when zero, none when negative), or by
// Request.MaxResponseBytes: an announced Content-Length above the limit
// fails before anything is read, and an unsized body (chunked, gzip, whose
// decompressed bytes count) fails once it grows past the limit, with an
// *ResponseTooLargeError that is not retried. The buffer never
// grows past the limit, so memory stays bounded however long the sender
// goes on. Error bodies are read up to 1 MiB; streams are left to their
// readers (the watch decoder bounds each event).
//
// # Timeouts
//
// Config.Timeout (or Request.Timeout) bounds the whole request, retries
// included, from the moment the rate limiter first lets it go. Requests
// marked LongRunning (watches, log streams) get no bound but their context's.
package rest
