//go:build !unix

package codec

// cpuTime is not measured here; the cpu-ns/op figures read zero.
func cpuTime() int64 { return 0 }
