package table

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
)

var podsGVR = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

func newClient(t *testing.T, h http.HandlerFunc) *Client {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := NewForConfigAndClient(&anykube.Config{Host: srv.URL, QPS: -1}, srv.Client())
	require.NoError(t, err)
	return c
}

func TestRequests(t *testing.T) {
	var seen []string
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.RequestURI()+" "+r.Header.Get("Accept"))
		_, _ = io.WriteString(w, `{"kind":"Table","apiVersion":"meta.k8s.io/v1","columnDefinitions":[{"name":"Name","type":"string","format":"name"}],"rows":[{"cells":["a"],"object":{"kind":"PartialObjectMetadata","metadata":{"name":"a"}}}]}`)
	})
	ctx := context.Background()
	tb, err := c.Resource(podsGVR).Namespace("ns").List(ctx, metav1.ListOptions{Limit: 5}, metav1.IncludeMetadata)
	require.NoError(t, err)
	require.Len(t, tb.Rows, 1)
	assert.Equal(t, []any{"a"}, tb.Rows[0].Cells)
	assert.Contains(t, string(tb.Rows[0].Object.Raw), `"name":"a"`)
	_, err = c.Resource(podsGVR).Namespace("ns").Get(ctx, "a", metav1.GetOptions{}, "")
	require.NoError(t, err)
	assert.Equal(t, []string{
		"/api/v1/namespaces/ns/pods?includeObject=Metadata&limit=5 " + accept,
		"/api/v1/namespaces/ns/pods/a " + accept,
	}, seen)

	_, err = c.Resource(podsGVR).Get(ctx, "", metav1.GetOptions{}, "")
	assert.ErrorIs(t, err, ErrInvalidRequest)
}

func TestNotATable(t *testing.T) {
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a"}}`)
	})
	_, err := c.Resource(podsGVR).Namespace("ns").Get(context.Background(), "a", metav1.GetOptions{}, "")
	assert.ErrorIs(t, err, ErrNotTable)

	c = newClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotAcceptable)
		_, _ = io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotAcceptable","code":406}`)
	})
	_, err = c.Resource(podsGVR).List(context.Background(), metav1.ListOptions{}, "")
	assert.True(t, apierrors.IsNotAcceptable(err), "got %v", err)
}
