//go:build unix

package codec

import "syscall"

// cpuTime is the process's user plus system CPU time in nanoseconds, all
// threads together.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
