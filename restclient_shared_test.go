package anykube_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic"
)

// The REST client and the dynamic client of one *Config share its
// client-side limiter: they are one request layer.
func TestRESTClientSharesTheLimiterWithDynamic(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}`))
	}))
	defer srv.Close()
	cfg := &anykube.Config{Host: srv.URL, QPS: 0.01, Burst: 1}
	dc, err := dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	rc, err := anykube.RESTClientFor(cfg)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = dc.Resource(schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}).Namespace("ns").Get(ctx, "c", metav1.GetOptions{})
	require.NoError(t, err, "the burst allows one request")
	err = rc.Get().Version("v1").Namespace("ns").Resource("configmaps").Name("c").Do(ctx).Error()
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the REST client waits on the same, empty, bucket")
}
