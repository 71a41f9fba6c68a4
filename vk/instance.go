//go:build cgo && !novulkan && linux

package vk

/*
#cgo LDFLAGS: -ldl
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

const (
	apiVersion11    = 1<<22 | 1<<12
	apiVersion13    = 1<<22 | 3<<12
	validationLayer = "VK_LAYER_KHRONOS_validation"
)

// instance is one VkInstance with its debug messenger and shim context.
type instance struct {
	c      *C.sk_ctx
	api    uint32
	handle uint64 // VkInstance
}

// loadLoader opens the Vulkan loader (once per process).
func loadLoader() error {
	var buf [512]C.char
	if C.sk_load(&buf[0], C.int(len(buf))) == 0 {
		return unsupported("%s", C.GoString(&buf[0]))
	}
	return nil
}

func hasLayer(name string) bool {
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	return C.sk_has_layer(cs) != 0
}

func hasInstanceExtension(layer, name string) bool {
	var cl *C.char
	if layer != "" {
		cl = C.CString(layer)
		defer C.free(unsafe.Pointer(cl))
	}
	cn := C.CString(name)
	defer C.free(unsafe.Pointer(cn))
	return C.sk_has_instance_extension(cl, cn) != 0
}

// newInstance creates an instance; with validation it enables the Khronos layer, a
// messenger that records warnings and errors, and synchronisation validation.
func newInstance(validation bool) (*instance, error) {
	if err := loadLoader(); err != nil {
		return nil, err
	}
	api := min(uint32(C.sk_loader_version()), apiVersion13)
	if api < apiVersion11 {
		return nil, unsupported("the Vulkan loader offers only version %s", versionString(api))
	}
	debugUtils, syncValidation := false, false
	if validation {
		if !hasLayer(validationLayer) {
			return nil, unsupported("%s is not installed", validationLayer)
		}
		debugUtils = hasInstanceExtension("", "VK_EXT_debug_utils") ||
			hasInstanceExtension(validationLayer, "VK_EXT_debug_utils")
		if !debugUtils {
			return nil, unsupported("VK_EXT_debug_utils is not available for validation messages")
		}
		syncValidation = hasInstanceExtension(validationLayer, "VK_EXT_validation_features")
	}
	c := C.sk_new()
	if c == nil {
		return nil, fmt.Errorf("vulkan: %w", errors.New("out of host memory"))
	}
	portability := hasInstanceExtension("", "VK_KHR_portability_enumeration")
	r := C.sk_create_instance(c, C.uint32_t(api), cbool(validation), cbool(debugUtils), cbool(syncValidation), cbool(portability))
	if err := check("vkCreateInstance", int32(r)); err != nil {
		C.sk_destroy_instance(c)
		C.sk_free(c)
		return nil, err
	}
	in := &instance{c: c, api: api, handle: uint64(C.sk_instance(c))}
	if err := initBinding(in.handle); err != nil {
		in.close()
		return nil, err
	}
	return in, nil
}

func (in *instance) close() {
	if in.c == nil {
		return
	}
	C.sk_destroy_instance(in.c)
	C.sk_free(in.c)
	in.c = nil
}

// physicalDevices lists the handles of the instance's physical devices.
func (in *instance) physicalDevices() ([]uint64, error) {
	var handles [64]C.uint64_t
	n := C.uint32_t(len(handles))
	if err := check("vkEnumeratePhysicalDevices", int32(C.sk_enum_physical(in.c, &handles[0], &n))); err != nil {
		return nil, err
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(handles[i])
	}
	return out, nil
}

// messages returns the validation messages recorded so far (and how many there were in
// all, counting those beyond the kept maximum).
func (in *instance) messages() ([]string, int) {
	n := int(C.sk_msg_count(in.c))
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		if s := C.sk_msg_get(in.c, C.int(i)); s != nil {
			out = append(out, C.GoString(s))
		}
	}
	return out, int(C.sk_msg_total(in.c))
}

func (in *instance) clearMessages() { C.sk_msg_clear(in.c) }

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func versionString(v uint32) string {
	return fmt.Sprintf("%d.%d.%d", v>>22&0x7f, v>>12&0x3ff, v&0xfff)
}
