package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	cgcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/anykube/anykube/dynamic/podlogs"
)

// LogBytes is the size of the pod log BenchmarkPodLogs streams.
const LogBytes = 256 << 20

// logServer serves the pod "big" in namespace "bench", whose container has
// terminated, with a log of size bytes of klog-style lines of about 100
// bytes, written 64 KiB at a time as a kubelet flushes them.
func logServer(t testing.TB, size int) *httptest.Server {
	var block strings.Builder
	for i := 0; block.Len() < 64<<10-200; i++ {
		fmt.Fprintf(&block, "I1201 10:00:00.%06d 1 handler.go:42] GET /api/v1/items/%06d 200 OK in %dms user-agent=bench\n", i, i, i%97)
	}
	b := []byte(block.String())
	pod := `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"big","namespace":"bench","uid":"u1"},
		"spec":{"nodeName":"n","containers":[{"name":"app"}]},
		"status":{"phase":"Running","containerStatuses":[{"name":"app","containerID":"cri://1","state":{"terminated":{"exitCode":0}}}]}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/namespaces/bench/pods/big":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, pod)
		case "/api/v1/namespaces/bench/pods/big/log":
			w.Header().Set("Content-Type", "text/plain")
			for n := 0; n < size; n += len(b) {
				if _, err := w.Write(b[:min(len(b), size-n)]); err != nil {
					return
				}
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// logReaders returns functions that open the pod's log with each library:
// anykube's podlogs.Stream and client-go's CoreV1().Pods().GetLogs().Stream.
func logReaders(t testing.TB, url string) (ak, cg func(follow bool) (io.ReadCloser, error)) {
	s := newSides(url, "", nil)
	akc, err := podlogs.NewForConfigAndClient(s.ak, s.akHTTP(t))
	if err != nil {
		t.Fatal(err)
	}
	cgc, err := cgcorev1.NewForConfigAndClient(s.cg, s.cgHTTP(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ak = func(follow bool) (io.ReadCloser, error) {
		return akc.Stream(ctx, "bench", "big", podlogs.PodLogOptions{Follow: follow})
	}
	cg = func(follow bool) (io.ReadCloser, error) {
		return cgc.Pods("bench").GetLogs("big", &corev1.PodLogOptions{Follow: follow}).Stream(ctx)
	}
	return ak, cg
}

// drainLog reads a log to its end through a 32 KiB buffer, as a program
// copying it to a file does, and returns its size.
func drainLog(t testing.TB, open func(follow bool) (io.ReadCloser, error), follow bool) int64 {
	r, err := open(follow)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	buf := make([]byte, 32<<10)
	var n int64
	for {
		m, err := r.Read(buf)
		n += int64(m)
		if err == io.EOF {
			return n
		}
		if err != nil {
			t.Fatalf("after %d bytes: %v", n, err)
		}
	}
}

// BenchmarkPodLogs streams a 256 MiB pod log through each library, drained
// through a 32 KiB buffer: "stream-256MiB" reads the whole log, "follow-
// 256MiB" follows it until the server ends it (anykube then reads the pod
// to tell a stopped container from a cut stream; client-go cannot tell).
// MB/s counts the log's bytes. TestLogsAgree checks that both libraries
// read the same bytes.
func BenchmarkPodLogs(b *testing.B) {
	ak, cg := logReaders(b, logServer(b, LogBytes).URL)
	for _, c := range []struct {
		name   string
		follow bool
	}{{"stream-256MiB", false}, {"follow-256MiB", true}} {
		b.Run(c.name, func(b *testing.B) {
			sideBytes(b, "anykube", nil, false, LogBytes, func(b *testing.B) {
				if n := drainLog(b, ak, c.follow); n != LogBytes {
					b.Fatalf("read %d bytes, want %d", n, LogBytes)
				}
			})
			sideBytes(b, "clientgo", nil, false, LogBytes, func(b *testing.B) {
				if n := drainLog(b, cg, c.follow); n != LogBytes {
					b.Fatalf("read %d bytes, want %d", n, LogBytes)
				}
			})
		})
	}
}

// TestLogsAgree checks that both libraries read the same log, on 1 MiB.
func TestLogsAgree(t *testing.T) {
	ak, cg := logReaders(t, logServer(t, 1<<20).URL)
	for _, follow := range []bool{false, true} {
		read := func(open func(bool) (io.ReadCloser, error)) string {
			r, err := open(follow)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		a, c := read(ak), read(cg)
		if len(a) != 1<<20 || a != c {
			t.Fatalf("follow=%t: anykube read %d bytes, client-go %d, equal: %t", follow, len(a), len(c), a == c)
		}
	}
}
