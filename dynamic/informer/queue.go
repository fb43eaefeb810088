package informer

import "sync"

// queue is an unbounded FIFO with one consumer. push never blocks, so the
// goroutine that feeds it (the watch) never waits for the consumer (a
// handler); memory grows instead while a consumer lags.
type queue[T any] struct {
	// mu guards every field below.
	mu sync.Mutex
	// ring holds the items from head, n of them, wrapping around.
	ring    []T
	head, n int
	// stopped: pop returns false once the queue is empty (drain) or at
	// once (!drain).
	stopped, drain bool
	// pushed and popped count items over the queue's life; a consumer's
	// progress is measured against them.
	pushed, popped uint64

	// wake has room for one token: a push or stop while the consumer
	// waits leaves one there.
	wake chan struct{}
}

func newQueue[T any]() *queue[T] {
	return &queue[T]{wake: make(chan struct{}, 1)}
}

// push appends x; it is dropped when the queue has been stopped.
func (q *queue[T]) push(x T) {
	q.mu.Lock()
	if q.stopped {
		q.mu.Unlock()
		return
	}
	if q.n == len(q.ring) {
		q.growLocked()
	}
	q.ring[(q.head+q.n)%len(q.ring)] = x
	q.n++
	q.pushed++
	q.mu.Unlock()
	q.signal()
}

func (q *queue[T]) growLocked() {
	size := max(16, 2*len(q.ring))
	ring := make([]T, size)
	for i := range q.n {
		ring[i] = q.ring[(q.head+i)%len(q.ring)]
	}
	q.ring, q.head = ring, 0
}

func (q *queue[T]) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// pop waits for the next item. It returns false when the queue is stopped:
// at once, or after the last item when stopped with drain.
func (q *queue[T]) pop() (T, bool) {
	var zero T
	for {
		q.mu.Lock()
		if q.stopped && (!q.drain || q.n == 0) {
			q.mu.Unlock()
			return zero, false
		}
		if q.n > 0 {
			x := q.ring[q.head]
			q.ring[q.head] = zero // let the item be collected
			q.head = (q.head + 1) % len(q.ring)
			q.n--
			if q.n == 0 && len(q.ring) > 1024 {
				// A burst is over: give its memory back.
				q.ring, q.head = nil, 0
			}
			q.mu.Unlock()
			return x, true
		}
		q.mu.Unlock()
		<-q.wake
	}
}

// done records that the consumer finished with an item it popped.
func (q *queue[T]) done() {
	q.mu.Lock()
	q.popped++
	q.mu.Unlock()
}

// stop ends the queue; with drain the consumer gets the items already
// queued first. Later pushes are dropped.
func (q *queue[T]) stop(drain bool) {
	q.mu.Lock()
	if !q.stopped {
		q.stopped, q.drain = true, drain
	}
	q.mu.Unlock()
	q.signal()
}

// counts returns how many items were pushed and how many the consumer
// finished.
func (q *queue[T]) counts() (pushed, popped uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pushed, q.popped
}
