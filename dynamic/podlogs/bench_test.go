package podlogs

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// logBlock is 64 KiB of log lines of about 100 bytes, stamped when
// stamped is set, as the server sends them.
func logBlock(stamped bool) []byte {
	var b strings.Builder
	at := t0
	for i := 0; b.Len() < 64<<10-200; i++ {
		if stamped {
			b.WriteString(at.Add(time.Duration(i) * time.Microsecond).Format(time.RFC3339Nano))
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "I1201 10:00:00.%06d 1 handler.go:42] GET /api/v1/items/%06d 200 OK in %dms user-agent=bench\n", i, i, i%97)
	}
	return []byte(b.String())
}

// bigLogServer serves one pod, "big", whose container has terminated
// with a log of size bytes, written a 64 KiB block at a time.
func bigLogServer(b *testing.B, size int64) *httptest.Server {
	plain, stamped := logBlock(false), logBlock(true)
	pod := `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"big","namespace":"ns","uid":"u1","labels":{"app":"big"}},
		"spec":{"nodeName":"n","containers":[{"name":"app"}]},
		"status":{"phase":"Running","containerStatuses":[{"name":"app","containerID":"cri://1","state":{"terminated":{"exitCode":0}}}]}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/namespaces/ns/pods/big":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, pod)
		case "/api/v1/namespaces/ns/pods":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"1"},"items":[%s]}`, pod)
		case "/api/v1/namespaces/ns/pods/big/log":
			block := plain
			if r.URL.Query().Get("timestamps") == "true" {
				block = stamped
			}
			w.Header().Set("Content-Type", "text/plain")
			for n := int64(0); n < size; n += int64(len(block)) {
				if _, err := w.Write(block[:min(int64(len(block)), size-n)]); err != nil {
					return
				}
			}
		default:
			http.NotFound(w, r)
		}
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkStream1GB streams 1 GiB of log through each way of reading it,
// drained into a 32 KiB buffer, and reports the bytes allocated per MiB
// of log (B/MB), which must not grow with the log: memory is bounded
// whatever the size.
//
//   - plain: Stream without options, the bytes passed through;
//   - resume: Stream with Follow and Client.Resume, so the server is asked
//     for timestamps that the stream tracks and removes again;
//   - prefixed: StreamSelector with Prefix, the lines cut apart and
//     prefixed "[pod/big/app] ".
func BenchmarkStream1GB(b *testing.B) {
	const size = 1 << 30
	srv := bigLogServer(b, size)
	cases := []struct {
		name string
		open func(c *Client) (io.ReadCloser, error)
	}{
		{"plain", func(c *Client) (io.ReadCloser, error) {
			return c.Stream(context.Background(), "ns", "big", PodLogOptions{})
		}},
		{"resume", func(c *Client) (io.ReadCloser, error) {
			c.Resume = true
			return c.Stream(context.Background(), "ns", "big", PodLogOptions{Follow: true})
		}},
		{"prefixed", func(c *Client) (io.ReadCloser, error) {
			return c.StreamSelector(context.Background(), "ns", "app=big", Options{Prefix: true})
		}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			cfg := (&fakeServer{srv: srv}).config()
			c, err := NewForConfig(cfg)
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 32<<10)
			b.SetBytes(size)
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				r, err := tc.open(c)
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, buf)
				if err != nil || n < size/2 {
					b.Fatalf("read %d bytes: %v", n, err)
				}
				r.Close()
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(size>>20), "B/MB")
		})
	}
}
