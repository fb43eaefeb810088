package rest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// BenchmarkBuildURL measures building a typical list request's URL, the
// part of every call that is this package's own work.
func BenchmarkBuildURL(b *testing.B) {
	c, err := New(Settings{Host: "https://10.0.0.1:6443"}, &http.Client{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r := c.Get().Group("apps").Version("v1").Namespace("default").Resource("deployments").Name("web")
		if _, err := r.url(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParams measures encoding ListOptions as query parameters.
func BenchmarkParams(b *testing.B) {
	c, err := New(Settings{Host: "https://10.0.0.1:6443"}, &http.Client{})
	if err != nil {
		b.Fatal(err)
	}
	opts := &metav1.ListOptions{LabelSelector: "app=web", Limit: 500}
	b.ReportAllocs()
	for b.Loop() {
		c.Get().Params(opts)
	}
}

// BenchmarkDoGet measures a whole GET against a local server; most of the
// allocations are net/http's.
func BenchmarkDoGet(b *testing.B) {
	srv := newCountingServer(b, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c"}}`)
	})
	c, err := New(Settings{Host: srv.URL}, &http.Client{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Get().Version("v1").Namespace("ns").Resource("configmaps").Name("c").Do(ctx).Error(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadLargeBody compares reading a 4 MB answer with Do, which
// allocates the body every time, and with DoDecode, which reuses a pooled
// buffer; decode allocates as a real decoder would, so the garbage
// collector runs between requests.
func BenchmarkReadLargeBody(b *testing.B) {
	body := bytes.Repeat([]byte(`{"a":"b"},`), 400_000)
	srv := newCountingServer(b, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})
	c, err := New(Settings{Host: srv.URL}, &http.Client{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var sink [][]byte
	decode := func(data []byte) {
		sink = sink[:0]
		for i := 0; i < len(data); i += 64 << 10 {
			sink = append(sink, make([]byte, 160<<10))
		}
	}
	b.Run("Do", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			data, err := c.Get().AbsPath("/x").Do(ctx).Raw()
			if err != nil {
				b.Fatal(err)
			}
			decode(data)
		}
	})
	b.Run("DoDecode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			err := c.Get().AbsPath("/x").DoDecode(ctx, func(data []byte, _ string) error {
				decode(data)
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
