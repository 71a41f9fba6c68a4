package cpu

import (
	"syscall"
	"time"
)

// threadCPU returns the CPU time of the calling OS thread: on a machine shared with other
// jobs, throughput per CPU second is steadier than per wall second. The caller locks its
// goroutine to the thread.
func threadCPU() (time.Duration, bool) {
	const rusageThread = 1 // RUSAGE_THREAD
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
