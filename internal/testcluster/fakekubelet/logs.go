package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	internalapi "k8s.io/cri-api/pkg/apis"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	crilogs "k8s.io/cri-client/pkg/logs"
)

// logFiles are the container logs, in the CRI log format a container
// runtime writes and the kubelet reads.
type logFiles struct {
	static, previous, tickerPath string
	ticker                       string // the ticker container's name
	pods                         *podStates
}

// newLogFiles writes the static and previous logs into dir and creates the
// ticker log. Static line i is stamped (lines-i) seconds before stamp.
func newLogFiles(dir string, stamp time.Time, static, previous int, ticker string, pods *podStates) (*logFiles, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	l := &logFiles{
		static:     filepath.Join(dir, "static.log"),
		previous:   filepath.Join(dir, "previous.log"),
		tickerPath: filepath.Join(dir, "ticker.log"),
		ticker:     ticker,
		pods:       pods,
	}
	var b bytes.Buffer
	for i := 1; i <= static; i++ {
		criLine(&b, stamp.Add(-time.Duration(static-i)*time.Second), fmt.Sprintf("static log line %03d", i))
	}
	if err := os.WriteFile(l.static, b.Bytes(), 0o644); err != nil {
		return nil, err
	}
	b.Reset()
	for i := 1; i <= previous; i++ {
		criLine(&b, stamp.Add(-time.Hour+time.Duration(i)*time.Second), fmt.Sprintf("previous log line %d", i))
	}
	if err := os.WriteFile(l.previous, b.Bytes(), 0o644); err != nil {
		return nil, err
	}
	return l, os.WriteFile(l.tickerPath, nil, 0o644)
}

// criLine appends one full stdout line in the CRI log format.
func criLine(b *bytes.Buffer, t time.Time, text string) {
	b.WriteString(t.UTC().Format(time.RFC3339Nano))
	b.WriteString(" stdout F ")
	b.WriteString(text)
	b.WriteByte('\n')
}

// tick appends "tick N" to the ticker log every interval until ctx ends.
func (l *logFiles) tick(ctx context.Context, every time.Duration) {
	f, err := os.OpenFile(l.tickerPath, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fakekubelet: ticker: %v\n", err)
		return
	}
	defer f.Close()
	t := time.NewTicker(every)
	defer t.Stop()
	var b bytes.Buffer
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			b.Reset()
			criLine(&b, now, "tick "+strconv.Itoa(n))
			if _, err := f.Write(b.Bytes()); err != nil {
				fmt.Fprintf(os.Stderr, "fakekubelet: ticker: %v\n", err)
				return
			}
		}
	}
}

// followTicker writes the text of every ticker line appended from now on
// to w, until ctx ends or w fails.
func (l *logFiles) followTicker(ctx context.Context, w io.Writer) error {
	f, err := os.Open(l.tickerPath)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		return err
	}
	rd := bufio.NewReader(f)
	var partial []byte
	for {
		line, err := rd.ReadBytes('\n')
		partial = append(partial, line...)
		if err == io.EOF {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(20 * time.Millisecond):
			}
			continue
		}
		if err != nil {
			return err
		}
		// "<time> stdout F <text>\n": the text is after the third space.
		text := partial
		for i := 0; i < 3; i++ {
			if j := bytes.IndexByte(text, ' '); j >= 0 {
				text = text[j+1:]
			}
		}
		partial = partial[:0]
		if _, err := w.Write(text); err != nil {
			return err
		}
	}
}

// serveLogs answers the kubelet's containerLogs call with the options of
// the API server's PodLogOptions, read by the kubelet's own log reader.
func (k *kubelet) serveLogs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	opts := &crilogs.LogOptions{Follow: q.Get("follow") == "true", Timestamp: q.Get("timestamps") == "true"}
	for _, p := range []struct {
		name string
		into **int64
	}{{"tailLines", &opts.TailLines}, {"limitBytes", &opts.LimitBytes}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				http.Error(w, fmt.Sprintf("bad %s %q", p.name, v), http.StatusBadRequest)
				return
			}
			*p.into = &n
		}
	}
	if v := q.Get("sinceSeconds"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			http.Error(w, fmt.Sprintf("bad sinceSeconds %q", v), http.StatusBadRequest)
			return
		}
		opts.Since = time.Now().Add(-time.Duration(n) * time.Second)
	}
	if v := q.Get("sinceTime"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			http.Error(w, fmt.Sprintf("bad sinceTime %q", v), http.StatusBadRequest)
			return
		}
		if t.After(opts.Since) {
			opts.Since = t
		}
	}
	container := r.PathValue("container")
	path := k.logs.static
	switch {
	case q.Get("previous") == "true":
		path = k.logs.previous
	case container == k.logs.ticker:
		path = k.logs.tickerPath
	}
	w.Header().Set("Content-Type", "text/plain")
	fw := flushWriter{w: w}
	if f, ok := w.(http.Flusher); ok {
		fw.f = f
	}
	id := r.PathValue("namespace") + "/" + r.PathValue("pod") + "/" + container
	if err := crilogs.ReadLogs(r.Context(), path, id, opts, runtimeState{pods: k.logs.pods}, fw, fw); err != nil && r.Context().Err() == nil {
		fmt.Fprintf(os.Stderr, "fakekubelet: logs of %s: %v\n", id, err)
	}
}

// flushWriter sends every write to the client at once, so that a followed
// log line arrives when it is written.
type flushWriter struct {
	w io.Writer
	f http.Flusher
}

func (fw flushWriter) Write(p []byte) (int, error) {
	n, err := fw.w.Write(p)
	if fw.f != nil {
		fw.f.Flush()
	}
	return n, err
}

// runtimeState answers the log reader's one question to the container
// runtime, whether the followed container still runs, from the pod's
// status in the API server.
type runtimeState struct {
	internalapi.RuntimeService
	pods *podStates
}

func (s runtimeState) ContainerStatus(ctx context.Context, id string, verbose bool) (*runtimeapi.ContainerStatusResponse, error) {
	parts := strings.SplitN(id, "/", 3)
	if s.pods == nil || len(parts) != 3 {
		// The reader takes Unavailable as "still running".
		return nil, status.Error(codes.Unavailable, "pod state unknown")
	}
	ended, err := s.pods.ended(ctx, parts[0], parts[1], parts[2])
	if err != nil {
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	state := runtimeapi.ContainerState_CONTAINER_RUNNING
	if ended {
		state = runtimeapi.ContainerState_CONTAINER_EXITED
	}
	return &runtimeapi.ContainerStatusResponse{Status: &runtimeapi.ContainerStatus{Id: id, State: state}}, nil
}
