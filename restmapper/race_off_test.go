//go:build !race

package restmapper_test

const raceEnabled = false
