// Package watchtest holds helpers for tests of watches.
package watchtest

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/watch"
)

// Collect returns the events of w until its channel closes, and fails t if
// that takes more than five seconds.
func Collect(t testing.TB, w watch.Interface) []watch.Event {
	t.Helper()
	var out []watch.Event
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				return out
			}
			out = append(out, ev)
		case <-timeout:
			t.Fatal("watch did not end")
			return out
		}
	}
}
