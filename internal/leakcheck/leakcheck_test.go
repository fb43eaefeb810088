package leakcheck

import (
	"runtime"
	"testing"
	"time"
)

func park(release <-chan struct{}) { <-release }

// The check sees a goroutine of the package it is given, and passes once
// it is gone.
func TestGoroutinesSeesParkedGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	release := make(chan struct{})
	go park(release)
	time.Sleep(10 * time.Millisecond)
	if g := Goroutines("github.com/anykube/anykube/internal/leakcheck.park"); len(g) != 1 {
		t.Fatalf("found %d goroutines, want the parked one", len(g))
	}
	close(release)
	Check(t, before, 5*time.Second, "github.com/anykube/anykube/internal/leakcheck.park")
}
