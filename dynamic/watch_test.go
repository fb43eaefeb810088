package dynamic

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/internal/watchtest"
)

func frame(typ, name, rv string) string {
	return fmt.Sprintf(`{"type":%q,"object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":%q,"resourceVersion":%q}}}`+"\n", typ, name, rv)
}

// streamServer answers a watch with chunks, flushing after each, then
// returns (ending the response cleanly).
func streamServer(t *testing.T, chunks ...string) *DynamicClient {
	t.Helper()
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "true", r.URL.Query().Get("watch"))
		w.Header().Set("Content-Type", "application/json")
		for _, ch := range chunks {
			fmt.Fprint(w, ch)
			w.(http.Flusher).Flush()
		}
	})
	return c
}

func TestWatchDecodesEveryEventType(t *testing.T) {
	status := `{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}`
	bookmark := `{"type":"BOOKMARK","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"resourceVersion":"4","annotations":{"k8s.io/initial-events-end":"true"}}}}`
	// Frames split at awkward places: mid-key and between frames.
	all := frame("ADDED", "a", "1") + frame("MODIFIED", "a", "2") + bookmark + frame("DELETED", "a", "5") + status
	c := streamServer(t, all[:17], all[17:150], all[150:])
	w, err := c.Resource(cmGVR).Namespace("ns").Watch(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	evs := watchtest.Collect(t, w)
	require.Len(t, evs, 5)
	assert.Equal(t, []watch.EventType{watch.Added, watch.Modified, watch.Bookmark, watch.Deleted, watch.Error},
		[]watch.EventType{evs[0].Type, evs[1].Type, evs[2].Type, evs[3].Type, evs[4].Type})
	assert.Equal(t, "2", evs[1].Object.(*unstructured.Unstructured).GetResourceVersion())
	assert.True(t, IsInitialEventsEnd(evs[2]))
	st, ok := evs[4].Object.(*metav1.Status)
	require.True(t, ok, "ERROR carries a *metav1.Status, got %T", evs[4].Object)
	assert.EqualValues(t, 410, st.Code)
	assert.True(t, apierrors.IsResourceExpired(apierrors.FromObject(evs[4].Object)))
}

func TestWatchFrameCutMidObject(t *testing.T) {
	cut := frame("ADDED", "b", "2")
	c := streamServer(t, frame("ADDED", "a", "1"), cut[:len(cut)/2])
	w, err := c.Resource(cmGVR).Namespace("ns").Watch(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	evs := watchtest.Collect(t, w)
	require.Len(t, evs, 2, "the whole event, then an error; never half an object")
	assert.Equal(t, watch.Added, evs[0].Type)
	require.Equal(t, watch.Error, evs[1].Type)
	st := evs[1].Object.(*metav1.Status)
	assert.EqualValues(t, 500, st.Code)
	assert.Contains(t, st.Message, "dynamic: watch configmaps.v1 in namespace ns: the watch stream broke off")
	assert.Contains(t, st.Message, "unexpected EOF")
}

func TestWatchGarbledFrames(t *testing.T) {
	tests := map[string]string{
		"not json":             `{"type":"ADDED","object":{"kind":x}}`,
		"object not an object": `{"type":"ADDED","object":[1,2]}`,
		"unknown type":         `{"type":"SIDEWAYS","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}}`,
		"error without status": `{"type":"ERROR","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}}`,
		"html":                 `<html>oops</html>`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			c := streamServer(t, frame("ADDED", "a", "1"), body, frame("ADDED", "c", "3"))
			w, err := c.Resource(cmGVR).Watch(context.Background(), metav1.ListOptions{})
			require.NoError(t, err)
			evs := watchtest.Collect(t, w)
			require.GreaterOrEqual(t, len(evs), 2)
			assert.Equal(t, watch.Added, evs[0].Type)
			require.Equal(t, watch.Error, evs[1].Type)
			st := evs[1].Object.(*metav1.Status)
			assert.True(t, strings.HasPrefix(st.Message, "dynamic: watch configmaps.v1: "), st.Message)
		})
	}
}

// hangingWatch serves one frame, then holds the connection open until the
// client goes away, which it reports on gone.
func hangingWatch(t *testing.T) (*DynamicClient, chan struct{}) {
	gone := make(chan struct{})
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, frame("ADDED", "a", "1"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		close(gone)
	})
	return c, gone
}

func TestWatchStopClosesTheConnection(t *testing.T) {
	c, gone := hangingWatch(t)
	w, err := c.Resource(cmGVR).Watch(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	ev := <-w.ResultChan()
	assert.Equal(t, watch.Added, ev.Type)
	w.Stop()
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("the server still holds the connection after Stop")
	}
	assert.Empty(t, watchtest.Collect(t, w), "no ERROR after Stop")
	w.Stop()
}

func TestWatchEndsWithItsContext(t *testing.T) {
	c, gone := hangingWatch(t)
	ctx, cancel := context.WithCancel(context.Background())
	w, err := c.Resource(cmGVR).Watch(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	<-w.ResultChan()
	cancel()
	assert.Empty(t, watchtest.Collect(t, w), "no ERROR after cancellation")
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("the server still holds the connection after cancellation")
	}
}

// An unread watch must not keep its connection after Stop.
func TestWatchStopWhileBlockedOnSend(t *testing.T) {
	c, gone := hangingWatch(t)
	w, err := c.Resource(cmGVR).Watch(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	time.Sleep(50 * time.Millisecond) // the first event waits on the channel
	w.Stop()
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("the server still holds the connection after Stop")
	}
}
