//go:build cgo && !novulkan && linux

package vk

import (
	"runtime"
	"unsafe"

	vkc "github.com/vulkan-go/vulkan"
)

// Object creation and destruction through the binding. Every create-info is a fresh local
// value (the binding keeps a create-info's first C copy), its C copy is freed with Free
// after the call, Go slices it stores in C memory are pinned for the call, and outputs are
// local variables converted to uint64 at once.

func (d *Device) vkDevice() vkc.Device { return handle[vkc.Device](d.dev) }

// createCommands creates the command pool, its one command buffer and the fence.
func (d *Device) createCommands() error {
	pi := vkc.CommandPoolCreateInfo{SType: vkc.StructureTypeCommandPoolCreateInfo,
		Flags: vkc.CommandPoolCreateFlags(vkc.CommandPoolCreateResetCommandBufferBit), QueueFamilyIndex: uint32(d.phys.queueFamily)}
	var pool vkc.CommandPool
	r := vkc.CreateCommandPool(d.vkDevice(), &pi, nil, &pool)
	pi.Free()
	if err := check("vkCreateCommandPool", result(r)); err != nil {
		return err
	}
	d.cmdPool = u64(pool)
	ai := vkc.CommandBufferAllocateInfo{SType: vkc.StructureTypeCommandBufferAllocateInfo,
		CommandPool: pool, Level: vkc.CommandBufferLevelPrimary, CommandBufferCount: 1}
	cmds := make([]vkc.CommandBuffer, 1)
	r = vkc.AllocateCommandBuffers(d.vkDevice(), &ai, cmds)
	ai.Free()
	if err := check("vkAllocateCommandBuffers", result(r)); err != nil {
		return err
	}
	d.cmd = u64(cmds[0])
	fi := vkc.FenceCreateInfo{SType: vkc.StructureTypeFenceCreateInfo}
	var fence vkc.Fence
	r = vkc.CreateFence(d.vkDevice(), &fi, nil, &fence)
	fi.Free()
	if err := check("vkCreateFence", result(r)); err != nil {
		return err
	}
	d.fence = u64(fence)
	return nil
}

func (d *Device) destroyCommands() {
	if d.fence != 0 {
		vkc.DestroyFence(d.vkDevice(), handle[vkc.Fence](d.fence), nil)
	}
	if d.cmdPool != 0 {
		vkc.DestroyCommandPool(d.vkDevice(), handle[vkc.CommandPool](d.cmdPool), nil)
	}
	d.fence, d.cmdPool, d.cmd = 0, 0, 0
}

func (d *Device) createQueryPool(count int) (uint64, error) {
	qi := vkc.QueryPoolCreateInfo{SType: vkc.StructureTypeQueryPoolCreateInfo,
		QueryType: vkc.QueryTypeTimestamp, QueryCount: uint32(count)}
	var pool vkc.QueryPool
	r := vkc.CreateQueryPool(d.vkDevice(), &qi, nil, &pool)
	qi.Free()
	return u64(pool), check("vkCreateQueryPool", result(r))
}

func (d *Device) destroyQueryPool(pool uint64) {
	vkc.DestroyQueryPool(d.vkDevice(), handle[vkc.QueryPool](pool), nil)
}

// queryResults waits for and reads len(out) 64-bit timestamps.
func (d *Device) queryResults(pool uint64, out []uint64) error {
	r := vkc.GetQueryPoolResults(d.vkDevice(), handle[vkc.QueryPool](pool), 0, uint32(len(out)),
		uint(8*len(out)), unsafe.Pointer(&out[0]), 8,
		vkc.QueryResultFlags(vkc.QueryResult64Bit|vkc.QueryResultWaitBit))
	return check("vkGetQueryPoolResults", result(r))
}

// createBlock creates a buffer of size bytes usable as storage and transfer source and
// destination, allocates memory of type memType for it, binds them and maps the memory
// when asked.
func (d *Device) createBlock(size int64, memType uint32, mapIt bool) (mem, buf uint64, ptr unsafe.Pointer, err error) {
	bi := vkc.BufferCreateInfo{SType: vkc.StructureTypeBufferCreateInfo, Size: vkc.DeviceSize(size),
		Usage:       vkc.BufferUsageFlags(vkc.BufferUsageStorageBufferBit | vkc.BufferUsageTransferSrcBit | vkc.BufferUsageTransferDstBit),
		SharingMode: vkc.SharingModeExclusive}
	var b vkc.Buffer
	r := vkc.CreateBuffer(d.vkDevice(), &bi, nil, &b)
	bi.Free()
	if err := check("vkCreateBuffer", result(r)); err != nil {
		return 0, 0, nil, err
	}
	var req vkc.MemoryRequirements
	vkc.GetBufferMemoryRequirements(d.vkDevice(), b, &req)
	req.Deref()
	reqSize, reqTypes := req.Size, req.MemoryTypeBits
	req.Free()
	if reqTypes&(1<<memType) == 0 {
		vkc.DestroyBuffer(d.vkDevice(), b, nil)
		return 0, 0, nil, check("vkGetBufferMemoryRequirements", vkErrFeatureNotPresent)
	}
	ai := vkc.MemoryAllocateInfo{SType: vkc.StructureTypeMemoryAllocateInfo, AllocationSize: reqSize, MemoryTypeIndex: memType}
	var m vkc.DeviceMemory
	r = vkc.AllocateMemory(d.vkDevice(), &ai, nil, &m)
	ai.Free()
	if err := check("vkAllocateMemory", result(r)); err != nil {
		vkc.DestroyBuffer(d.vkDevice(), b, nil)
		return 0, 0, nil, err
	}
	err = check("vkBindBufferMemory", result(vkc.BindBufferMemory(d.vkDevice(), b, m, 0)))
	if err == nil && mapIt {
		err = check("vkMapMemory", result(vkc.MapMemory(d.vkDevice(), m, 0, vkc.DeviceSize(vkc.WholeSize), 0, &ptr)))
	}
	if err != nil {
		vkc.DestroyBuffer(d.vkDevice(), b, nil)
		vkc.FreeMemory(d.vkDevice(), m, nil)
		return 0, 0, nil, err
	}
	return u64(m), u64(b), ptr, nil
}

func (d *Device) destroyBlock(b *block) {
	vkc.DestroyBuffer(d.vkDevice(), handle[vkc.Buffer](b.buf), nil)
	if b.mapped != nil {
		vkc.UnmapMemory(d.vkDevice(), handle[vkc.DeviceMemory](b.mem))
	}
	vkc.FreeMemory(d.vkDevice(), handle[vkc.DeviceMemory](b.mem), nil)
}

// createLayouts creates a descriptor-set layout of storage buffers (counts[i] descriptors
// at binding i) and a pipeline layout with pushSize bytes of push constants.
func (d *Device) createLayouts(counts []uint32, pushSize uint32) (dsl, layout uint64, err error) {
	bindings := make([]vkc.DescriptorSetLayoutBinding, len(counts))
	for i, n := range counts {
		bindings[i] = vkc.DescriptorSetLayoutBinding{Binding: uint32(i), DescriptorType: vkc.DescriptorTypeStorageBuffer,
			DescriptorCount: n, StageFlags: vkc.ShaderStageFlags(vkc.ShaderStageComputeBit)}
	}
	di := vkc.DescriptorSetLayoutCreateInfo{SType: vkc.StructureTypeDescriptorSetLayoutCreateInfo,
		BindingCount: uint32(len(bindings)), PBindings: bindings}
	var s vkc.DescriptorSetLayout
	r := vkc.CreateDescriptorSetLayout(d.vkDevice(), &di, nil, &s)
	di.Free()
	if err := check("vkCreateDescriptorSetLayout", result(r)); err != nil {
		return 0, 0, err
	}
	setLayouts := []vkc.DescriptorSetLayout{s}
	li := vkc.PipelineLayoutCreateInfo{SType: vkc.StructureTypePipelineLayoutCreateInfo,
		SetLayoutCount: 1, PSetLayouts: setLayouts}
	if pushSize > 0 {
		li.PushConstantRangeCount = 1
		li.PPushConstantRanges = []vkc.PushConstantRange{{StageFlags: vkc.ShaderStageFlags(vkc.ShaderStageComputeBit), Size: pushSize}}
	}
	var pin runtime.Pinner // PassRef stores the PSetLayouts slice's address in C memory
	pin.Pin(&setLayouts[0])
	var pl vkc.PipelineLayout
	r = vkc.CreatePipelineLayout(d.vkDevice(), &li, nil, &pl)
	li.Free()
	pin.Unpin()
	if err := check("vkCreatePipelineLayout", result(r)); err != nil {
		vkc.DestroyDescriptorSetLayout(d.vkDevice(), s, nil)
		return 0, 0, err
	}
	return u64(s), u64(pl), nil
}

// createShaderModule creates a module of SPIR-V words.
func (d *Device) createShaderModule(words []uint32) (uint64, error) {
	si := vkc.ShaderModuleCreateInfo{SType: vkc.StructureTypeShaderModuleCreateInfo,
		CodeSize: uint(4 * len(words)), PCode: words}
	var pin runtime.Pinner // PassRef stores the PCode slice's address in C memory
	pin.Pin(&words[0])
	var m vkc.ShaderModule
	r := vkc.CreateShaderModule(d.vkDevice(), &si, nil, &m)
	si.Free()
	pin.Unpin()
	return u64(m), check("vkCreateShaderModule", result(r))
}

func (d *Device) destroyShaderModule(m uint64) {
	vkc.DestroyShaderModule(d.vkDevice(), handle[vkc.ShaderModule](m), nil)
}

func (d *Device) destroyPipeline(p *pipeline) {
	if p.pipe != 0 {
		vkc.DestroyPipeline(d.vkDevice(), handle[vkc.Pipeline](p.pipe), nil)
	}
	vkc.DestroyPipelineLayout(d.vkDevice(), handle[vkc.PipelineLayout](p.layout), nil)
	vkc.DestroyDescriptorSetLayout(d.vkDevice(), handle[vkc.DescriptorSetLayout](p.dsl), nil)
}

func (d *Device) createDescriptorPool(maxSets, maxDescriptors uint32) (uint64, error) {
	pi := vkc.DescriptorPoolCreateInfo{SType: vkc.StructureTypeDescriptorPoolCreateInfo, MaxSets: maxSets,
		PoolSizeCount: 1, PPoolSizes: []vkc.DescriptorPoolSize{{Type: vkc.DescriptorTypeStorageBuffer, DescriptorCount: maxDescriptors}}}
	var pool vkc.DescriptorPool
	r := vkc.CreateDescriptorPool(d.vkDevice(), &pi, nil, &pool)
	pi.Free()
	return u64(pool), check("vkCreateDescriptorPool", result(r))
}

func (d *Device) destroyDescriptorPool(pool uint64) {
	vkc.DestroyDescriptorPool(d.vkDevice(), handle[vkc.DescriptorPool](pool), nil)
}

// allocSetFrom allocates one set of layout dsl from pool; it returns the raw result so
// that the caller can tell an exhausted pool from a failure.
func (d *Device) allocSetFrom(pool, dsl uint64) (uint64, int32) {
	layouts := []vkc.DescriptorSetLayout{handle[vkc.DescriptorSetLayout](dsl)}
	ai := vkc.DescriptorSetAllocateInfo{SType: vkc.StructureTypeDescriptorSetAllocateInfo,
		DescriptorPool: handle[vkc.DescriptorPool](pool), DescriptorSetCount: 1, PSetLayouts: layouts}
	var pin runtime.Pinner // PassRef stores the PSetLayouts slice's address in C memory
	pin.Pin(&layouts[0])
	var set vkc.DescriptorSet
	r := vkc.AllocateDescriptorSets(d.vkDevice(), &ai, &set)
	ai.Free()
	pin.Unpin()
	return u64(set), result(r)
}
