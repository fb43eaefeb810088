package fake

import (
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
)

// watcher is one open watch. Writers queue events without blocking; a pump
// goroutine hands them to the result channel as the reader takes them.
type watcher struct {
	c         *FakeDynamicClient
	gvr       schema.GroupVersionResource
	namespace string
	sel       selector
	bookmarks bool
	// from is the resourceVersion the watch started after; changes at or
	// before it are never sent.
	from int64

	result chan watch.Event
	wake   chan struct{} // one pending wake-up for the pump
	stop   chan struct{} // closed by Stop: drop everything
	done   chan struct{} // closed by the pump when result is closed

	// mu guards queue and ended.
	mu    sync.Mutex
	queue []watch.Event
	// ended means nothing more will be queued; the pump closes result
	// once the queue is drained.
	ended bool

	stopOnce sync.Once
}

var _ watch.Interface = (*watcher)(nil)

func newWatcher(c *FakeDynamicClient, gvr schema.GroupVersionResource, ns string, sel selector, bookmarks bool, from int64) *watcher {
	w := &watcher{
		c: c, gvr: gvr, namespace: ns, sel: sel, bookmarks: bookmarks, from: from,
		result: make(chan watch.Event),
		wake:   make(chan struct{}, 1),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	go w.pump()
	return w
}

// ResultChan returns the events; it is closed when the watch ends.
func (w *watcher) ResultChan() <-chan watch.Event { return w.result }

// Stop ends the watch at once; queued events are dropped. It is safe to call
// more than once and from any goroutine.
func (w *watcher) Stop() {
	w.stopOnce.Do(func() {
		w.c.mu.Lock()
		delete(w.c.watchers, w)
		w.c.mu.Unlock()
		close(w.stop)
	})
}

// endLocked ends the watch the way a server closes one: queued events are
// still delivered, then the channel closes. The caller holds c.mu.
func (w *watcher) endLocked() {
	delete(w.c.watchers, w)
	w.mu.Lock()
	w.ended = true
	w.mu.Unlock()
	w.signal()
}

// end is endLocked for callers not holding c.mu.
func (w *watcher) end() {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	w.endLocked()
}

// push queues ev; it never blocks.
func (w *watcher) push(ev watch.Event) {
	w.mu.Lock()
	if w.ended {
		w.mu.Unlock()
		return
	}
	w.queue = append(w.queue, ev)
	w.mu.Unlock()
	w.signal()
}

func (w *watcher) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *watcher) pump() {
	defer close(w.done)
	defer close(w.result)
	for {
		w.mu.Lock()
		if len(w.queue) == 0 {
			ended := w.ended
			w.mu.Unlock()
			if ended {
				return
			}
			select {
			case <-w.wake:
				continue
			case <-w.stop:
				return
			}
		}
		ev := w.queue[0]
		w.queue[0] = watch.Event{}
		w.queue = w.queue[1:]
		w.mu.Unlock()
		select {
		case w.result <- ev:
		case <-w.stop:
			return
		}
	}
}

// eventFor returns the event ch means for this watcher, if any. The object
// is a copy the reader may keep and change.
func (w *watcher) eventFor(ch *change) (watch.Event, bool) {
	if ch.rv <= w.from || ch.gvr != w.gvr || (w.namespace != "" && ch.key.namespace != w.namespace) {
		return watch.Event{}, false
	}
	typ, ok := eventType(w.sel.matches(ch.prev), w.sel.matches(ch.cur))
	if !ok {
		return watch.Event{}, false
	}
	if typ == watch.Deleted {
		return watch.Event{Type: typ, Object: ch.deletedObject()}, true
	}
	return watch.Event{Type: typ, Object: ch.cur.DeepCopy()}, true
}
