package rest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/anykube/anykube/internal/codec"
)

// streamWatcher turns a watch response body into watch events, decoding
// each {"type", "object"} frame as it arrives. The dynamic client and
// anykube's RESTClient both watch through it.
//
// Events carry *unstructured.Unstructured objects, except ERROR events,
// which carry the *metav1.Status the server sent (apierrors.FromObject
// turns it into an error). A stream that ends any other way than cleanly,
// by Stop or by its context (cut mid-event, a frame that is not valid JSON,
// a connection reset), ends with one ERROR event whose Status has code 500
// and names the resource and the cause, so that a caller never mistakes a
// broken stream for a quiet one; a RetryWatcher resumes after it.
type streamWatcher struct {
	ctx    context.Context
	body   io.ReadCloser
	dec    *codec.WatchDecoder
	decode FrameDecoder      // nil: Unstructured objects
	wrap   func(error) error // names the call in error messages
	result chan watch.Event

	stop     chan struct{}
	stopOnce sync.Once
}

// NewStreamWatcher returns the watch.Interface reading the watch stream
// body, which it closes when the stream ends or Stop is called. ctx is the
// one the request was sent with: when it ends, the result channel closes
// without an ERROR event. wrap names the request around a client-side
// failure in the ERROR event's message.
func NewStreamWatcher(ctx context.Context, body io.ReadCloser, wrap func(error) error) watch.Interface {
	return NewFrameWatcher(ctx, body, wrap, nil)
}

// FrameDecoder decodes one complete watch frame ({"type": ..., "object":
// ...}, as codec.WatchDecoder.NextFrame returns it, with its offset in the
// stream) into an event, for watches whose events carry something else
// than Unstructured. For an ERROR frame the object should be the
// *metav1.Status sent; any other object there is replaced by a Status
// saying the event carried none. An error ends the stream as a broken one.
type FrameDecoder func(frame []byte, offset int64) (watch.Event, error)

// NewFrameWatcher is NewStreamWatcher with frames decoded by decode; a nil
// decode gives NewStreamWatcher's Unstructured objects. The framing, the
// rules for ERROR events and how the stream ends are the same.
func NewFrameWatcher(ctx context.Context, body io.ReadCloser, wrap func(error) error, decode FrameDecoder) watch.Interface {
	w := &streamWatcher{
		ctx:    ctx,
		body:   body,
		dec:    codec.NewWatchDecoder(body),
		decode: decode,
		wrap:   wrap,
		result: make(chan watch.Event),
		stop:   make(chan struct{}),
	}
	go w.run()
	return w
}

// ResultChan returns the events; it is closed when the stream ends.
func (w *streamWatcher) ResultChan() <-chan watch.Event { return w.result }

// Stop closes the connection and ends the stream; events not yet received
// are dropped. It may be called more than once, from any goroutine.
func (w *streamWatcher) Stop() {
	w.stopOnce.Do(func() {
		close(w.stop)
		w.body.Close()
	})
}

func (w *streamWatcher) stopped() bool {
	select {
	case <-w.stop:
		return true
	default:
		return w.ctx.Err() != nil
	}
}

func (w *streamWatcher) run() {
	defer close(w.result)
	defer w.body.Close()
	for {
		ev, err := w.next()
		if err != nil {
			if errors.Is(err, io.EOF) || w.stopped() {
				return
			}
			w.send(watch.Event{Type: watch.Error, Object: w.failure(fmt.Errorf("the watch stream broke off: %w", err))})
			return
		}
		if ev.Type == watch.Error {
			ev.Object = w.status(ev.Object)
		}
		if !w.send(ev) {
			return
		}
	}
}

// send delivers ev unless the watch is stopped first.
func (w *streamWatcher) send(ev watch.Event) bool {
	select {
	case w.result <- ev:
		return true
	case <-w.stop:
		return false
	case <-w.ctx.Done():
		return false
	}
}

// next decodes the next frame with the watcher's decoder.
func (w *streamWatcher) next() (watch.Event, error) {
	if w.decode == nil {
		typ, obj, err := w.dec.Next()
		return watch.Event{Type: watch.EventType(typ), Object: obj}, err
	}
	frame, offset, err := w.dec.NextFrame()
	if err != nil {
		return watch.Event{}, err
	}
	return w.decode(frame, offset)
}

// status returns the *metav1.Status of an ERROR event, converting an
// Unstructured one; an object of another kind gives a Status saying so.
func (w *streamWatcher) status(obj runtime.Object) runtime.Object {
	kind := ""
	switch o := obj.(type) {
	case *metav1.Status:
		if o.Kind == "Status" {
			return o
		}
		kind = o.Kind
	case *unstructured.Unstructured:
		st := &metav1.Status{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, st); err == nil && o.GetKind() == "Status" {
			return st
		}
		kind = o.GetKind()
	case nil:
	default:
		kind = o.GetObjectKind().GroupVersionKind().Kind
	}
	return w.failure(fmt.Errorf("the ERROR event does not carry a Status (kind %q)", kind))
}

// failure is the Status of an ERROR event for a client-side failure.
func (w *streamWatcher) failure(err error) *metav1.Status {
	return &metav1.Status{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Status"},
		Status:   metav1.StatusFailure,
		Code:     http.StatusInternalServerError,
		Reason:   metav1.StatusReasonInternalError,
		Message:  w.wrap(err).Error(),
	}
}
