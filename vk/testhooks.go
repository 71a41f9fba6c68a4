//go:build cgo && !novulkan && (linux || freebsd || darwin)

package vk

/*
#include "shim.h"
*/
import "C"

// misuseForTest (used by the tests) records a barrier into the command buffer while it is not recording.
func (d *Device) misuseForTest() {
	d.mu.Lock()
	defer d.mu.Unlock()
	C.sk_barrier(d.c, C.uint64_t(d.cmd), stageCompute, stageCompute, accShaderWrite, accShaderRead)
}
