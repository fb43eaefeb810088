package rest

import (
	"context"
	"io"
	"net/http"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/anykube/anykube"
)

// BenchmarkBuildURL measures building a typical list request's URL, the
// part of every call that is this package's own work.
func BenchmarkBuildURL(b *testing.B) {
	c, err := New(&anykube.Config{Host: "https://10.0.0.1:6443"}, &http.Client{})
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
	c, err := New(&anykube.Config{Host: "https://10.0.0.1:6443"}, &http.Client{})
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
	c, err := New(&anykube.Config{Host: srv.URL, QPS: -1}, &http.Client{})
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
