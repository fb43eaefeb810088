//go:build !unix

package bench

// cpuTime returns 0: CPU time is not measured on this system.
func cpuTime() int64 { return 0 }
