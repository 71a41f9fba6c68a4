//go:build cgo && !novulkan && linux

package vk

/*
#include "shim.h"
*/
import "C"

import (
	"sync"
	"unsafe"

	vkc "github.com/vulkan-go/vulkan"
)

// The Go binding keeps one process-wide table of entry points. It is pointed at the
// loader the shim opened (libvulkan.so.1: the binding's own default opens libvulkan.so,
// which only the -dev package installs) and refilled from every new instance, since until
// InitInstance runs its instance and device entries are null. The Khronos loader returns
// the same dispatching trampolines for every instance, so refilling never changes a
// pointer another device is calling through; bindingMu only orders the refills.
var (
	bindingOnce sync.Once
	bindingMu   sync.Mutex
)

// initBinding hands the loader's vkGetInstanceProcAddr to the binding (once) and loads
// the binding's entry points from instance.
func initBinding(instance uint64) error {
	bindingOnce.Do(func() { vkc.SetGetInstanceProcAddr(C.sk_get_instance_proc_addr()) })
	bindingMu.Lock()
	defer bindingMu.Unlock()
	if err := vkc.InitInstance(handle[vkc.Instance](instance)); err != nil {
		return unsupported("%v", err)
	}
	return nil
}

// handle turns a handle kept as a uint64 into the binding's type for it, which is a C
// pointer (or, for non-dispatchable handles on 32-bit systems, a uint64). Handles live as
// uint64 everywhere outside the calls, so no Go value of the binding's types is kept.
func handle[T any](h uint64) T {
	var t T
	switch unsafe.Sizeof(t) {
	case 8:
		t = *(*T)(unsafe.Pointer(&h))
	case 4:
		v := uint32(h)
		t = *(*T)(unsafe.Pointer(&v))
	}
	return t
}

// u64 is the inverse of handle.
func u64[T any](t T) uint64 {
	switch unsafe.Sizeof(t) {
	case 8:
		return *(*uint64)(unsafe.Pointer(&t))
	case 4:
		return uint64(*(*uint32)(unsafe.Pointer(&t)))
	}
	return 0
}

// result converts a binding result for check.
func result(r vkc.Result) int32 { return int32(r) }
