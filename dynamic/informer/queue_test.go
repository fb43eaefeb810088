package informer

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQueueFIFOAcrossGrowth(t *testing.T) {
	q := newQueue[int]()
	// Interleave pushes and pops so the ring wraps before it grows.
	next := 0
	for i := range 5000 {
		q.push(i)
		if i%3 == 0 {
			x, ok := q.pop()
			require.True(t, ok)
			require.Equal(t, next, x)
			next++
			q.done()
		}
	}
	for next < 5000 {
		x, ok := q.pop()
		require.True(t, ok)
		require.Equal(t, next, x)
		next++
		q.done()
	}
	pushed, popped := q.counts()
	assert.Equal(t, uint64(5000), pushed)
	assert.Equal(t, uint64(5000), popped)
}

func TestQueuePopWaitsForPush(t *testing.T) {
	q := newQueue[string]()
	got := make(chan string)
	go func() {
		x, _ := q.pop()
		got <- x
	}()
	select {
	case <-got:
		t.Fatal("pop returned from an empty queue")
	case <-time.After(20 * time.Millisecond):
	}
	q.push("a")
	assert.Equal(t, "a", <-got)
}

func TestQueueStop(t *testing.T) {
	q := newQueue[int]()
	q.push(1)
	q.push(2)
	q.stop(true)
	q.push(3) // dropped
	x, ok := q.pop()
	assert.True(t, ok)
	assert.Equal(t, 1, x)
	x, ok = q.pop()
	assert.True(t, ok)
	assert.Equal(t, 2, x)
	_, ok = q.pop()
	assert.False(t, ok)

	q = newQueue[int]()
	q.push(1)
	q.stop(false)
	_, ok = q.pop()
	assert.False(t, ok, "stop without drain drops the queue")

	// A consumer waiting on an empty queue is woken by stop.
	q = newQueue[int]()
	var wg sync.WaitGroup
	wg.Go(func() {
		_, ok := q.pop()
		assert.False(t, ok)
	})
	time.Sleep(5 * time.Millisecond)
	q.stop(true)
	wg.Wait()
}

func TestQueueConcurrentProducer(t *testing.T) {
	q := newQueue[int]()
	const n = 20000
	go func() {
		for i := range n {
			q.push(i)
		}
	}()
	for i := range n {
		x, ok := q.pop()
		require.True(t, ok)
		require.Equal(t, i, x)
	}
}
