package metadatainformer

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/anykube/anykube"
	"github.com/anykube/anykube/dynamic/informer"
	"github.com/anykube/anykube/dynamic/metadata"
)

var cmGVR = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}

// TestViewUnsupportedEndsTheInformer: a server that answers the metadata
// view with full objects cannot be fixed by retrying, so the informer
// fails at once with an error IsViewUnsupported matches.
func TestViewUnsupportedEndsTheInformer(t *testing.T) {
	var lists atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lists.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"apiVersion":"v1","kind":"ConfigMapList","metadata":{"resourceVersion":"5"},"items":[{"metadata":{"name":"a","namespace":"ns"},"data":{"k":"v"}}]}`))
	}))
	defer srv.Close()
	mc, err := metadata.NewForConfig(&anykube.Config{Host: srv.URL})
	require.NoError(t, err)
	inf, err := New(mc, cmGVR, &Options{ListMode: informer.ListModePaged, MinBackoff: time.Millisecond})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	inf.Run(ctx)
	st := inf.Status()
	assert.Equal(t, informer.PhaseFailed, st.Phase, "%v", st)
	assert.True(t, metadata.IsViewUnsupported(inf.Err()), "%v", inf.Err())
	assert.Equal(t, int32(1), lists.Load(), "no retries")
}

// TestListAllPages: a paged list follows the continue tokens and gives
// each object an allocation of its own.
func TestListAllPages(t *testing.T) {
	pages := map[string]string{
		"":   `{"apiVersion":"meta.k8s.io/v1","kind":"PartialObjectMetadataList","metadata":{"resourceVersion":"7","continue":"p2"},"items":[{"apiVersion":"meta.k8s.io/v1","kind":"PartialObjectMetadata","metadata":{"name":"a","namespace":"ns"}}]}`,
		"p2": `{"apiVersion":"meta.k8s.io/v1","kind":"PartialObjectMetadataList","metadata":{"resourceVersion":"7"},"items":[{"apiVersion":"meta.k8s.io/v1","kind":"PartialObjectMetadata","metadata":{"name":"b","namespace":"ns"}},{"apiVersion":"meta.k8s.io/v1","kind":"PartialObjectMetadata","metadata":{"name":"c","namespace":"ns"}}]}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "2", r.URL.Query().Get("limit"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(pages[r.URL.Query().Get("continue")]))
	}))
	defer srv.Close()
	mc, err := metadata.NewForConfig(&anykube.Config{Host: srv.URL})
	require.NoError(t, err)
	lw := Source(mc).ListWatch(cmGVR, "ns")
	items, rv, err := lw.ListAll(context.Background(), metav1.ListOptions{Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, "7", rv)
	require.Len(t, items, 3)
	for i, name := range []string{"a", "b", "c"} {
		assert.Equal(t, name, items[i].Name)
	}
	assert.NotSame(t, items[1], items[2])
}
