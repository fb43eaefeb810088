package metadata

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube"
)

var cmGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

const (
	viewJSON = `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"a","namespace":"ns","resourceVersion":"5","labels":{"x":"y"}}}`
	fullJSON = `{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","namespace":"ns","resourceVersion":"5","labels":{"x":"y"}},"data":{"k":"v"}}`
	listJSON = `{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"6"},"items":[` + viewJSON + `]}`
	fullList = `{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"6"},"items":[` + fullJSON + `]}`
)

// newClient returns a client for a test server running h.
func newClient(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := NewForConfigAndClient(&anykube.Config{Host: srv.URL, QPS: -1}, srv.Client())
	require.NoError(t, err)
	return c
}

// server answers like kube-apiserver when view is true (the view for an
// Accept that asks for it) and like an aggregated API ignoring "as="
// otherwise, and records each request's method, path and Accept.
func server(view bool, seen *[]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		*seen = append(*seen, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("Accept"))
		w.Header().Set("Content-Type", "application/json")
		list := r.URL.Path == "/api/v1/namespaces/ns/configmaps"
		switch {
		case r.Method == http.MethodDelete:
			_, _ = io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Success"}`)
		case r.URL.Query().Get("watch") == "true":
			obj := viewJSON
			if !view {
				obj = fullJSON
			}
			_, _ = io.WriteString(w, `{"type":"ADDED","object":`+obj+"}\n")
		case list && view:
			_, _ = io.WriteString(w, listJSON)
		case list:
			_, _ = io.WriteString(w, fullList)
		case view:
			_, _ = io.WriteString(w, viewJSON)
		default:
			_, _ = io.WriteString(w, fullJSON)
		}
	}
}

func TestRequestsAndView(t *testing.T) {
	var seen []string
	ctx := context.Background()
	rc := newClient(t, server(true, &seen)).Resource(cmGVR).Namespace("ns")

	obj, err := rc.Get(ctx, "a", metav1.GetOptions{ResourceVersion: "1"})
	require.NoError(t, err)
	assert.Equal(t, "a", obj.Name)
	assert.Equal(t, map[string]string{"x": "y"}, obj.Labels)
	assert.Equal(t, "PartialObjectMetadata", obj.Kind)

	list, err := rc.List(ctx, metav1.ListOptions{LabelSelector: "x=y"})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
	assert.Equal(t, "6", list.ResourceVersion)

	_, err = rc.Patch(ctx, "a", types.MergePatchType, []byte(`{}`), metav1.PatchOptions{})
	require.NoError(t, err)
	require.NoError(t, rc.Delete(ctx, "a", metav1.DeleteOptions{}))
	require.NoError(t, rc.DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: "x"}))

	w, err := rc.Watch(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	ev := <-w.ResultChan()
	w.Stop()
	assert.Equal(t, watch.Added, ev.Type)
	require.IsType(t, &metav1.PartialObjectMetadata{}, ev.Object)
	assert.Equal(t, "a", ev.Object.(*metav1.PartialObjectMetadata).Name)

	assert.Equal(t, []string{
		"GET /api/v1/namespaces/ns/configmaps/a?resourceVersion=1 " + acceptObject,
		"GET /api/v1/namespaces/ns/configmaps?labelSelector=x%3Dy " + acceptList,
		"PATCH /api/v1/namespaces/ns/configmaps/a " + acceptObject,
		"DELETE /api/v1/namespaces/ns/configmaps/a application/json",
		"DELETE /api/v1/namespaces/ns/configmaps?labelSelector=x application/json",
		"GET /api/v1/namespaces/ns/configmaps?watch=true " + acceptObject,
	}, seen)
}

// TestFullObjectsRefusedByDefault checks a server that ignores "as=" is
// reported, not silently accepted.
func TestFullObjectsRefusedByDefault(t *testing.T) {
	var seen []string
	ctx := context.Background()
	rc := newClient(t, server(false, &seen)).Resource(cmGVR).Namespace("ns")

	_, err := rc.Get(ctx, "a", metav1.GetOptions{})
	require.ErrorIs(t, err, ErrViewUnsupported)
	var me *Error
	require.True(t, errors.As(err, &me))
	assert.Equal(t, "get", me.Verb)
	assert.True(t, IsViewUnsupported(err))
	assert.Contains(t, err.Error(), `kind "ConfigMap"`)

	_, err = rc.List(ctx, metav1.ListOptions{})
	require.ErrorIs(t, err, ErrViewUnsupported)

	w, err := rc.Watch(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	ev := <-w.ResultChan()
	assert.Equal(t, watch.Error, ev.Type)
	assert.Contains(t, apierrors.FromObject(ev.Object).Error(), "PartialObjectMetadata")
	_, open := <-w.ResultChan()
	assert.False(t, open)
}

// TestFallbackToFull checks the opt-in fallback asks for JSON as a second
// choice and keeps the full object's kind, so the fallback shows.
func TestFallbackToFull(t *testing.T) {
	var seen []string
	ctx := context.Background()
	c := newClient(t, server(false, &seen))
	rc := c.WithOptions(Options{FallbackToFull: true}).Resource(cmGVR).Namespace("ns")

	obj, err := rc.Get(ctx, "a", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}, obj.TypeMeta)
	assert.Equal(t, "a", obj.Name)
	list, err := rc.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, "ConfigMapList", list.Kind)
	require.Len(t, list.Items, 1)
	assert.Equal(t, map[string]string{"x": "y"}, list.Items[0].Labels)
	w, err := rc.Watch(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	ev := <-w.ResultChan()
	w.Stop()
	require.Equal(t, watch.Added, ev.Type)
	assert.Equal(t, "ConfigMap", ev.Object.(*metav1.PartialObjectMetadata).Kind)

	assert.Equal(t, "GET /api/v1/namespaces/ns/configmaps/a "+acceptObject+",application/json", seen[0])
	assert.Equal(t, "GET /api/v1/namespaces/ns/configmaps "+acceptList+",application/json", seen[1])
	// The original client is unchanged.
	_, err = c.Resource(cmGVR).Namespace("ns").Get(ctx, "a", metav1.GetOptions{})
	assert.ErrorIs(t, err, ErrViewUnsupported)
}

// TestNotAcceptable checks the server's 406 comes back as its StatusError.
func TestNotAcceptable(t *testing.T) {
	rc := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotAcceptable)
		_, _ = io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotAcceptable","code":406,"message":"only the following media types are accepted: application/json"}`)
	}).Resource(cmGVR)
	_, err := rc.Get(context.Background(), "a", metav1.GetOptions{})
	var se *apierrors.StatusError
	require.True(t, errors.As(err, &se))
	assert.True(t, apierrors.IsNotAcceptable(err))
	assert.True(t, IsViewUnsupported(err))
}

func TestInvalidInput(t *testing.T) {
	rc := newClient(t, func(w http.ResponseWriter, r *http.Request) { t.Error("sent a request") }).Resource(cmGVR)
	ctx := context.Background()
	_, err := rc.Get(ctx, "", metav1.GetOptions{})
	assert.ErrorIs(t, err, ErrInvalidRequest)
	_, err = rc.Namespace("a/b").List(ctx, metav1.ListOptions{})
	assert.ErrorIs(t, err, ErrInvalidRequest)
	_, err = rc.Patch(ctx, "a", "", nil, metav1.PatchOptions{})
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.ErrorIs(t, rc.Delete(ctx, "../x", metav1.DeleteOptions{}), ErrInvalidRequest)
}

func TestDecodeErrorHidesBody(t *testing.T) {
	rc := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"s3cret"`)
	}).Resource(cmGVR)
	_, err := rc.Get(context.Background(), "a", metav1.GetOptions{})
	var me *Error
	require.True(t, errors.As(err, &me))
	assert.NotContains(t, err.Error(), "s3cret")
}
