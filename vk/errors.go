package vk

import (
	"fmt"

	"github.com/scopekv/scope/internal/backend"
)

// Vulkan result codes that the backend interprets.
const (
	vkSuccess                = 0
	vkTimeout                = 2
	vkErrOutOfHostMemory     = -1
	vkErrOutOfDeviceMemory   = -2
	vkErrInitializationFail  = -3
	vkErrDeviceLost          = -4
	vkErrMemoryMapFailed     = -5
	vkErrLayerNotPresent     = -6
	vkErrExtensionNotPresent = -7
	vkErrFeatureNotPresent   = -8
	vkErrIncompatibleDriver  = -9
	vkErrTooManyObjects      = -10
	vkErrFragmentedPool      = -12
	vkErrOutOfPoolMemory     = -1000069000
)

var resultNames = map[int32]string{
	vkTimeout:                "VK_TIMEOUT",
	vkErrOutOfHostMemory:     "VK_ERROR_OUT_OF_HOST_MEMORY",
	vkErrOutOfDeviceMemory:   "VK_ERROR_OUT_OF_DEVICE_MEMORY",
	vkErrInitializationFail:  "VK_ERROR_INITIALIZATION_FAILED",
	vkErrDeviceLost:          "VK_ERROR_DEVICE_LOST",
	vkErrMemoryMapFailed:     "VK_ERROR_MEMORY_MAP_FAILED",
	vkErrLayerNotPresent:     "VK_ERROR_LAYER_NOT_PRESENT",
	vkErrExtensionNotPresent: "VK_ERROR_EXTENSION_NOT_PRESENT",
	vkErrFeatureNotPresent:   "VK_ERROR_FEATURE_NOT_PRESENT",
	vkErrIncompatibleDriver:  "VK_ERROR_INCOMPATIBLE_DRIVER",
	vkErrTooManyObjects:      "VK_ERROR_TOO_MANY_OBJECTS",
	vkErrFragmentedPool:      "VK_ERROR_FRAGMENTED_POOL",
	vkErrOutOfPoolMemory:     "VK_ERROR_OUT_OF_POOL_MEMORY",
}

// ResultError is a failed Vulkan call. It wraps backend.ErrOutOfMemory,
// backend.ErrDeviceLost or backend.ErrUnsupported where the code means one of them.
type ResultError struct {
	Call string
	Code int32
}

func (e *ResultError) Error() string {
	name, ok := resultNames[e.Code]
	if !ok {
		name = fmt.Sprintf("VkResult %d", e.Code)
	}
	return fmt.Sprintf("vulkan: %s: %s", e.Call, name)
}

func (e *ResultError) Unwrap() error {
	switch e.Code {
	case vkErrOutOfHostMemory, vkErrOutOfDeviceMemory, vkErrMemoryMapFailed:
		return backend.ErrOutOfMemory
	case vkErrDeviceLost:
		return backend.ErrDeviceLost
	case vkErrLayerNotPresent, vkErrExtensionNotPresent, vkErrFeatureNotPresent, vkErrIncompatibleDriver:
		return backend.ErrUnsupported
	}
	return nil
}

// check turns a VkResult into an error (nil for success and other non-negative codes).
func check(call string, code int32) error {
	if code >= 0 {
		return nil
	}
	return &ResultError{Call: call, Code: code}
}

func unsupported(format string, args ...any) error {
	return fmt.Errorf("vulkan: %s: %w", fmt.Sprintf(format, args...), backend.ErrUnsupported)
}
