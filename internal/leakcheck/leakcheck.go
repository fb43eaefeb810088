// Package leakcheck finds goroutines a test left behind: it compares the
// goroutine count with one taken before, and lists the goroutines still
// running code of the packages a test names.
package leakcheck

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// Goroutines returns the stacks of running goroutines that have a frame
// of any of the given packages (import path prefixes), leaving out the
// test harness's own (the main goroutine and running tests).
func Goroutines(packages ...string) []string {
	// A dump that fills the buffer was cut short: grow until it fits.
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	for n == len(buf) {
		buf = make([]byte, 2*len(buf))
		n = runtime.Stack(buf, true)
	}
	var out []string
	for g := range strings.SplitSeq(string(buf[:n]), "\n\n") {
		if strings.Contains(g, "testing.tRunner(") || strings.Contains(g, "testing.(*M).Run(") {
			continue
		}
		for _, p := range packages {
			if strings.Contains(g, p) {
				out = append(out, g)
				break
			}
		}
	}
	return out
}

// Check fails t when, within wait, the number of goroutines does not fall
// back to before or goroutines running code of packages remain; the
// failure lists them. A negative before checks only the packages'
// goroutines, for tests whose HTTP connection pools may grow meanwhile
// (an idle connection has goroutines of net/http's own).
func Check(t testing.TB, before int, wait time.Duration, packages ...string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		ours, now := Goroutines(packages...), runtime.NumGoroutine()
		if len(ours) == 0 && (before < 0 || now <= before) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines left after %v: %d (before %d); of %v:\n%s", wait, now, before, packages, strings.Join(ours, "\n\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
