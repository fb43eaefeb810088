package rest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

func TestDoDecodeHandsOverBodyAndContentType(t *testing.T) {
	big := strings.Repeat(`{"a":"b"},`, 10000)
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;stream=watch")
		switch r.URL.Path {
		case "/sized":
			w.Header().Set("Content-Length", strconv.Itoa(len(big)))
			_, _ = io.WriteString(w, big)
		case "/chunked":
			for i := 0; i < len(big); i += 4096 {
				_, _ = io.WriteString(w, big[i:min(i+4096, len(big))])
				w.(http.Flusher).Flush()
			}
		case "/empty":
			w.WriteHeader(http.StatusOK)
		}
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	for path, want := range map[string]string{"/sized": big, "/chunked": big, "/empty": ""} {
		t.Run(path, func(t *testing.T) {
			calls := 0
			err := c.Get().AbsPath(path).DoDecode(context.Background(), func(body []byte, ct string) error {
				calls++
				assert.Equal(t, want, string(body))
				assert.Equal(t, "application/json;stream=watch", ct)
				return nil
			})
			require.NoError(t, err)
			assert.Equal(t, 1, calls)
		})
	}
}

func TestDoDecodeErrorStatusSkipsDecode(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"configmaps \"x\" not found"}`)
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	err := c.Get().AbsPath("/x").DoDecode(context.Background(), func([]byte, string) error {
		t.Error("decode called for a 404")
		return nil
	})
	var se *apierrors.StatusError
	require.ErrorAs(t, err, &se)
	assert.True(t, apierrors.IsNotFound(err))
	assert.Equal(t, c.Get().AbsPath("/x").Do(context.Background()).Error().Error(), err.Error(), "the same error as Do")
}

func TestDoDecodeReturnsDecodeErrorUnchanged(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{}`)
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	sentinel := errors.New("bad body")
	err := c.Get().AbsPath("/x").DoDecode(context.Background(), func([]byte, string) error { return sentinel })
	assert.Same(t, sentinel, err)
}

func TestDoDecodeRetriesBodyCutShort(t *testing.T) {
	srv := newCountingServer(t, nil)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if srv.hits.Add(1) == 1 {
			conn, buf, err := http.NewResponseController(w).Hijack()
			if !assert.NoError(t, err) {
				return
			}
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"items\":[")
			_ = buf.Flush()
			_ = conn.Close()
			return
		}
		_, _ = io.WriteString(w, `{"items":[]}`)
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	var got string
	err := c.Get().AbsPath("/x").DoDecode(context.Background(), func(body []byte, _ string) error {
		got = string(body)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, `{"items":[]}`, got, "no piece of the broken body may leak into the decoded one")
	assert.Equal(t, int32(2), srv.hits.Load())
}

// Concurrent requests must each see their own body, whatever buffers the
// pool hands out; the race detector watches the sharing.
func TestDoDecodeConcurrentBodiesAreSeparate(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		_, _ = w.Write(bytes.Repeat([]byte{byte('a' + n%26)}, 1000+n*997))
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 10 {
				n := g*10 + i
				err := c.Get().AbsPath("/x").Param("n", strconv.Itoa(n)).DoDecode(context.Background(), func(body []byte, _ string) error {
					if want := bytes.Repeat([]byte{byte('a' + n%26)}, 1000+n*997); !bytes.Equal(want, body) {
						return fmt.Errorf("request %d: got %d bytes, want %d of %q", n, len(body), len(want), rune('a'+n%26))
					}
					return nil
				})
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
}

func TestGetBodySizesFromHint(t *testing.T) {
	dropFreeBodies()
	p := getBody(10000)
	assert.Empty(t, *p)
	assert.GreaterOrEqual(t, cap(*p), 10001)

	putBody(p)
	q := getBody(maxPooledBody + 1)
	assert.Same(t, p, q, "a returned buffer is reused")
	assert.Empty(t, *q, "a hint too large to pool is not allocated up front")

	*q = make([]byte, 0, maxPooledBody+1)
	putBody(q)
	assert.NotSame(t, q, getBody(0), "a buffer too large to keep is not reused")
}

// dropFreeBodies empties the free list, as when its buffers have stayed
// free through a garbage collection cycle.
func dropFreeBodies() {
	bodies.mu.Lock()
	defer bodies.mu.Unlock()
	clear(bodies.free)
	bodies.free = bodies.free[:0]
}

func freeBodies() int {
	bodies.mu.Lock()
	defer bodies.mu.Unlock()
	return len(bodies.free)
}

func TestFreeBodiesAreBoundedAndReleasedByGC(t *testing.T) {
	for range maxFreeBodies + 3 {
		putBody(new([]byte))
	}
	assert.Equal(t, maxFreeBodies, freeBodies())
	// Cleanups run after a collection, on their own goroutine.
	for i := 0; freeBodies() > 0; i++ {
		require.Less(t, i, 200, "free buffers outlive garbage collections")
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}

func TestReadIntoFillsInPlaceThenGrows(t *testing.T) {
	buf := make([]byte, 0, 101)
	got, err := readInto(buf, strings.NewReader(strings.Repeat("x", 100)), 0)
	require.NoError(t, err)
	assert.Len(t, got, 100)
	assert.Same(t, &buf[:1][0], &got[0], "a buffer with room is filled in place")

	got, err = readInto(make([]byte, 0, 3), strings.NewReader(strings.Repeat("y", 5000)), 0)
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("y", 5000), string(got))

	broken := io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(errBroken))
	got, err = readInto(nil, broken, 0)
	assert.ErrorIs(t, err, errBroken)
	assert.Equal(t, "abc", string(got))
}

var errBroken = errors.New("connection reset")

// An unsized (chunked or gzipped) body read by Do is read through pooled
// blocks and copied out once, at about its final size, instead of growing
// a fresh slice by doubling: the bytes allocated per request stay close to
// the body's size.
func TestDoUnsizedBodyAllocatesAboutItsSize(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < len(big); i += 32 << 10 {
			_, _ = io.WriteString(w, big[i:min(i+32<<10, len(big))])
			w.(http.Flusher).Flush()
		}
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	get := func() {
		body, err := c.Get().AbsPath("/chunked").Do(context.Background()).Raw()
		require.NoError(t, err)
		require.Equal(t, len(big), len(body))
		require.Equal(t, big[:64], string(body[:64]))
	}
	get() // the first request grows the reused buffer
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const n = 5
	for range n {
		get()
	}
	runtime.ReadMemStats(&after)
	perRequest := float64(after.TotalAlloc-before.TotalAlloc) / n
	// Doubling from 512 bytes allocates about 2 MiB for a 1 MiB body.
	assert.Less(t, perRequest, 1.5*float64(len(big)), "allocated %.0f bytes per 1 MiB body", perRequest)
}

// DoDecodeResult gives the status and headers with the decoded body, and a
// non-2xx answer's status without calling decode.
func TestDoDecodeResultKeepsStatusAndHeaders(t *testing.T) {
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"kind":"APIGroupList"}`)
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	var got string
	res, err := c.Get().AbsPath("/apis").DoDecodeResult(context.Background(), func(body []byte, ct string) error {
		got = string(body)
		assert.Equal(t, "application/json", ct)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, `{"kind":"APIGroupList"}`, got)
	assert.Equal(t, http.StatusOK, res.StatusCode())
	assert.Equal(t, `"v1"`, res.Header().Get("ETag"))
	raw, err := res.Raw()
	assert.NoError(t, err)
	assert.Empty(t, raw, "the body is not kept: it went back to the pool")

	res, err = c.Get().AbsPath("/apis").SetHeader("If-None-Match", `"v1"`).DoDecodeResult(context.Background(), func([]byte, string) error {
		t.Error("decode called for a 304")
		return nil
	})
	assert.Error(t, err)
	assert.Equal(t, http.StatusNotModified, res.StatusCode())
}

// An unsized body costs no more to read than the same body with a
// Content-Length: kube-apiserver sends large answers chunked (or gzipped,
// which the client sees unsized too), and growing a buffer by doubling
// allocated three times the body where the sized read allocates it once.
// Each read starts with no free buffer, as a program's first request does,
// or one after the free buffers were let go; the blocks an unsized read
// spills into are warm after the first read, as in any process that has
// read one before.
func TestUnsizedBodyCostsNoMoreThanSized(t *testing.T) {
	body := strings.Repeat(`{"name":"x","kind":"Y"},`, 40_000) // about 1 MB
	srv := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sized" {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			_, _ = io.WriteString(w, body)
			return
		}
		for i := 0; i < len(body); i += 32 << 10 {
			_, _ = io.WriteString(w, body[i:min(i+32<<10, len(body))])
			w.(http.Flusher).Flush()
		}
	})
	c := newTestClient(t, Settings{Host: srv.URL})
	ctx := context.Background()
	reads := map[string]func(path string){
		"DoDecode": func(path string) {
			err := c.Get().AbsPath(path).DoDecode(ctx, func(data []byte, _ string) error {
				require.Len(t, data, len(body))
				return nil
			})
			require.NoError(t, err)
		},
		"Do": func(path string) {
			data, err := c.Get().AbsPath(path).Do(ctx).Raw()
			require.NoError(t, err)
			require.Len(t, data, len(body))
		},
	}
	for name, read := range reads {
		t.Run(name, func(t *testing.T) {
			perRead := func(path string) float64 {
				read(path) // warms the connection and the spill blocks
				const n = 8
				var total uint64
				for range n {
					dropFreeBodies()
					var before, after runtime.MemStats
					runtime.ReadMemStats(&before)
					read(path)
					runtime.ReadMemStats(&after)
					total += after.TotalAlloc - before.TotalAlloc
				}
				return float64(total) / n
			}
			sized, chunked := perRead("/sized"), perRead("/chunked")
			t.Logf("bytes allocated per read of %d bytes: %.0f sized, %.0f chunked", len(body), sized, chunked)
			// The unsized read keeps a sixty-fourth more room, and a
			// collection may empty the blocks' pool; the race detector's
			// sync.Pool also drops a quarter of what is put back. Doubling
			// a buffer cost three times the sized read.
			bound := 1.25
			if raceEnabled {
				bound = 1.75
			}
			assert.LessOrEqual(t, chunked, bound*sized, "an unsized body costs more than a sized one")
		})
	}
}
