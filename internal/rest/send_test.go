package rest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// dropConnection ends the exchange without any response.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if !assert.NoError(t, err) {
		return
	}
	_ = conn.Close()
}

func TestDoReturnsBodyAndMetadata(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Thing", "1")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"kind":"ConfigMap"}`)
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	res := c.Post().AbsPath("/x").Body([]byte("{}")).Do(context.Background())
	body, err := res.Raw()
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"ConfigMap"}`, string(body))
	assert.Equal(t, http.StatusCreated, res.StatusCode())
	assert.Equal(t, "application/json", res.ContentType())
	assert.Equal(t, "1", res.Header().Get("X-Thing"))
}

func TestDoReadsGzipAndChunkedBodies(t *testing.T) {
	payload := strings.Repeat(`{"a":"b"},`, 10000)
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		// No Content-Length: chunked, exercising readAll's unsized path.
		for i := 0; i < len(payload); i += 4096 {
			_, _ = io.WriteString(w, payload[i:min(i+4096, len(payload))])
			w.(http.Flusher).Flush()
		}
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	body, err := c.Get().AbsPath("/x").Do(context.Background()).Raw()
	require.NoError(t, err)
	assert.Equal(t, payload, string(body))
}

func TestRetryAfter429ThenSuccess(t *testing.T) {
	srv := newCountingServer(t, nil)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if srv.hits.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, "{}")
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	c.retryAfterUnit = time.Second // honour the real second here

	start := time.Now()
	res := c.Get().AbsPath("/x").Do(context.Background())
	require.NoError(t, res.Error())
	assert.Equal(t, int32(2), srv.hits.Load())
	assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "Retry-After: 1 must be waited out")
}

func TestRetryAfterIsCapped(t *testing.T) {
	srv := newCountingServer(t, nil)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if srv.hits.Add(1) == 1 {
			w.Header().Set("Retry-After", "86400")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	c.retryAfterUnit = time.Second
	c.retryAfterMax = 50 * time.Millisecond

	start := time.Now()
	require.NoError(t, c.Get().AbsPath("/x").Do(context.Background()).Error())
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestServiceUnavailableStormIsBounded(t *testing.T) {
	for _, tc := range []struct {
		name       string
		retryAfter string
		maxRetries int
		want       int32
	}{
		{"with Retry-After", "0", -1, DefaultMaxRetries + 1},
		{"without Retry-After", "", -1, DefaultMaxRetries + 1},
		{"custom bound", "0", 2, 3},
		{"retries off", "0", 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				w.WriteHeader(http.StatusServiceUnavailable)
			})
			c := newTestClient(t, Settings{Host: srv.URL})
			req := c.Get().AbsPath("/x")
			if tc.maxRetries >= 0 {
				req.MaxRetries(tc.maxRetries)
			}
			err := req.Do(context.Background()).Error()
			require.True(t, apierrors.IsServiceUnavailable(err), "%v", err)
			assert.Equal(t, tc.want, srv.hits.Load())
			if tc.want > 1 {
				assert.Contains(t, err.Error(), fmt.Sprintf("gave up after %d attempts", tc.want))
			}
		})
	}
}

func TestWhichStatusesAreRetried(t *testing.T) {
	for _, tc := range []struct {
		verb       string
		code       int
		retryAfter bool
		want       int32
	}{
		{"GET", 429, false, 2},
		{"POST", 429, true, 2},
		{"PATCH", 429, false, 2},
		{"GET", 503, false, 2},
		{"POST", 503, true, 2},
		{"POST", 503, false, 1},
		{"GET", 504, false, 2},
		{"POST", 504, true, 1},
		{"DELETE", 504, false, 1},
		{"GET", 500, false, 1},
		{"GET", 500, true, 2},
		{"PUT", 500, true, 1},
		{"GET", 502, true, 2},
		{"GET", 404, true, 1},
		{"GET", 409, false, 1},
	} {
		t.Run(fmt.Sprintf("%s %d retry-after=%v", tc.verb, tc.code, tc.retryAfter), func(t *testing.T) {
			srv := newCountingServer(t, nil)
			srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				if srv.hits.Add(1) > 1 {
					return
				}
				if tc.retryAfter {
					w.Header().Set("Retry-After", "0")
				}
				w.WriteHeader(tc.code)
			})
			c := newTestClient(t, Settings{Host: srv.URL})
			err := c.Verb(tc.verb).AbsPath("/x").Body([]byte("{}")).Do(context.Background()).Error()
			assert.Equal(t, tc.want, srv.hits.Load())
			if tc.want == 2 {
				assert.NoError(t, err)
			} else {
				var se *apierrors.StatusError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, int32(tc.code), se.ErrStatus.Code)
			}
		})
	}
}

func TestRetryReplaysBody(t *testing.T) {
	var bodies []string
	srv := newCountingServer(t, nil)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		if srv.hits.Add(1) == 1 {
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	require.NoError(t, c.Post().AbsPath("/x").BodyReader(strings.NewReader("payload")).Do(context.Background()).Error())
	assert.Equal(t, []string{"payload", "payload"}, bodies)
}

func TestConnectionDroppedBeforeResponseIsRetriedForGET(t *testing.T) {
	srv := newCountingServer(t, nil)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if srv.hits.Add(1) == 1 {
			dropConnection(t, w)
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	body, err := c.Get().AbsPath("/x").Do(context.Background()).Raw()
	require.NoError(t, err)
	assert.Equal(t, `{"ok":true}`, string(body))
	assert.Equal(t, int32(2), srv.hits.Load())
}

func TestConnectionDroppedMidBodyIsRetriedForGET(t *testing.T) {
	srv := newCountingServer(t, nil)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if srv.hits.Add(1) == 1 {
			conn, buf, err := http.NewResponseController(w).Hijack()
			if !assert.NoError(t, err) {
				return
			}
			// Promise 100 bytes, send 10, hang up.
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"items\":[")
			_ = buf.Flush()
			_ = conn.Close()
			return
		}
		_, _ = io.WriteString(w, `{"items":[]}`)
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	res := c.Get().AbsPath("/x").Do(context.Background())
	require.NoError(t, res.Error())
	body, _ := res.Raw()
	assert.Equal(t, `{"items":[]}`, string(body), "no piece of the broken body may leak into the result")
	assert.Equal(t, int32(2), srv.hits.Load())
}

func TestConnectionDropNotRetriedWhenRetriesOff(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { dropConnection(t, w) })
	c := newTestClient(t, Settings{Host: srv.URL})
	err := c.Get().AbsPath("/x").MaxRetries(0).Do(context.Background()).Error()
	require.Error(t, err)
	assert.True(t, connectionLost(err), "%v", err)
	assert.Equal(t, int32(1), srv.hits.Load(), "net/http must not retry on its own either")
}

func TestConnectionDropsExhaustRetries(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { dropConnection(t, w) })
	c := newTestClient(t, Settings{Host: srv.URL})
	err := c.Get().AbsPath("/x").MaxRetries(2).Do(context.Background()).Error()
	require.ErrorContains(t, err, "gave up after 3 attempts")
	assert.ErrorIs(t, err, io.EOF)
	assert.Equal(t, int32(3), srv.hits.Load())
}

func TestWritesWithSentBodyAreNeverRetried(t *testing.T) {
	for _, verb := range []string{"POST", "PATCH", "PUT", "DELETE"} {
		t.Run(verb, func(t *testing.T) {
			var got atomic.Value
			srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				got.Store(string(b))
				dropConnection(t, w)
			})
			c := newTestClient(t, Settings{Host: srv.URL})
			err := c.Verb(verb).AbsPath("/x").Body([]byte(`{"create":"me"}`)).Do(context.Background()).Error()
			require.Error(t, err)
			assert.Contains(t, err.Error(), verb+" "+srv.URL+"/x")
			assert.Equal(t, `{"create":"me"}`, got.Load(), "the server read the body")
			assert.Equal(t, int32(1), srv.hits.Load())
		})
	}
}

func TestRefusedConnectionFailsFast(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	url := srv.URL
	srv.Close()
	c := newTestClient(t, Settings{Host: url})
	c.backoffBase, c.backoffMax = time.Second, time.Second
	start := time.Now()
	err := c.Get().AbsPath("/x").Do(context.Background()).Error()
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "attempts")
	assert.Less(t, time.Since(start), 900*time.Millisecond)
}

func TestTimeoutCutsSlowGET(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	c := newTestClient(t, Settings{Host: srv.URL, Timeout: 100 * time.Millisecond})
	start := time.Now()
	err := c.Get().AbsPath("/x").Do(context.Background()).Error()
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorContains(t, err, "timed out after 100ms")
	assert.Less(t, time.Since(start), 3*time.Second)
}

func TestTimeoutBoundsRetryWaits(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c := newTestClient(t, Settings{Host: srv.URL, Timeout: 100 * time.Millisecond})
	c.retryAfterUnit = time.Second
	start := time.Now()
	err := c.Get().AbsPath("/x").Do(context.Background()).Error()
	assert.True(t, apierrors.IsTooManyRequests(err), "a wait past the deadline is not started: %v", err)
	assert.ErrorContains(t, err, "not retried: the wait of 5s asked for would pass the request's deadline")
	assert.Less(t, time.Since(start), time.Second)
	assert.Equal(t, int32(1), srv.hits.Load())

	// A wait that fits is taken, and the deadline still ends it.
	c.retryAfterUnit = 10 * time.Millisecond // Retry-After 5 = 50ms
	c.timeout = 400 * time.Millisecond
	start = time.Now()
	err = c.Get().AbsPath("/x").Do(context.Background()).Error()
	assert.True(t, apierrors.IsTooManyRequests(err), "%v", err)
	assert.GreaterOrEqual(t, srv.hits.Load(), int32(3))
	assert.Less(t, time.Since(start), time.Second)
}

// streamingServer sends three lines 150ms apart.
func streamingServer(t *testing.T) *countingServer {
	return newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for i := range 3 {
			if i > 0 {
				time.Sleep(150 * time.Millisecond)
			}
			_, _ = fmt.Fprintf(w, "{\"n\":%d}\n", i)
			w.(http.Flusher).Flush()
		}
	})
}

func TestLongRunningStreamOutlivesTimeouts(t *testing.T) {
	srv := streamingServer(t)
	cfg := Settings{Host: srv.URL, Timeout: 100 * time.Millisecond}
	// The http.Client.Timeout trap: client-go users pass clients with one.
	c, err := New(cfg, &http.Client{Timeout: 100 * time.Millisecond})
	require.NoError(t, err)

	body, hdr, err := c.Get().AbsPath("/watch").LongRunning().Stream(context.Background())
	require.NoError(t, err)
	defer body.Close()
	assert.Equal(t, "application/json", hdr.Get("Content-Type"))
	all, err := io.ReadAll(body)
	require.NoError(t, err)
	assert.Equal(t, "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n", string(all))
}

func TestTimeoutCutsStreamNotMarkedLongRunning(t *testing.T) {
	srv := streamingServer(t)
	c := newTestClient(t, Settings{Host: srv.URL, Timeout: 100 * time.Millisecond})
	body, _, err := c.Get().AbsPath("/watch").Stream(context.Background())
	require.NoError(t, err)
	defer body.Close()
	_, err = io.ReadAll(body)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestStreamEndsWithContext(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	ctx, cancel := context.WithCancel(context.Background())
	body, _, err := c.Get().AbsPath("/watch").LongRunning().Stream(ctx)
	require.NoError(t, err)
	defer body.Close()
	line, err := bufio.NewReader(body).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "first\n", line)

	time.AfterFunc(50*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() { _, err := io.ReadAll(body); done <- err }()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(5 * time.Second):
		t.Fatal("stream did not end with its context")
	}
}

func TestStreamErrorStatus(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusGone)
		_, _ = io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410,"message":"too old resource version"}`)
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	body, hdr, err := c.Get().AbsPath("/watch").LongRunning().Stream(context.Background())
	assert.Nil(t, body)
	assert.Nil(t, hdr)
	assert.True(t, apierrors.IsResourceExpired(err), "%v", err)
}

func TestCancelEndsRetryAfterWait(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "10")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	c.retryAfterUnit = time.Second

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := c.Get().AbsPath("/x").Do(ctx).Error()
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotContains(t, err.Error(), "timed out")
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Equal(t, int32(1), srv.hits.Load())
}

func TestCancelledContextSendsNothing(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c := newTestClient(t, Settings{Host: srv.URL})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.Get().AbsPath("/x").Do(ctx).Error()
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, srv.hits.Load())
}

func TestTransportErrorNamesRequest(t *testing.T) {
	c := newTestClient(t, Settings{Host: "http://127.0.0.1:1"})
	err := c.Get().AbsPath("/version").Do(context.Background()).Error()
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "GET http://127.0.0.1:1/version: "), err.Error())
	var ue interface{ Timeout() bool }
	assert.True(t, errors.As(err, &ue), "the net error stays reachable")
}

// endless writes a list body that never ends, gzipped when asked, until the
// client goes away; it reports how many bytes it wrote before that.
func endless(gz bool, wrote *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		var out io.Writer = w
		if gz {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			defer zw.Close()
			out = zw
		}
		chunk := []byte(strings.Repeat(`{"kind":"ConfigMap","data":{"k":"vvvvvvvvvvvvvvvv"}},`, 1200))
		_, _ = io.WriteString(out, `{"kind":"ConfigMapList","items":[`)
		for r.Context().Err() == nil {
			n, err := out.Write(chunk)
			wrote.Add(int64(n))
			if err != nil {
				return
			}
		}
	}
}

// An endless 2xx body stops at the limit with a typed error, and what the
// read allocated stays within a small multiple of the limit, whether the
// body is chunked or gzipped (the limit counts decompressed bytes), read
// into a fresh buffer (Do) or a pooled one (DoDecode). It is not retried.
func TestEndlessBodyStopsAtTheLimit(t *testing.T) {
	const limit = 8 << 20
	for _, gz := range []bool{false, true} {
		for _, pooled := range []bool{false, true} {
			t.Run(fmt.Sprintf("gzip=%v,pooled=%v", gz, pooled), func(t *testing.T) {
				var wrote atomic.Int64
				srv := newCountingServer(t, endless(gz, &wrote))
				c := newTestClient(t, Settings{Host: srv.URL, MaxBody: limit})
				req := c.Get().AbsPath("/api/v1/configmaps").Param("labelSelector", "token=QUERY-SECRET")

				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				var err error
				if pooled {
					err = req.DoDecode(context.Background(), func([]byte, string) error {
						t.Error("decode must not be called")
						return nil
					})
				} else {
					err = req.Do(context.Background()).Error()
				}
				runtime.ReadMemStats(&after)

				var tl *ResponseTooLargeError
				require.True(t, errors.As(err, &tl), "%v", err)
				assert.Equal(t, ResponseTooLargeError{Method: "GET", Path: "/api/v1/configmaps", Limit: limit, ContentLength: -1}, *tl)
				assert.NotContains(t, err.Error(), "QUERY-SECRET")
				assert.Contains(t, err.Error(), "GET /api/v1/configmaps: the response body grew past the limit of 8388608 bytes")
				allocated := after.TotalAlloc - before.TotalAlloc
				assert.Less(t, allocated, uint64(4*limit), "allocated %d bytes for a limit of %d", allocated, limit)
				assert.Equal(t, int32(1), srv.hits.Load(), "a body too large is not asked for again")
				t.Logf("allocated %.1f MiB; the server wrote %.1f MiB before the client hung up", float64(allocated)/(1<<20), float64(wrote.Load())/(1<<20))
			})
		}
	}
}

// A Content-Length above the limit fails before the body is read.
func TestAnnouncedBodyAboveTheLimitIsNotRead(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5000")
		_, _ = w.Write(bytes.Repeat([]byte("x"), 5000))
	})
	c := newTestClient(t, Settings{Host: srv.URL, MaxBody: 4096})
	err := c.Get().AbsPath("/x").Do(context.Background()).Error()
	var tl *ResponseTooLargeError
	require.True(t, errors.As(err, &tl), "%v", err)
	assert.Equal(t, int64(5000), tl.ContentLength)
	assert.EqualError(t, err, "GET /x: the response body of 5000 bytes is larger than the limit of 4096 bytes (Config.MaxResponseBytes)")

	// Exactly at the limit is fine, sized or not.
	body, err := c.Get().AbsPath("/x").MaxResponseBytes(5000).Do(context.Background()).Raw()
	require.NoError(t, err)
	assert.Len(t, body, 5000)
}

func TestMaxResponseBytesOverridesAndDefaults(t *testing.T) {
	payload := strings.Repeat("y", 10<<10)
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		// Chunked, so only the read can tell the size.
		_, _ = io.WriteString(w, payload[:1])
		w.(http.Flusher).Flush()
		_, _ = io.WriteString(w, payload[1:])
	})
	ctx := context.Background()
	small := newTestClient(t, Settings{Host: srv.URL, MaxBody: 1 << 10})
	var tl *ResponseTooLargeError
	assert.ErrorAs(t, small.Get().AbsPath("/x").Do(ctx).Error(), &tl)
	body, err := small.Get().AbsPath("/x").MaxResponseBytes(-1).Do(ctx).Raw()
	require.NoError(t, err, "a negative override removes the limit")
	assert.Len(t, body, len(payload))
	require.NoError(t, small.Get().AbsPath("/x").MaxResponseBytes(len64(payload)).Do(ctx).Error())
	assert.ErrorAs(t, small.Get().AbsPath("/x").MaxResponseBytes(-1).MaxResponseBytes(0).Do(ctx).Error(), &tl, "zero goes back to the Config's")

	// Streams (watches) are bounded by their reader, not by the limit.
	rc, _, err := small.Get().AbsPath("/x").Stream(ctx)
	require.NoError(t, err)
	streamed, err := io.ReadAll(rc)
	rc.Close()
	require.NoError(t, err)
	assert.Len(t, streamed, len(payload))

	// (The Config's default and negative values are turned into MaxBody
	// by package anykube: TestMaxResponseBytesSettings.)
	unlimited := newTestClient(t, Settings{Host: srv.URL})
	assert.Zero(t, unlimited.maxBody)
	require.NoError(t, unlimited.Get().AbsPath("/x").Do(ctx).Error())
}

func len64(s string) int64 { return int64(len(s)) }

// A 2xx body that breaks off the same way on every try is asked for twice,
// not DefaultMaxRetries+1 times; a corrupt gzip stream is not asked for
// again at all.
func TestBrokenBodiesAreRetriedAtMostOnce(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(bytes.Repeat([]byte(`{"kind":"ConfigMap"},`), 5000))
	require.NoError(t, zw.Close())
	truncated := gz.Bytes()[:gz.Len()/2]
	corrupt := append(append([]byte{}, gz.Bytes()[:10]...), bytes.Repeat([]byte{0xff}, 64)...)

	for _, tc := range []struct {
		name     string
		serve    func(t *testing.T, w http.ResponseWriter)
		attempts int32
		wantErr  error
	}{
		{"shorter than Content-Length", func(t *testing.T, w http.ResponseWriter) {
			conn, buf, err := http.NewResponseController(w).Hijack()
			if !assert.NoError(t, err) {
				return
			}
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"items\":[")
			_ = buf.Flush()
			_ = conn.Close()
		}, 2, io.ErrUnexpectedEOF},
		{"truncated gzip", func(t *testing.T, w http.ResponseWriter) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Length", fmt.Sprint(len(truncated)))
			_, _ = w.Write(truncated)
		}, 2, io.ErrUnexpectedEOF},
		{"corrupt gzip", func(t *testing.T, w http.ResponseWriter) {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(corrupt)
		}, 1, nil},
	} {
		for _, pooled := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/pooled=%v", tc.name, pooled), func(t *testing.T) {
				srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { tc.serve(t, w) })
				c := newTestClient(t, Settings{Host: srv.URL})
				var err error
				if pooled {
					err = c.Get().AbsPath("/x").DoDecode(context.Background(), func([]byte, string) error { return nil })
				} else {
					err = c.Get().AbsPath("/x").Do(context.Background()).Error()
				}
				require.Error(t, err)
				assert.Contains(t, err.Error(), "reading the response body")
				if tc.wantErr != nil {
					assert.ErrorIs(t, err, tc.wantErr)
				}
				assert.Equal(t, tc.attempts, srv.hits.Load(), "%v", err)
			})
		}
	}
}
