package informer

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/anykube/anykube/dynamic/lister"
)

// listener is one handler with its queue. The informer pushes
// notifications under its lock, in cache order; the listener's goroutine
// calls the handler.
type listener[T lister.Object] struct {
	handler EventHandlerOf[T]
	// resync is the handler's resync period; zero means none.
	resync time.Duration
	q      *queue[notification[T]]
	// target is the number of notifications the handler must have
	// finished to count as synced; negative until known.
	target atomic.Int64
	// quit ends the resync goroutine.
	quit     chan struct{}
	quitOnce sync.Once
}

func newListener[T lister.Object](h EventHandlerOf[T], resync time.Duration) *listener[T] {
	l := &listener[T]{handler: h, resync: resync, q: newQueue[notification[T]](), quit: make(chan struct{})}
	l.target.Store(-1)
	return l
}

// markSynced records that everything pushed so far belongs to the
// handler's initial state. Called under the informer's lock.
func (l *listener[T]) markSynced() {
	pushed, _ := l.q.counts()
	l.target.Store(int64(pushed))
}

func (l *listener[T]) hasSynced() bool {
	t := l.target.Load()
	if t < 0 {
		return false
	}
	_, popped := l.q.counts()
	return popped >= uint64(t)
}

// run calls the handler for each notification until the queue stops.
func (l *listener[T]) run() {
	for {
		n, ok := l.q.pop()
		if !ok {
			return
		}
		n.deliver(l.handler)
		l.q.done()
	}
}

// stop ends the listener: with drain, after the handler has seen every
// notification already queued. It may be called more than once.
func (l *listener[T]) stop(drain bool) {
	l.q.stop(drain)
	l.quitOnce.Do(func() { close(l.quit) })
}
