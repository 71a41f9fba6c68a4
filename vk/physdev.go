//go:build cgo && !novulkan && linux

package vk

import (
	"sort"

	"github.com/scopekv/scope/shaders"
)

// Memory property and heap flags.
const (
	memDeviceLocal  = 0x1
	memHostVisible  = 0x2
	memHostCoherent = 0x4
	memHostCached   = 0x8
	heapDeviceLocal = 0x1
)

// Physical device types.
const (
	physOther      = 0
	physIntegrated = 1
	physDiscrete   = 2
	physVirtual    = 3
	physCPU        = 4
)

// physInfo is what the backend knows of a physical device (see queryPhys).
type physInfo struct {
	handle                uint64
	name                  string
	api                   uint32
	deviceType            int32
	maxStorageBufferRange int64
	maxPushConstants      int
	maxSharedMemory       int
	maxGroupCount         [3]uint32
	maxGroupInvocations   int
	maxGroupSize          [3]uint32
	storageAlign          int64
	maxAllocation         int64
	maxStorageBuffers     int
	timestampPeriod       float64 // ns per tick
	timestampBits         uint32
	subgroupSize          int
	subgroupOps           uint32 // VkSubgroupFeatureFlags
	subgroupCompute       bool   // subgroup operations are supported in compute shaders
	fp16, int8            bool
	intDot                bool // shaderIntegerDotProduct
	intDotAccel           bool // packed signed 4x8-bit dot products are accelerated
	dynamicIndexing       bool
	queueFamily           int
	memTypes              []memType
	heaps                 []memHeap
}

type memType struct {
	flags uint32
	heap  int
}

type memHeap struct {
	size, budget int64
	flags        uint32
}

// kind names the device type as backend.Caps.Kind does.
func (p *physInfo) kind() string {
	switch p.deviceType {
	case physIntegrated:
		return "integrated"
	case physDiscrete:
		return "discrete"
	case physVirtual:
		return "virtual"
	case physCPU:
		return "software"
	}
	return "other"
}

// rank orders device types: discrete > integrated > virtual > CPU > other.
func (p *physInfo) rank() int {
	switch p.deviceType {
	case physDiscrete:
		return 4
	case physIntegrated:
		return 3
	case physVirtual:
		return 2
	case physCPU:
		return 1
	}
	return 0
}

// usable reports whether the backend can run on the device, and why not.
func (p *physInfo) usable() (bool, string) {
	switch {
	case p.api < apiVersion11:
		return false, "Vulkan 1.1 is required, the device offers " + versionString(p.api)
	case p.queueFamily < 0:
		return false, "no compute queue"
	case !p.dynamicIndexing:
		return false, "no dynamic indexing of storage buffer arrays"
	case p.maxPushConstants < 128:
		return false, "fewer than 128 bytes of push constants"
	case p.maxGroupInvocations < 256 || p.maxGroupSize[0] < 256:
		return false, "workgroups of fewer than 256 invocations"
	case p.maxStorageBuffers < 2*shaders.KVChunks+6:
		return false, "too few storage buffers per shader stage"
	}
	return true, ""
}

// deviceLocalBytes is the largest device-local heap (its budget when reported).
func (p *physInfo) deviceLocalBytes() int64 {
	var best int64
	for _, h := range p.heaps {
		if h.flags&heapDeviceLocal == 0 {
			continue
		}
		size := h.size
		if h.budget > 0 {
			size = h.budget
		}
		best = max(best, size)
	}
	return best
}

func (p *physInfo) info(index int) DeviceInfo {
	ok, _ := p.usable()
	return DeviceInfo{
		Index:                 index,
		Name:                  p.name,
		Kind:                  p.kind(),
		APIVersion:            versionString(p.api),
		MemoryBytes:           p.deviceLocalBytes(),
		SubgroupSize:          p.subgroupSize,
		FP16:                  p.fp16,
		Int8:                  p.int8,
		IntDot:                p.intDot,
		IntDotAccelerated:     p.intDotAccel,
		MaxStorageBufferRange: p.maxStorageBufferRange,
		MaxAllocation:         p.maxAllocation,
		MaxPushConstants:      p.maxPushConstants,
		MaxSharedMemory:       p.maxSharedMemory,
		Usable:                ok,
	}
}

// ListDevices lists the Vulkan devices in the loader's order.
func ListDevices() ([]DeviceInfo, error) {
	in, err := newInstance(false)
	if err != nil {
		return nil, err
	}
	defer in.close()
	handles, err := in.physicalDevices()
	if err != nil {
		return nil, err
	}
	out := make([]DeviceInfo, len(handles))
	for i, h := range handles {
		p := queryPhys(in, h)
		out[i] = p.info(i)
	}
	return out, nil
}

// choosePhys picks the device at index, or the best usable one when index < 0.
func choosePhys(in *instance, index int) (physInfo, int, error) {
	handles, err := in.physicalDevices()
	if err != nil {
		return physInfo{}, 0, err
	}
	if len(handles) == 0 {
		return physInfo{}, 0, unsupported("no Vulkan device")
	}
	if index >= len(handles) {
		return physInfo{}, 0, unsupported("device index %d out of range (%d devices)", index, len(handles))
	}
	if index >= 0 {
		p := queryPhys(in, handles[index])
		if ok, why := p.usable(); !ok {
			return physInfo{}, 0, unsupported("device %d (%s): %s", index, p.name, why)
		}
		return p, index, nil
	}
	order := make([]int, len(handles))
	infos := make([]physInfo, len(handles))
	for i, h := range handles {
		order[i] = i
		infos[i] = queryPhys(in, h)
	}
	sort.SliceStable(order, func(a, b int) bool { return infos[order[a]].rank() > infos[order[b]].rank() })
	var why string
	for _, i := range order {
		ok, reason := infos[i].usable()
		if ok {
			return infos[i], i, nil
		}
		why = infos[i].name + ": " + reason
	}
	return physInfo{}, 0, unsupported("no usable Vulkan device (%s)", why)
}
