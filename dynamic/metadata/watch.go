package metadata

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
)

// watcher turns the request layer's watch events, whose objects are
// Unstructured, into events carrying *metav1.PartialObjectMetadata. Watch
// events are one object each, so converting the decoded map costs little
// next to the list decoder; the stream framing, the ERROR-event rules and
// the end-of-stream reporting stay in one place (internal/rest).
type watcher struct {
	ctx      context.Context
	inner    watch.Interface
	fallback bool
	wrap     func(error) error
	result   chan watch.Event

	stop     chan struct{}
	stopOnce sync.Once
}

func newWatcher(ctx context.Context, inner watch.Interface, fallback bool, wrap func(error) error) *watcher {
	w := &watcher{
		ctx:      ctx,
		inner:    inner,
		fallback: fallback,
		wrap:     wrap,
		result:   make(chan watch.Event),
		stop:     make(chan struct{}),
	}
	go w.run()
	return w
}

// ResultChan returns the events; it is closed when the stream ends.
func (w *watcher) ResultChan() <-chan watch.Event { return w.result }

// Stop ends the stream; events not yet received are dropped. It may be
// called more than once, from any goroutine.
func (w *watcher) Stop() {
	w.stopOnce.Do(func() {
		close(w.stop)
		w.inner.Stop()
	})
}

func (w *watcher) run() {
	defer close(w.result)
	defer w.inner.Stop()
	for ev := range w.inner.ResultChan() {
		if u, ok := ev.Object.(*unstructured.Unstructured); ok {
			obj, err := w.convert(u)
			if err != nil {
				// A stream of something else than the view ends here:
				// every later event would fail the same way.
				w.send(watch.Event{Type: watch.Error, Object: w.failure(err)})
				return
			}
			ev.Object = obj
		}
		if !w.send(ev) {
			return
		}
	}
}

// convert keeps the kind, apiVersion and metadata of an event's object.
func (w *watcher) convert(u *unstructured.Unstructured) (*metav1.PartialObjectMetadata, error) {
	obj := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: u.GetAPIVersion(), Kind: u.GetKind()}}
	if obj.Kind != viewKind || obj.APIVersion != viewAPIVersion {
		if !w.fallback {
			return nil, fmt.Errorf("%w: got apiVersion %q kind %q", ErrViewUnsupported, obj.APIVersion, obj.Kind)
		}
	}
	if m, ok := u.Object["metadata"].(map[string]any); ok {
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &obj.ObjectMeta); err != nil {
			return nil, fmt.Errorf("decoding the metadata of a %s event object: %w", obj.Kind, err)
		}
	}
	return obj, nil
}

// send delivers ev unless the watch is stopped first.
func (w *watcher) send(ev watch.Event) bool {
	select {
	case w.result <- ev:
		return true
	case <-w.stop:
		return false
	case <-w.ctx.Done():
		return false
	}
}

// failure is the Status of an ERROR event for a client-side failure.
func (w *watcher) failure(err error) *metav1.Status {
	return &metav1.Status{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Status"},
		Status:   metav1.StatusFailure,
		Code:     http.StatusInternalServerError,
		Reason:   metav1.StatusReasonInternalError,
		Message:  w.wrap(err).Error(),
	}
}
