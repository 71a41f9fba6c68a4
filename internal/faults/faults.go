// Package faults lets tests make a backend fail at a chosen point: the nth device memory
// allocation from now, the nth queue submit, or the next device open. Nothing is armed
// unless a test arms it, and a point disarms itself once it has fired. The state is
// process-wide: tests that arm a point must not run in parallel with other device work.
package faults

import "sync/atomic"

// Point is a place where a backend asks whether to fail.
type Point int

const (
	Alloc  Point = iota // a device memory allocation fails with an out-of-memory error
	Submit              // a queue submit fails with a device-lost error
	Open                // opening a Vulkan device fails
	numPoints
)

// armed holds, per point, 1 + the number of calls still to pass; 0 when disarmed.
var armed [numPoints]atomic.Int64

// FailAfter arms p: n calls pass, the one after them fails.
func FailAfter(p Point, n int) { armed[p].Store(int64(n) + 1) }

// Reset disarms every point.
func Reset() {
	for i := range armed {
		armed[i].Store(0)
	}
}

// Hit is called by a backend at p; it reports whether this call must fail.
func Hit(p Point) bool {
	c := &armed[p]
	for {
		v := c.Load()
		if v == 0 {
			return false
		}
		if c.CompareAndSwap(v, v-1) {
			return v == 1
		}
	}
}
