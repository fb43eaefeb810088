package rest

import (
	"net/http"
	"sync"

	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/klog/v2"
)

// DedupWarningLogger is a WarningHandler that logs each distinct warning
// text once, so that a deprecation notice repeated on every request of a
// loop is shown a single time. Like kubectl, it shows only code 299 warnings
// (the API server's); other codes come from HTTP caches and proxies. The
// zero value is ready to use and safe for concurrent use.
type DedupWarningLogger struct {
	// Log receives each new warning text. Nil means klog's Warning.
	Log func(text string)

	mu   sync.Mutex          // guards seen
	seen map[string]struct{} // texts already logged
}

// maxRememberedWarnings bounds the memory a server sending endless distinct
// warnings can take; past it the set starts over, so some repeat.
const maxRememberedWarnings = 1024

// HandleWarningHeader logs text unless code is not 299 or text was logged
// before.
func (l *DedupWarningLogger) HandleWarningHeader(code int, agent string, text string) {
	if code != 299 || text == "" {
		return
	}
	l.mu.Lock()
	if _, ok := l.seen[text]; ok {
		l.mu.Unlock()
		return
	}
	if l.seen == nil || len(l.seen) >= maxRememberedWarnings {
		l.seen = make(map[string]struct{})
	}
	l.seen[text] = struct{}{}
	l.mu.Unlock()
	if l.Log != nil {
		l.Log(text)
		return
	}
	klog.Warning(text)
}

// defaultWarningHandler serves every Client whose Config has no
// WarningHandler, so a warning is logged once per process, not per client.
var defaultWarningHandler = &DedupWarningLogger{}

// handleWarnings passes each well-formed Warning header of a response to the
// client's handler. Malformed ones are dropped: they cannot be shown
// faithfully, and a bad header must not fail the request.
func (c *Client) handleWarnings(h http.Header) {
	values := h.Values("Warning")
	if len(values) == 0 {
		return
	}
	warnings, _ := utilnet.ParseWarningHeaders(values)
	for _, w := range warnings {
		c.warnings.HandleWarningHeader(w.Code, w.Agent, w.Text)
	}
}
