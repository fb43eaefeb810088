package discoverytest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ServerOptions shape a Server's behaviour. The zero value serves aggregated
// discovery to clients that ask for it, without latency or faults.
type ServerOptions struct {
	// Latency is waited before each response is written.
	Latency time.Duration
	// DisableAggregated makes /api and /apis always answer with the legacy
	// documents, as servers before Kubernetes 1.26 do.
	DisableAggregated bool
	// Fail maps a path to the status the server answers it with, with a
	// metav1.Status body.
	Fail map[string]int
	// FailFirst maps a path to the status the server answers the first
	// request for it with, as a backend that blips; later requests are
	// served normally.
	FailFirst map[string]int
	// Hang lists paths the server never answers: it waits until the client
	// gives up.
	Hang map[string]bool
	// Chunked sends documents without a Content-Length, in chunks of 32
	// KiB, as kube-apiserver sends large answers it does not compress: the
	// client learns the size only at the end.
	Chunked bool
}

// Server serves an API's documents over HTTP and counts the requests.
type Server struct {
	*httptest.Server

	opts ServerOptions
	docs atomic.Pointer[encoded]

	// mu guards counts and faults.
	mu     sync.Mutex
	counts map[string]int
	faults map[string]int
	total  atomic.Int64
}

// encoded holds an API's documents as bytes, with their entity tags.
type encoded struct {
	core, aggregated         []byte
	coreETag, aggregatedETag string
	versions, groups         []byte
	resources                map[string][]byte
}

// aggregatedContentType is what the server sends with aggregated documents.
const aggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

// NewServer starts a server for api; Close it when done.
func NewServer(api *API, opts ServerOptions) *Server {
	s := &Server{opts: opts, counts: make(map[string]int), faults: make(map[string]int)}
	for path, code := range opts.Fail {
		s.faults[path] = code
	}
	s.SetAPI(api)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// SetAPI replaces the documents served from the next request on, as when a
// CRD is installed; the entity tags change with them.
func (s *Server) SetAPI(api *API) {
	e := &encoded{resources: make(map[string][]byte, len(api.Resources))}
	e.core, e.coreETag = mustEncodeTagged(api.Core)
	e.aggregated, e.aggregatedETag = mustEncodeTagged(api.Aggregated)
	e.versions = mustEncode(api.Versions)
	e.groups = mustEncode(api.Groups)
	for path, list := range api.Resources {
		e.resources[path] = mustEncode(list)
	}
	s.docs.Store(e)
}

// SetFault makes the server answer path with code from now on; code 0
// removes the fault.
func (s *Server) SetFault(path string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.faults, path)
	} else {
		s.faults[path] = code
	}
}

// Requests returns the number of requests served so far.
func (s *Server) Requests() int { return int(s.total.Load()) }

// RequestsFor returns the number of requests served for path.
func (s *Server) RequestsFor(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

// ResetCounts sets the request counters back to zero.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = make(map[string]int)
	s.total.Store(0)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.total.Add(1)
	s.mu.Lock()
	s.counts[r.URL.Path]++
	code, fault := s.faults[r.URL.Path]
	if first, ok := s.opts.FailFirst[r.URL.Path]; ok && !fault && s.counts[r.URL.Path] == 1 {
		code, fault = first, true
	}
	s.mu.Unlock()

	if s.opts.Hang[r.URL.Path] {
		<-r.Context().Done()
		return
	}
	if s.opts.Latency > 0 {
		select {
		case <-time.After(s.opts.Latency):
		case <-r.Context().Done():
			return
		}
	}
	if fault {
		writeStatus(w, code)
		return
	}
	e := s.docs.Load()
	switch r.URL.Path {
	case "/api", "/apis":
		s.serveRoot(w, r, e)
	default:
		body, ok := e.resources[r.URL.Path]
		if !ok {
			writeStatus(w, http.StatusNotFound)
			return
		}
		s.writeJSON(w, "application/json", body)
	}
}

func (s *Server) serveRoot(w http.ResponseWriter, r *http.Request, e *encoded) {
	core := r.URL.Path == "/api"
	if s.opts.DisableAggregated || !wantsAggregated(r.Header.Get("Accept")) {
		if core {
			s.writeJSON(w, "application/json", e.versions)
		} else {
			s.writeJSON(w, "application/json", e.groups)
		}
		return
	}
	body, tag := e.aggregated, e.aggregatedETag
	if core {
		body, tag = e.core, e.coreETag
	}
	w.Header().Set("ETag", tag)
	if r.Header.Get("If-None-Match") == tag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.writeJSON(w, aggregatedContentType, body)
}

// wantsAggregated reports whether an Accept header lists the aggregated
// type, whose g, v and as parameters the real server matches on.
func wantsAggregated(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		if strings.Contains(part, "g=apidiscovery.k8s.io") && strings.Contains(part, "v=v2") &&
			strings.Contains(part, "as=APIGroupDiscoveryList") {
			return true
		}
	}
	return false
}

// chunkSize is how much a Chunked server writes and flushes at a time.
const chunkSize = 32 << 10

func (s *Server) writeJSON(w http.ResponseWriter, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	if !s.opts.Chunked {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
		return
	}
	// Flushing the first chunk before the rest is written keeps net/http
	// from adding a Content-Length to a body that fits its buffer.
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	for len(body) > 0 {
		n := min(chunkSize, len(body))
		if _, err := w.Write(body[:n]); err != nil {
			return
		}
		_ = rc.Flush()
		body = body[n:]
	}
}

func writeStatus(w http.ResponseWriter, code int) {
	body := fmt.Sprintf(`{"kind":"Status","apiVersion":"v1","status":"Failure","message":%q,"code":%d}`,
		http.StatusText(code), code)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}

func mustEncode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("discoverytest: encoding %T: %v", v, err))
	}
	return b
}

func mustEncodeTagged(v any) ([]byte, string) {
	b := mustEncode(v)
	sum := sha256.Sum256(b)
	return b, `"` + hex.EncodeToString(sum[:16]) + `"`
}
