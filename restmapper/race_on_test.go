//go:build race

package restmapper_test

// raceEnabled shrinks the differential tests under the race detector, which
// slows them tenfold without making them find more.
const raceEnabled = true
