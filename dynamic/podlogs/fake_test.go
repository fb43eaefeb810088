package podlogs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/anykube/anykube"
)

// fakeServer imitates kube-apiserver and its kubelets for pods and
// pods/log, from the facts of their code: the API server checks the pod
// and container (404, 400 "container X is not valid for pod P", 400 "a
// container name must be specified"), answers a pod without a node with
// 204 No Content, and relays the kubelet, whose errors become a 400 Status
// with its text ("container ... is waiting to start: REASON") and whose
// log is streamed chunked, a flush per line when following, with
// timestamps in RFC 3339 with nanoseconds, sinceTime read in whole
// seconds, tailLines, limitBytes counting the timestamps, and a followed
// stream ending when the container stops.
type fakeServer struct {
	t   testing.TB
	srv *httptest.Server

	mu     sync.Mutex
	rv     int
	pods   map[string]*fakePod // by name, all in namespace "ns"
	events []fakeEvent         // every change, for watches
	wake   chan struct{}       // closed and replaced on every change

	// logQueries records the query of every pods/log request.
	logQueries []url.Values
	// cut, when set, decides per log request after how many bytes the
	// stream is cut and how: cleanly (the response ends) or by a reset.
	cut func(n int) (after int, reset bool)
	// statusLag delays what pod reads report after a container stops,
	// as the kubelet's status updates lag its stream.
	statusLag time.Duration
}

type fakePod struct {
	name, uid string
	labels    map[string]string
	node      string
	phase     string
	deleted   bool
	init      []*fakeContainer
	regular   []*fakeContainer
}

type fakeContainer struct {
	name     string
	state    string // "waiting", "running", "terminated"
	reason   string // the waiting reason
	id       string // the instance's container ID; "" before the first start
	restarts int
	lines    []fakeLine // the current instance's log
	previous []fakeLine // the previous instance's log
	stopped  time.Time  // when the state became terminated (for statusLag)
}

type fakeLine struct {
	at   time.Time
	text string
	// partial leaves the newline out, as for the last line of a container
	// that exited mid-line.
	partial bool
}

type fakeEvent struct {
	rv  int
	typ string
	pod []byte
}

const fakeNS = "ns"

func newFakeServer(t testing.TB) *fakeServer {
	f := &fakeServer{t: t, pods: map[string]*fakePod{}, wake: make(chan struct{})}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// config is a Config for the server, without client-side rate limiting.
func (f *fakeServer) config() *anykube.Config {
	return &anykube.Config{Host: f.srv.URL, QPS: -1}
}

// client is a Client for the server with short waits.
func (f *fakeServer) client(t testing.TB) *Client {
	c, err := NewForConfig(f.config())
	require.NoError(t, err)
	c.settle, c.settleEvery, c.backoff = 300*time.Millisecond, 10*time.Millisecond, time.Millisecond
	return c
}

// changed records a change of pod and wakes every waiting handler.
// Called with f.mu held.
func (f *fakeServer) changedLocked(p *fakePod, typ string) {
	f.rv++
	f.events = append(f.events, fakeEvent{rv: f.rv, typ: typ, pod: f.podJSONLocked(p, time.Time{})})
	close(f.wake)
	f.wake = make(chan struct{})
}

// addPod adds a pod with running containers (init containers terminated)
// on a node; change it with the other methods.
func (f *fakeServer) addPod(name string, labels map[string]string, regular []string, init ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := &fakePod{name: name, uid: "uid-" + name + "-" + strconv.Itoa(f.rv), labels: labels, node: "node-1", phase: "Running"}
	for _, c := range init {
		p.init = append(p.init, &fakeContainer{name: c, state: "terminated", id: "cri://" + name + "-" + c + "-0"})
	}
	for _, c := range regular {
		p.regular = append(p.regular, &fakeContainer{name: c, state: "running", id: "cri://" + name + "-" + c + "-0"})
	}
	f.pods[name] = p
	f.changedLocked(p, "ADDED")
}

// update changes a pod under the lock and publishes the change.
func (f *fakeServer) update(name string, change func(p *fakePod)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.pods[name]
	require.NotNil(f.t, p, "no pod %s", name)
	change(p)
	typ := "MODIFIED"
	if p.deleted {
		typ = "DELETED"
		delete(f.pods, name)
	}
	f.changedLocked(p, typ)
}

func (p *fakePod) container(name string) *fakeContainer {
	for _, c := range append(slices.Clone(p.init), p.regular...) {
		if c.name == name {
			return c
		}
	}
	return nil
}

// log appends lines to a container's log, stamped at.
func (f *fakeServer) log(pod, container string, at time.Time, texts ...string) {
	f.update(pod, func(p *fakePod) {
		c := p.container(container)
		for _, s := range texts {
			c.lines = append(c.lines, fakeLine{at: at, text: s})
		}
	})
}

// stop terminates a container.
func (f *fakeServer) stop(pod, container string) {
	f.update(pod, func(p *fakePod) {
		c := p.container(container)
		c.state, c.stopped = "terminated", time.Now()
	})
}

// restart starts a new instance of a container, with an empty log.
func (f *fakeServer) restart(pod, container string) {
	f.update(pod, func(p *fakePod) {
		c := p.container(container)
		c.restarts++
		c.previous, c.lines = c.lines, nil
		c.state, c.id = "running", fmt.Sprintf("cri://%s-%s-%d", pod, container, c.restarts)
	})
}

// podJSONLocked renders a pod as the API server would. Containers that
// stopped less than statusLag before now still show as running.
func (f *fakeServer) podJSONLocked(p *fakePod, now time.Time) []byte {
	spec := func(cs []*fakeContainer) []any {
		var out []any
		for _, c := range cs {
			out = append(out, map[string]any{"name": c.name, "image": "busybox"})
		}
		return out
	}
	statuses := func(cs []*fakeContainer) []any {
		var out []any
		for _, c := range cs {
			st := map[string]any{"name": c.name, "restartCount": c.restarts}
			state := c.state
			if state == "terminated" && !now.IsZero() && now.Sub(c.stopped) < f.statusLag {
				state = "running"
			}
			switch state {
			case "waiting":
				st["state"] = map[string]any{"waiting": map[string]any{"reason": c.reason}}
			case "running":
				st["state"] = map[string]any{"running": map[string]any{"startedAt": "2026-01-01T00:00:00Z"}}
			case "terminated":
				st["state"] = map[string]any{"terminated": map[string]any{"exitCode": 0, "containerID": c.id}}
			}
			if c.id != "" {
				st["containerID"] = c.id
			}
			if c.restarts > 0 {
				st["lastState"] = map[string]any{"terminated": map[string]any{"exitCode": 1}}
			}
			out = append(out, st)
		}
		return out
	}
	status := map[string]any{"phase": p.phase}
	if p.node != "" {
		status["containerStatuses"] = statuses(p.regular)
		if len(p.init) > 0 {
			status["initContainerStatuses"] = statuses(p.init)
		}
	}
	specm := map[string]any{"containers": spec(p.regular)}
	if len(p.init) > 0 {
		specm["initContainers"] = spec(p.init)
	}
	if p.node != "" {
		specm["nodeName"] = p.node
	}
	labels := map[string]any{}
	for k, v := range p.labels {
		labels[k] = v
	}
	b, err := json.Marshal(map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": p.name, "namespace": fakeNS, "uid": p.uid, "labels": labels, "resourceVersion": strconv.Itoa(f.rv)},
		"spec":     specm,
		"status":   status,
	})
	require.NoError(f.t, err)
	return b
}

func writeStatus(w http.ResponseWriter, code int, reason, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{},
		"status": "Failure", "message": message, "reason": reason, "code": code,
	})
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v1/namespaces/"+fakeNS+"/pods")
	if !ok || r.Method != http.MethodGet {
		writeStatus(w, http.StatusNotFound, "NotFound", "the server could not find the requested resource")
		return
	}
	parts := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	switch {
	case rest == "" && r.URL.Query().Get("watch") == "true":
		f.watch(w, r)
	case rest == "":
		f.list(w, r)
	case len(parts) == 1:
		f.mu.Lock()
		p := f.pods[parts[0]]
		var body []byte
		if p != nil {
			body = f.podJSONLocked(p, time.Now())
		}
		f.mu.Unlock()
		if p == nil {
			writeStatus(w, http.StatusNotFound, "NotFound", fmt.Sprintf("pods %q not found", parts[0]))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	case len(parts) == 2 && parts[1] == "log":
		f.logs(w, r, parts[0])
	default:
		writeStatus(w, http.StatusNotFound, "NotFound", "the server could not find the requested resource")
	}
}

// selects reports whether p matches the request's selectors.
func selects(r *http.Request, p []byte) bool {
	var obj struct {
		Metadata struct {
			Name   string            `json:"name"`
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
	}
	_ = json.Unmarshal(p, &obj)
	sel, err := labels.Parse(r.URL.Query().Get("labelSelector"))
	if err != nil || !sel.Matches(labels.Set(obj.Metadata.Labels)) {
		return false
	}
	if fs := r.URL.Query().Get("fieldSelector"); fs != "" {
		return fs == "metadata.name="+obj.Metadata.Name
	}
	return true
}

func (f *fakeServer) list(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	var items []json.RawMessage
	for _, p := range f.pods {
		if b := f.podJSONLocked(p, time.Now()); selects(r, b) {
			items = append(items, b)
		}
	}
	rv := f.rv
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"apiVersion": "v1", "kind": "PodList",
		"metadata": map[string]any{"resourceVersion": strconv.Itoa(rv)},
		"items":    items,
	})
}

func (f *fakeServer) watch(w http.ResponseWriter, r *http.Request) {
	from, _ := strconv.Atoi(r.URL.Query().Get("resourceVersion"))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	for {
		f.mu.Lock()
		var send []fakeEvent
		for _, ev := range f.events {
			if ev.rv > from && selects(r, ev.pod) {
				send = append(send, ev)
			}
		}
		if n := len(f.events); n > 0 {
			from = max(from, f.events[n-1].rv)
		}
		wake := f.wake
		f.mu.Unlock()
		for _, ev := range send {
			fmt.Fprintf(w, `{"type":%q,"object":%s}`+"\n", ev.typ, ev.pod)
		}
		w.(http.Flusher).Flush()
		select {
		case <-wake:
		case <-r.Context().Done():
			return
		}
	}
}

// logs serves pods/NAME/log as the API server and kubelet do.
func (f *fakeServer) logs(w http.ResponseWriter, r *http.Request, name string) {
	q := r.URL.Query()
	f.mu.Lock()
	f.logQueries = append(f.logQueries, q)
	n := len(f.logQueries)
	cut := f.cut
	p := f.pods[name]
	f.mu.Unlock()
	if p == nil {
		writeStatus(w, http.StatusNotFound, "NotFound", fmt.Sprintf("pods %q not found", name))
		return
	}

	// The API server: which container, and where it runs.
	f.mu.Lock()
	cname := q.Get("container")
	if cname == "" {
		switch len(p.regular) {
		case 1:
			cname = p.regular[0].name
		case 0:
			f.mu.Unlock()
			writeStatus(w, http.StatusBadRequest, "BadRequest", "a container name must be specified for pod "+name)
			return
		default:
			var names []string
			for _, c := range append(slices.Clone(p.init), p.regular...) {
				names = append(names, c.name)
			}
			f.mu.Unlock()
			writeStatus(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("a container name must be specified for pod %s, choose one of: %v", name, names))
			return
		}
	}
	c := p.container(cname)
	node := p.node
	f.mu.Unlock()
	if c == nil {
		writeStatus(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("container %s is not valid for pod %s", cname, name))
		return
	}
	if node == "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}

	// The kubelet.
	f.mu.Lock()
	previous := q.Get("previous") == "true"
	var kubeletErr string
	switch {
	case previous && c.restarts == 0:
		kubeletErr = fmt.Sprintf("previous terminated container %q in pod %q not found", cname, name)
	case !previous && c.state == "waiting" && c.id == "":
		kubeletErr = fmt.Sprintf("container %q in pod %q is waiting to start: %s", cname, name, c.reason)
	}
	id := c.id
	f.mu.Unlock()
	if kubeletErr != "" {
		writeStatus(w, http.StatusBadRequest, "BadRequest", kubeletErr)
		return
	}

	follow := q.Get("follow") == "true" && !previous
	stamps := q.Get("timestamps") == "true"
	var since time.Time
	if s := q.Get("sinceTime"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		require.NoError(f.t, err)
		require.Equal(f.t, t, t.Truncate(time.Second), "the API server sends sinceTime in whole seconds")
		since = t
	}
	if s := q.Get("sinceSeconds"); s != "" {
		secs, _ := strconv.Atoi(s)
		since = time.Now().Add(-time.Duration(secs) * time.Second)
	}
	limit := -1
	if s := q.Get("limitBytes"); s != "" {
		limit, _ = strconv.Atoi(s)
	}
	cutAfter, reset := -1, false
	if cut != nil {
		cutAfter, reset = cut(n)
	}

	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	written := 0
	// write sends b, honouring limitBytes and the injected cut; false
	// ends the response.
	write := func(b []byte) bool {
		if limit >= 0 && written+len(b) > limit {
			b = b[:limit-written]
		}
		if cutAfter >= 0 && written+len(b) >= cutAfter {
			_, _ = w.Write(b[:cutAfter-written])
			w.(http.Flusher).Flush()
			if reset {
				panic(http.ErrAbortHandler)
			}
			return false
		}
		_, _ = w.Write(b)
		written += len(b)
		return limit < 0 || written < limit
	}
	line := func(l fakeLine) []byte {
		s := l.text + "\n"
		if l.partial {
			s = l.text
		}
		if stamps {
			s = l.at.UTC().Format(time.RFC3339Nano) + " " + s
		}
		return []byte(s)
	}

	f.mu.Lock()
	var lines []fakeLine
	if previous {
		lines = c.previous
	} else {
		lines = c.lines
	}
	var first []fakeLine
	for _, l := range lines {
		if since.IsZero() || !l.at.Before(since) {
			first = append(first, l)
		}
	}
	if s := q.Get("tailLines"); s != "" {
		tail, _ := strconv.Atoi(s)
		if tail < len(first) {
			first = first[len(first)-tail:]
		}
	}
	sent := len(lines)
	f.mu.Unlock()
	for _, l := range first {
		if !write(line(l)) {
			return
		}
	}
	w.(http.Flusher).Flush()
	for follow {
		f.mu.Lock()
		if c.id != id || f.pods[name] != p {
			f.mu.Unlock()
			return // the instance or the pod is gone
		}
		more := slices.Clone(c.lines[sent:])
		sent = len(c.lines)
		done := c.state != "running"
		wake := f.wake
		f.mu.Unlock()
		for _, l := range more {
			if !write(line(l)) {
				return
			}
			w.(http.Flusher).Flush()
		}
		if done {
			return
		}
		select {
		case <-wake:
		case <-r.Context().Done():
			return
		}
	}
}

// queries returns the log requests' queries so far.
func (f *fakeServer) queries() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.logQueries)
}

// readAll reads r to its end in a goroutine bounded by 20 seconds.
func readAll(t testing.TB, r interface{ Read([]byte) (int, error) }) (string, error) {
	t.Helper()
	type result struct {
		s   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		var b strings.Builder
		buf := make([]byte, 7) // small reads cut lines anywhere
		for {
			n, err := r.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				done <- result{b.String(), err}
				return
			}
		}
	}()
	select {
	case res := <-done:
		return res.s, res.err
	case <-time.After(20 * time.Second):
		t.Fatal("the stream did not end within 20s")
		return "", nil
	}
}

// ctx is a context for a test, bounded by 30 seconds.
func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}
