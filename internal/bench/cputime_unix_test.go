//go:build unix

package bench

import "syscall"

// cpuTime returns the CPU time, user and system, that the process has used
// so far in all its threads, in nanoseconds; 0 if the system will not say.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
