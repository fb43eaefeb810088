package metadata

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/json"

	"github.com/anykube/anykube/internal/codec"
	"github.com/anykube/anykube/internal/codec/codectest"
	"github.com/anykube/anykube/internal/watchtest"
)

func viewFrame(typ, name, rv string) string {
	return fmt.Sprintf(`{"type":%q,"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":%q,"resourceVersion":%q,"labels":{"a":"b"}}}}`+"\n", typ, name, rv)
}

const (
	statusFrame   = `{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}`
	bookmarkFrame = `{"type":"BOOKMARK","object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"4","creationTimestamp":null,"annotations":{"k8s.io/initial-events-end":"true"}}}}`
)

func TestDecodeEvent(t *testing.T) {
	ev, err := decodeEvent([]byte(viewFrame("MODIFIED", "a", "2")), 0, false)
	require.NoError(t, err)
	assert.Equal(t, watch.Modified, ev.Type)
	m := ev.Object.(*metav1.PartialObjectMetadata)
	assert.Equal(t, "a", m.Name)
	assert.Equal(t, map[string]string{"a": "b"}, m.Labels)

	ev, err = decodeEvent([]byte(bookmarkFrame), 0, false)
	require.NoError(t, err)
	assert.Equal(t, watch.Bookmark, ev.Type)
	assert.Equal(t, "4", ev.Object.(*metav1.PartialObjectMetadata).ResourceVersion)

	ev, err = decodeEvent([]byte(statusFrame), 0, false)
	require.NoError(t, err)
	require.Equal(t, watch.Error, ev.Type)
	assert.EqualValues(t, 410, ev.Object.(*metav1.Status).Code)

	// Like metav1.WatchEvent: a null leaves the earlier value, unknown
	// keys are skipped, the last object counts.
	ev, err = decodeEvent([]byte(`{"type":"ADDED","x":[{}],"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"old"}},"type":null,"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"new"}},"object":null}`), 0, false)
	require.NoError(t, err)
	assert.Equal(t, watch.Added, ev.Type)
	assert.Equal(t, "new", ev.Object.(*metav1.PartialObjectMetadata).Name)

	// A full object is refused unless the client falls back.
	full := `{"type":"ADDED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a"},"data":{"k":"v"}}}`
	_, err = decodeEvent([]byte(full), 0, false)
	assert.ErrorIs(t, err, ErrViewUnsupported)
	ev, err = decodeEvent([]byte(full), 0, true)
	require.NoError(t, err)
	assert.Equal(t, "ConfigMap", ev.Object.(*metav1.PartialObjectMetadata).Kind)
}

// TestDecodeEventMalformed checks every broken frame gives a typed error
// naming its offset in the stream, never the frame's content, and never
// panics.
func TestDecodeEventMalformed(t *testing.T) {
	const base = 1000
	tests := []struct {
		name, frame string
		check       func(t *testing.T, err error)
	}{
		{"not json", `{"type":"ADDED","object":{"kind":s3cret}}`, func(t *testing.T, err error) {
			var se *codec.SyntaxError
			require.True(t, errors.As(err, &se), "%T %v", err, err)
			assert.Equal(t, int64(base+34), se.Offset)
		}},
		{"truncated", `{"type":"ADDED","object":{"kind":"s3cret"`, func(t *testing.T, err error) {
			var se *codec.SyntaxError
			require.True(t, errors.As(err, &se), "%T %v", err, err)
		}},
		{"object not an object", `{"type":"ADDED","object":["s3cret"]}`, func(t *testing.T, err error) {
			var te *codec.TypeError
			require.True(t, errors.As(err, &te), "%T %v", err, err)
			assert.Equal(t, int64(base+25), te.Offset)
			assert.Equal(t, "array", te.Value)
		}},
		{"unknown type", `{"type":"SIDEWAYS","object":{"kind":"PartialObjectMetadata","metadata":{"name":"s3cret"}}}`, func(t *testing.T, err error) {
			var te *codec.EventTypeError
			require.True(t, errors.As(err, &te), "%T %v", err, err)
			assert.Equal(t, "SIDEWAYS", te.Type)
		}},
		{"no object", `{"type":"ADDED","s3cret":{}}`, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, codec.ErrMissingObject)
		}},
		{"null object", `{"type":"ADDED","object":null}`, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, codec.ErrMissingObject)
		}},
		{"type not a string", `{"type":5,"object":{"kind":"PartialObjectMetadata"}}`, func(t *testing.T, err error) {
			assert.Contains(t, err.Error(), "offset 1000")
		}},
		{"no kind", `{"type":"ADDED","object":{"metadata":{"name":"s3cret"}}}`, func(t *testing.T, err error) {
			assert.True(t, runtime.IsMissingKind(err), "%T %v", err, err)
		}},
		{"metadata of the wrong type", `{"type":"ADDED","object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"s3cret","generation":"x"}}}`, func(t *testing.T, err error) {
			assert.Contains(t, err.Error(), "offset 1025")
		}},
		{"invalid utf-8 in type", "{\"type\":\"ADD\xffED\",\"object\":{}}", func(t *testing.T, err error) {
			var te *codec.EventTypeError
			require.True(t, errors.As(err, &te), "%T %v", err, err)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeEvent([]byte(tt.frame), base, false)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), "s3cret")
			tt.check(t, err)
		})
	}
}

// TestDecodeEventMatchesReflective decodes a stream of full Pods and
// ConfigMaps (as a fallback watch gets them) both ways.
func TestDecodeEventMatchesReflective(t *testing.T) {
	sc := bufio.NewScanner(bytes.NewReader(codectest.WatchEvents(300)))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var want struct {
			Type   watch.EventType              `json:"type"`
			Object metav1.PartialObjectMetadata `json:"object"`
		}
		require.NoError(t, json.UnmarshalCaseSensitivePreserveInts(sc.Bytes(), &want))
		ev, err := decodeEvent(sc.Bytes(), 0, true)
		require.NoError(t, err)
		assert.Equal(t, want.Type, ev.Type)
		assert.Equal(t, &want.Object, ev.Object)
		n++
	}
	assert.Equal(t, 300, n)
}

func FuzzDecodeEvent(f *testing.F) {
	for _, s := range []string{viewFrame("ADDED", "a", "1"), statusFrame, bookmarkFrame, `{"type":"ADDED","object":[]}`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		ev, err := decodeEvent(frame, 0, true)
		if err == nil && ev.Type != watch.Error && ev.Object == nil {
			t.Fatalf("%s event without an object", ev.Type)
		}
	})
}

// watchServer answers a watch with chunks, flushing after each.
func watchServer(t *testing.T, chunks ...string) *Client {
	return newClient(t, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "true", r.URL.Query().Get("watch"))
		w.Header().Set("Content-Type", "application/json")
		for _, ch := range chunks {
			_, _ = fmt.Fprint(w, ch)
			w.(http.Flusher).Flush()
		}
	})
}

func TestWatchEveryEventType(t *testing.T) {
	all := viewFrame("ADDED", "a", "1") + viewFrame("MODIFIED", "a", "2") + bookmarkFrame + viewFrame("DELETED", "a", "5") + statusFrame
	// Chunks split mid-key and between frames.
	w, err := watchServer(t, all[:17], all[17:150], all[150:]).Resource(cmGVR).Namespace("ns").Watch(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	evs := watchtest.Collect(t, w)
	require.Len(t, evs, 5)
	assert.Equal(t, []watch.EventType{watch.Added, watch.Modified, watch.Bookmark, watch.Deleted, watch.Error},
		[]watch.EventType{evs[0].Type, evs[1].Type, evs[2].Type, evs[3].Type, evs[4].Type})
	assert.Equal(t, "2", evs[1].Object.(*metav1.PartialObjectMetadata).ResourceVersion)
	assert.Equal(t, "true", evs[2].Object.(*metav1.PartialObjectMetadata).Annotations["k8s.io/initial-events-end"])
	assert.True(t, apierrors.IsResourceExpired(apierrors.FromObject(evs[4].Object)))
}

func TestWatchErrorWithoutStatusGoesOn(t *testing.T) {
	w, err := watchServer(t, `{"type":"ERROR","object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{}}}`, viewFrame("ADDED", "a", "1")).Resource(cmGVR).Watch(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	evs := watchtest.Collect(t, w)
	require.Len(t, evs, 2)
	st := evs[0].Object.(*metav1.Status)
	assert.EqualValues(t, 500, st.Code)
	assert.Contains(t, st.Message, `does not carry a Status (kind "PartialObjectMetadata")`)
	assert.Equal(t, watch.Added, evs[1].Type)
}

func TestWatchCutMidObject(t *testing.T) {
	cut := viewFrame("ADDED", "b", "2")
	w, err := watchServer(t, viewFrame("ADDED", "a", "1"), cut[:len(cut)/2]).Resource(cmGVR).Namespace("ns").Watch(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	evs := watchtest.Collect(t, w)
	require.Len(t, evs, 2, "the whole event, then an error; never half an object")
	st := evs[1].Object.(*metav1.Status)
	assert.EqualValues(t, 500, st.Code)
	assert.Contains(t, st.Message, "metadata: watch configmaps.v1 in namespace ns: the watch stream broke off")
	assert.Contains(t, st.Message, "unexpected EOF")
}

func TestWatchGarbledFrames(t *testing.T) {
	tests := map[string]string{
		"not json":             `{"type":"ADDED","object":{"kind":x}}`,
		"object not an object": `{"type":"ADDED","object":[1,2]}`,
		"unknown type":         `{"type":"SIDEWAYS","object":{"apiVersion":"meta.k8s.io/v1","kind":"PartialObjectMetadata","metadata":{}}}`,
		"no kind":              `{"type":"ADDED","object":{"metadata":{}}}`,
		"html":                 `<html>oops</html>`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			w, err := watchServer(t, viewFrame("ADDED", "a", "1"), body, viewFrame("ADDED", "c", "3")).Resource(cmGVR).Watch(context.Background(), metav1.ListOptions{})
			require.NoError(t, err)
			evs := watchtest.Collect(t, w)
			require.Len(t, evs, 2, "the stream ends at the garbled frame")
			assert.Equal(t, watch.Added, evs[0].Type)
			require.Equal(t, watch.Error, evs[1].Type)
			st := evs[1].Object.(*metav1.Status)
			assert.EqualValues(t, 500, st.Code)
			assert.True(t, strings.HasPrefix(st.Message, "metadata: watch configmaps.v1: "), st.Message)
		})
	}
}
