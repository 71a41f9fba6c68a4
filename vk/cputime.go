//go:build cgo && !novulkan && linux

package vk

import (
	"syscall"
	"time"
)

// rusageThread is Linux's RUSAGE_THREAD: the calling thread's usage.
const rusageThread = 1

// threadCPU returns the CPU time the calling OS thread has used (0 if unknown). Run locks
// its goroutine to one thread, so the difference of two readings is its own CPU time,
// which a loaded machine does not inflate the way it inflates wall time.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(rusageThread, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
