package codec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "sigs.k8s.io/json"

	"github.com/anykube/anykube/internal/codec/codectest"
)

type event struct {
	typ string
	obj *unstructured.Unstructured
}

// readAll decodes events until the first error, which it returns (io.EOF at
// a clean end).
func readAll(r io.Reader) ([]event, error) {
	d := NewWatchDecoder(r)
	var out []event
	for {
		typ, obj, err := d.Next()
		if err != nil {
			return out, err
		}
		out = append(out, event{typ, obj})
	}
}

func TestWatchMatchesReference(t *testing.T) {
	data := codectest.WatchEvents(300)
	ref := newReferenceWatch(data)
	var want []event
	for {
		typ, obj, err := ref.next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		u, ok := obj.(*unstructured.Unstructured)
		require.True(t, ok, "reference gave %T", obj)
		want = append(want, event{typ, u})
	}
	require.Len(t, want, 300)

	readers := map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader(data) },
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
		"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
		"data+EOF": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) },
	}
	for name, r := range readers {
		t.Run(name, func(t *testing.T) {
			got, err := readAll(r())
			require.ErrorIs(t, err, io.EOF)
			require.Len(t, got, len(want))
			for i := range want {
				require.Equal(t, want[i].typ, got[i].typ, "event %d", i)
				require.True(t, reflect.DeepEqual(want[i].obj, got[i].obj), "event %d differs", i)
			}
		})
	}
}

const podFrame = `{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"}}}`

func TestWatchFraming(t *testing.T) {
	cases := map[string]string{
		"newline separated": podFrame + "\n" + podFrame + "\n",
		"concatenated":      podFrame + podFrame,
		"whitespace around": " \r\n\t" + podFrame + "  \n\n " + podFrame + " \t",
		"braces in strings": `{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","x":"}}]\"{"}}` + podFrame,
	}
	for name, stream := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := readAll(iotest.OneByteReader(strings.NewReader(stream)))
			require.ErrorIs(t, err, io.EOF)
			require.Len(t, got, 2)
			assert.Equal(t, EventAdded, got[1].typ)
			assert.Equal(t, "p", got[1].obj.GetName())
		})
	}
}

func TestWatchEventTypes(t *testing.T) {
	for _, typ := range []string{EventAdded, EventModified, EventDeleted, EventBookmark} {
		got, err := readAll(strings.NewReader(`{"type":"` + typ + `","object":{"kind":"Pod","apiVersion":"v1"}}`))
		require.ErrorIs(t, err, io.EOF)
		require.Len(t, got, 1)
		assert.Equal(t, typ, got[0].typ)
	}
}

func TestWatchErrorEvent(t *testing.T) {
	stream := `{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (2)","reason":"Expired","code":410}}`
	d := NewWatchDecoder(strings.NewReader(stream))
	typ, obj, err := d.Next()
	require.NoError(t, err)
	assert.Equal(t, EventError, typ)
	var st metav1.Status
	require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, &st))
	assert.Equal(t, int32(410), st.Code)
	assert.Equal(t, metav1.StatusReasonExpired, st.Reason)
}

func TestWatchEnd(t *testing.T) {
	for name, stream := range map[string]string{"empty": "", "whitespace": " \n\t\r\n"} {
		t.Run(name, func(t *testing.T) {
			got, err := readAll(strings.NewReader(stream))
			assert.Empty(t, got)
			assert.Equal(t, io.EOF, err)
		})
	}

	cut := podFrame + "\n" + podFrame[:40]
	d := NewWatchDecoder(iotest.HalfReader(strings.NewReader(cut)))
	_, _, err := d.Next()
	require.NoError(t, err)
	_, _, err = d.Next()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Contains(t, err.Error(), fmt.Sprintf("offset %d", len(podFrame)+1))
	_, _, err2 := d.Next()
	assert.Equal(t, err, err2, "the error must stick")
}

const deletedFrame = `{"type":"DELETED","object":{"kind":"Pod","apiVersion":"v1"}}`

func TestWatchBadFramesAreSkipped(t *testing.T) {
	cases := map[string]struct {
		frame string
		check func(t *testing.T, err error)
	}{
		"unknown type": {`{"type":"SOMETHING","object":{"kind":"Pod"}}`, func(t *testing.T, err error) {
			var e *EventTypeError
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "SOMETHING", e.Type)
		}},
		"missing type": {`{"object":{"kind":"Pod"}}`, func(t *testing.T, err error) {
			var e *EventTypeError
			require.ErrorAs(t, err, &e)
		}},
		"type not a string": {`{"type":1,"object":{"kind":"Pod"}}`, func(t *testing.T, err error) {
			var e *TypeError
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "type", e.Path)
		}},
		"missing object": {`{"type":"ADDED"}`, func(t *testing.T, err error) {
			require.ErrorIs(t, err, ErrMissingObject)
		}},
		"object not an object": {`{"type":"ADDED","object":[1]}`, func(t *testing.T, err error) {
			var e *TypeError
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "object", e.Path)
		}},
		"object without kind": {`{"type":"ADDED","object":{"apiVersion":"v1","data":{"k":"SECRET"}}}`, func(t *testing.T, err error) {
			assert.True(t, runtime.IsMissingKind(err), "%v", err)
			assert.Contains(t, err.Error(), fmt.Sprintf("the JSON object at offset %d has no \"kind\"", len(deletedFrame)+25), "offset counts from the stream start")
			assert.NotContains(t, err.Error(), "SECRET")
		}},
		"long invalid type": {`{"type":"SECRET-` + strings.Repeat("x", 100) + `","object":{"kind":"Pod"}}`, func(t *testing.T, err error) {
			var e *EventTypeError
			require.ErrorAs(t, err, &e)
			assert.NotContains(t, err.Error(), "SECRET")
			assert.Contains(t, err.Error(), "invalid event type of 107 bytes")
		}},
		"syntax error inside": {`{"type":"ADDED","object":{"kind":"Pod",,}}`, func(t *testing.T, err error) {
			var e *SyntaxError
			require.ErrorAs(t, err, &e)
			assert.Equal(t, int64(len(deletedFrame)+39), e.Offset, "offset counts from the stream start")
		}},
		"number too large": {`{"type":"ADDED","object":{"kind":"Pod","n":1e999}}`, func(t *testing.T, err error) {
			var e *TypeError
			require.ErrorAs(t, err, &e)
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			// The bad frame comes second, so the offsets in errors count
			// from the first frame's start.
			d := NewWatchDecoder(strings.NewReader(deletedFrame + tc.frame + podFrame))
			_, _, err := d.Next()
			require.NoError(t, err)
			_, _, err = d.Next()
			require.Error(t, err)
			tc.check(t, err)
			typ, obj, err := d.Next()
			require.NoError(t, err, "the frame after a bad one must decode")
			assert.Equal(t, EventAdded, typ)
			assert.Equal(t, "p", obj.GetName())
		})
	}
}

func TestWatchFieldRules(t *testing.T) {
	// Unknown keys are ignored even with numbers no float64 holds, a null
	// object keeps the earlier one, and the last object wins.
	stream := `{"extra":[1e999,{"a":null}],"object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"first"}},"object":null,"type":"MODIFIED","Type":"nonsense"}` +
		`{"type":"ADDED","object":{"kind":"Pod","n":1e999},"object":{"kind":"Pod","metadata":{"name":"last"}}}`
	got, err := readAll(strings.NewReader(stream))
	require.ErrorIs(t, err, io.EOF)
	require.Len(t, got, 2)
	assert.Equal(t, EventModified, got[0].typ)
	assert.Equal(t, "first", got[0].obj.GetName())
	assert.Equal(t, "last", got[1].obj.GetName())
}

func TestWatchStreamErrorsStick(t *testing.T) {
	t.Run("not an object", func(t *testing.T) {
		d := NewWatchDecoder(strings.NewReader(podFrame + `[1]` + podFrame))
		_, _, err := d.Next()
		require.NoError(t, err)
		_, _, err = d.Next()
		var se *SyntaxError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, int64(len(podFrame)), se.Offset)
		_, _, err2 := d.Next()
		assert.Equal(t, err, err2)
	})
	t.Run("too large", func(t *testing.T) {
		big := `{"type":"ADDED","object":{"kind":"Pod","data":"` + strings.Repeat("x", 200<<10) + `"}}`
		d := NewWatchDecoder(strings.NewReader(podFrame + big + podFrame))
		d.SetMaxFrameSize(100 << 10)
		_, _, err := d.Next()
		require.NoError(t, err)
		_, _, err = d.Next()
		var fe *FrameTooLargeError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, int64(len(podFrame)), fe.Offset)
		assert.Equal(t, 100<<10, fe.Limit)
		_, _, err2 := d.Next()
		assert.Equal(t, err, err2)
	})
	t.Run("too large but already buffered", func(t *testing.T) {
		d := NewWatchDecoder(strings.NewReader(podFrame + podFrame))
		d.SetMaxFrameSize(len(podFrame) - 1)
		_, _, err := d.Next()
		var fe *FrameTooLargeError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, int64(0), fe.Offset)
	})
	t.Run("reader breaking its contract", func(t *testing.T) {
		d := NewWatchDecoder(badReader{})
		_, _, err := d.Next()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "reader returned")
	})
	t.Run("reader making no progress", func(t *testing.T) {
		d := NewWatchDecoder(stalled{})
		_, _, err := d.Next()
		require.ErrorIs(t, err, io.ErrNoProgress)
	})
	t.Run("endless garbage is bounded", func(t *testing.T) {
		d := NewWatchDecoder(io.MultiReader(strings.NewReader(`{"a":"`), endless('x')))
		d.SetMaxFrameSize(1 << 20)
		_, _, err := d.Next()
		var fe *FrameTooLargeError
		require.ErrorAs(t, err, &fe)
		assert.LessOrEqual(t, cap(d.buf), 2<<20)
	})
	t.Run("read error", func(t *testing.T) {
		boom := errors.New("connection reset")
		d := NewWatchDecoder(io.MultiReader(strings.NewReader(podFrame+podFrame[:10]), iotest.ErrReader(boom)))
		_, _, err := d.Next()
		require.NoError(t, err)
		_, _, err = d.Next()
		require.ErrorIs(t, err, boom)
		_, _, err2 := d.Next()
		assert.Equal(t, err, err2)
	})
}

func TestWatchLargeFrameGrowsBuffer(t *testing.T) {
	big := `{"type":"ADDED","object":{"kind":"Pod","data":"` + strings.Repeat("y", 300<<10) + `"}}`
	got, err := readAll(iotest.HalfReader(strings.NewReader(podFrame + big + podFrame)))
	require.ErrorIs(t, err, io.EOF)
	require.Len(t, got, 3)
	assert.Len(t, got[1].obj.Object["data"], 300<<10)
}

type badReader struct{}

func (badReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

type stalled struct{}

func (stalled) Read([]byte) (int, error) { return 0, nil }

type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

// refFrame decodes a single frame the way client-go's watch decoder does
// (metav1.WatchEvent through sigs.k8s.io/json, type check, the object
// through the scheme).
func refFrame(data []byte) (string, *unstructured.Unstructured, error) {
	var ev metav1.WatchEvent
	if err := kjson.UnmarshalCaseSensitivePreserveInts(data, &ev); err != nil {
		return "", nil, err
	}
	switch ev.Type {
	case EventAdded, EventModified, EventDeleted, EventBookmark, EventError:
	default:
		return "", nil, fmt.Errorf("bad type %q", ev.Type)
	}
	u, err := refObject(ev.Object.Raw)
	if err != nil {
		return "", nil, err
	}
	return ev.Type, u, nil
}

// TestNextFrame checks frames come out whole and undecoded, with their
// offsets, and that the stream's end is reported as Next reports it.
func TestNextFrame(t *testing.T) {
	garbled := `{"type":"SIDEWAYS","object":[}}`
	stream := " " + podFrame + "\n" + garbled + "\n" + podFrame[:20]
	d := NewWatchDecoder(iotest.OneByteReader(strings.NewReader(stream)))
	frame, off, err := d.NextFrame()
	require.NoError(t, err)
	assert.Equal(t, podFrame, string(frame))
	assert.Equal(t, int64(1), off)
	frame, off, err = d.NextFrame()
	require.NoError(t, err, "a frame is only matched for brackets, not decoded")
	assert.Equal(t, garbled, string(frame))
	assert.Equal(t, int64(len(podFrame)+2), off)
	_, _, err = d.NextFrame()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	_, _, err2 := d.Next()
	assert.Equal(t, err, err2, "the stream's error sticks for both")
}
