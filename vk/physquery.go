//go:build cgo && !novulkan && linux

package vk

/*
#include "shim.h"
*/
import "C"

import (
	vkc "github.com/vulkan-go/vulkan"
)

// queryPhys reads a physical device: the Vulkan 1.0 properties, features and memory
// types through the binding (single output structs, read with Deref and copied out at
// once), the Vulkan 1.1+ chains, memory budgets and queue families through the shim.
func queryPhys(in *instance, h uint64) physInfo {
	p := physInfo{handle: h}
	pd := handle[vkc.PhysicalDevice](h)
	timestamps := readProperties(pd, &p)
	readFeatures(pd, &p)
	var ci C.sk_physinfo
	C.sk_phys_info(in.c, C.uint64_t(h), C.uint32_t(in.api), C.uint32_t(p.api), &ci)
	p.subgroupSize = int(ci.subgroupSize)
	p.subgroupOps = uint32(ci.subgroupOps)
	p.subgroupCompute = ci.subgroupStages&C.VK_SHADER_STAGE_COMPUTE_BIT != 0
	p.fp16 = ci.shaderFloat16 != 0 && ci.storageBuffer16 != 0
	p.int8 = ci.shaderInt8 != 0 && ci.storageBuffer8 != 0
	p.intDot = ci.integerDotProduct != 0
	p.intDotAccel = ci.integerDot4x8Signed != 0
	p.queueFamily = int(ci.queueFamily)
	if ci.maxMemoryAllocationSize != 0 {
		p.maxAllocation = int64(ci.maxMemoryAllocationSize)
	}
	if timestamps {
		p.timestampBits = uint32(ci.timestampValidBits)
	}
	readMemory(pd, &p)
	for i := range p.heaps {
		p.heaps[i].budget = int64(ci.memoryHeapBudget[i])
	}
	return p
}

// readProperties copies the device's name, version, type and limits, and reports whether
// every compute queue writes timestamps.
func readProperties(pd vkc.PhysicalDevice, p *physInfo) bool {
	var props vkc.PhysicalDeviceProperties
	vkc.GetPhysicalDeviceProperties(pd, &props)
	props.Deref()
	props.Limits.Deref()
	defer props.Free()
	l := &props.Limits
	p.name = cString(props.DeviceName[:])
	p.api = props.ApiVersion
	p.deviceType = int32(props.DeviceType)
	p.maxStorageBufferRange = int64(l.MaxStorageBufferRange)
	p.maxPushConstants = int(l.MaxPushConstantsSize)
	p.maxSharedMemory = int(l.MaxComputeSharedMemorySize)
	p.maxGroupInvocations = int(l.MaxComputeWorkGroupInvocations)
	p.maxGroupCount = l.MaxComputeWorkGroupCount
	p.maxGroupSize = l.MaxComputeWorkGroupSize
	p.storageAlign = max(int64(l.MinStorageBufferOffsetAlignment), 16)
	p.maxStorageBuffers = int(l.MaxPerStageDescriptorStorageBuffers)
	p.timestampPeriod = float64(l.TimestampPeriod)
	// Vulkan 1.0 guarantees 1 GiB per allocation; maintenance3 may report more.
	p.maxAllocation = 1 << 30
	return l.TimestampComputeAndGraphics != 0
}

func readFeatures(pd vkc.PhysicalDevice, p *physInfo) {
	var f vkc.PhysicalDeviceFeatures
	vkc.GetPhysicalDeviceFeatures(pd, &f)
	f.Deref()
	p.dynamicIndexing = f.ShaderStorageBufferArrayDynamicIndexing != 0
	f.Free()
}

func readMemory(pd vkc.PhysicalDevice, p *physInfo) {
	var m vkc.PhysicalDeviceMemoryProperties
	vkc.GetPhysicalDeviceMemoryProperties(pd, &m)
	m.Deref()
	defer m.Free()
	for i := 0; i < int(min(m.MemoryTypeCount, vkc.MaxMemoryTypes)); i++ {
		t := m.MemoryTypes[i]
		t.Deref()
		p.memTypes = append(p.memTypes, memType{flags: uint32(t.PropertyFlags), heap: int(t.HeapIndex)})
	}
	for i := 0; i < int(min(m.MemoryHeapCount, vkc.MaxMemoryHeaps)); i++ {
		h := m.MemoryHeaps[i]
		h.Deref()
		p.heaps = append(p.heaps, memHeap{size: int64(h.Size), flags: uint32(h.Flags)})
	}
}

// cString is the text of a NUL-terminated byte array.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
