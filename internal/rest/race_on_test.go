//go:build race

package rest

// raceEnabled widens the allocation bounds of tests whose pooled memory the
// race detector's sync.Pool drops at random.
const raceEnabled = true
