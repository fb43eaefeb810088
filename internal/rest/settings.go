package rest

import (
	"context"
	"time"
)

// Settings is what a Client takes from anykube.Config besides the HTTP
// client: the server's address and the caller's limits. Package anykube
// fills it from a Config. This package cannot read the Config itself, since
// anykube builds its public REST client on top of it.
type Settings struct {
	// Host is Config.Host: a URL, whose path is kept as a prefix of every
	// request path, or a bare host:port.
	Host string
	// Secure gives a bare host:port the https scheme instead of http. The
	// caller sets it whenever the Config has TLS settings or credentials,
	// which must never be sent in clear.
	Secure bool
	// Limiter is waited on before every attempt. Nil means no client-side
	// rate limiting.
	Limiter RateLimiter
	// Warnings receives the Warning headers of every response. Nil means a
	// handler shared by the whole process that logs each distinct warning
	// once.
	Warnings WarningHandler
	// Timeout bounds every request not marked LongRunning, retries
	// included. Zero means no bound.
	Timeout time.Duration
	// MaxBody bounds a 2xx body read whole, after decompression: past it
	// the read stops with a *ResponseTooLargeError. Zero means no limit;
	// package anykube fills it from Config.MaxResponseBytes.
	MaxBody int64
}

// RateLimiter decides when the next request may be sent: Wait blocks until
// then, or returns the context's error when it ends first. It has the
// method set of anykube.RateLimiter, so a Config's limiter fits as is.
type RateLimiter interface {
	Wait(ctx context.Context) error
}

// WarningHandler receives each Warning header of a response. It has the
// method set of anykube.WarningHandler.
type WarningHandler interface {
	HandleWarningHeader(code int, agent string, text string)
}
