//go:build cgo && !novulkan && linux

package vk

/*
#include "vkabi.h"
*/
import "C"

// Compile-time checks that the Go copies of Vulkan constants (used by files that build
// without cgo too) equal vkabi.h's, which TestABIMatchesSystemHeader checks against the
// official header: each line fails to compile when the difference is not zero.
var (
	_ [vkTimeout - C.VK_TIMEOUT]int
	_ [C.VK_TIMEOUT - vkTimeout]int
	_ [vkErrOutOfHostMemory - C.VK_ERROR_OUT_OF_HOST_MEMORY]int
	_ [C.VK_ERROR_OUT_OF_HOST_MEMORY - vkErrOutOfHostMemory]int
	_ [vkErrOutOfDeviceMemory - C.VK_ERROR_OUT_OF_DEVICE_MEMORY]int
	_ [C.VK_ERROR_OUT_OF_DEVICE_MEMORY - vkErrOutOfDeviceMemory]int
	_ [vkErrInitializationFail - C.VK_ERROR_INITIALIZATION_FAILED]int
	_ [C.VK_ERROR_INITIALIZATION_FAILED - vkErrInitializationFail]int
	_ [vkErrDeviceLost - C.VK_ERROR_DEVICE_LOST]int
	_ [C.VK_ERROR_DEVICE_LOST - vkErrDeviceLost]int
	_ [vkErrMemoryMapFailed - C.VK_ERROR_MEMORY_MAP_FAILED]int
	_ [C.VK_ERROR_MEMORY_MAP_FAILED - vkErrMemoryMapFailed]int
	_ [vkErrLayerNotPresent - C.VK_ERROR_LAYER_NOT_PRESENT]int
	_ [C.VK_ERROR_LAYER_NOT_PRESENT - vkErrLayerNotPresent]int
	_ [vkErrExtensionNotPresent - C.VK_ERROR_EXTENSION_NOT_PRESENT]int
	_ [C.VK_ERROR_EXTENSION_NOT_PRESENT - vkErrExtensionNotPresent]int
	_ [vkErrFeatureNotPresent - C.VK_ERROR_FEATURE_NOT_PRESENT]int
	_ [C.VK_ERROR_FEATURE_NOT_PRESENT - vkErrFeatureNotPresent]int
	_ [vkErrIncompatibleDriver - C.VK_ERROR_INCOMPATIBLE_DRIVER]int
	_ [C.VK_ERROR_INCOMPATIBLE_DRIVER - vkErrIncompatibleDriver]int
	_ [vkErrTooManyObjects - C.VK_ERROR_TOO_MANY_OBJECTS]int
	_ [C.VK_ERROR_TOO_MANY_OBJECTS - vkErrTooManyObjects]int
	_ [vkErrFragmentedPool - C.VK_ERROR_FRAGMENTED_POOL]int
	_ [C.VK_ERROR_FRAGMENTED_POOL - vkErrFragmentedPool]int
	_ [vkErrOutOfPoolMemory - C.VK_ERROR_OUT_OF_POOL_MEMORY]int
	_ [C.VK_ERROR_OUT_OF_POOL_MEMORY - vkErrOutOfPoolMemory]int

	_ [memDeviceLocal - C.VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT]int
	_ [C.VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT - memDeviceLocal]int
	_ [memHostVisible - C.VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT]int
	_ [C.VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT - memHostVisible]int
	_ [memHostCoherent - C.VK_MEMORY_PROPERTY_HOST_COHERENT_BIT]int
	_ [C.VK_MEMORY_PROPERTY_HOST_COHERENT_BIT - memHostCoherent]int
	_ [memHostCached - C.VK_MEMORY_PROPERTY_HOST_CACHED_BIT]int
	_ [C.VK_MEMORY_PROPERTY_HOST_CACHED_BIT - memHostCached]int
	_ [heapDeviceLocal - C.VK_MEMORY_HEAP_DEVICE_LOCAL_BIT]int
	_ [C.VK_MEMORY_HEAP_DEVICE_LOCAL_BIT - heapDeviceLocal]int

	_ [stageCompute - C.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT]int
	_ [C.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT - stageCompute]int
	_ [stageTransfer - C.VK_PIPELINE_STAGE_TRANSFER_BIT]int
	_ [C.VK_PIPELINE_STAGE_TRANSFER_BIT - stageTransfer]int
	_ [stageHost - C.VK_PIPELINE_STAGE_HOST_BIT]int
	_ [C.VK_PIPELINE_STAGE_HOST_BIT - stageHost]int
	_ [accShaderRead - C.VK_ACCESS_SHADER_READ_BIT]int
	_ [C.VK_ACCESS_SHADER_READ_BIT - accShaderRead]int
	_ [accShaderWrite - C.VK_ACCESS_SHADER_WRITE_BIT]int
	_ [C.VK_ACCESS_SHADER_WRITE_BIT - accShaderWrite]int
	_ [accTransferRead - C.VK_ACCESS_TRANSFER_READ_BIT]int
	_ [C.VK_ACCESS_TRANSFER_READ_BIT - accTransferRead]int
	_ [accTransferWrite - C.VK_ACCESS_TRANSFER_WRITE_BIT]int
	_ [C.VK_ACCESS_TRANSFER_WRITE_BIT - accTransferWrite]int
	_ [accHostRead - C.VK_ACCESS_HOST_READ_BIT]int
	_ [C.VK_ACCESS_HOST_READ_BIT - accHostRead]int

	_ [physOther - C.VK_PHYSICAL_DEVICE_TYPE_OTHER]int
	_ [C.VK_PHYSICAL_DEVICE_TYPE_OTHER - physOther]int
	_ [physIntegrated - C.VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU]int
	_ [C.VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU - physIntegrated]int
	_ [physDiscrete - C.VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU]int
	_ [C.VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU - physDiscrete]int
	_ [physVirtual - C.VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU]int
	_ [C.VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU - physVirtual]int
	_ [physCPU - C.VK_PHYSICAL_DEVICE_TYPE_CPU]int
	_ [C.VK_PHYSICAL_DEVICE_TYPE_CPU - physCPU]int
)
