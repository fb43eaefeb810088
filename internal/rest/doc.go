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
package rest
