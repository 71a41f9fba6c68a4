//go:build cgo && !novulkan && linux

package vk

/*
#include "shim.h"
*/
import "C"

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"unsafe"

	"github.com/scopekv/scope/shaders"
)

// pipeline is a compute pipeline of one kernel with one set of specialisation constants.
type pipeline struct {
	kernel            shaders.Kernel
	dsl, layout, pipe uint64
	descriptors       int // descriptors per set
}

func pipelineKey(name string, spec []uint32) string {
	key := name
	for _, s := range spec {
		key += "/" + strconv.FormatUint(uint64(s), 10)
	}
	return key
}

// pipeline returns the kernel's pipeline, creating it on first use.
func (d *Device) pipeline(name string, spec []uint32) (*pipeline, error) {
	key := pipelineKey(name, spec)
	if p, ok := d.pipes[key]; ok {
		return p, nil
	}
	k, err := shaders.Lookup(name)
	if err != nil {
		return nil, err
	}
	code, err := k.SPIRV()
	if err != nil {
		return nil, err
	}
	if int(k.PushSize) > d.phys.maxPushConstants {
		return nil, unsupported("kernel %s needs %d bytes of push constants", name, k.PushSize)
	}
	if err := d.checkFeatures(k); err != nil {
		return nil, err
	}
	if len(spec) > len(k.SpecIDs) {
		return nil, fmt.Errorf("vulkan: kernel %s takes %d specialisation constants, got %d", name, len(k.SpecIDs), len(spec))
	}
	words := make([]uint32, len(code)/4)
	for i := range words {
		words[i] = binary.LittleEndian.Uint32(code[4*i:])
	}
	if len(k.Bindings) == 0 {
		return nil, fmt.Errorf("vulkan: kernel %s has no bindings", name)
	}
	p := &pipeline{kernel: k}
	if p.dsl, p.layout, err = d.createLayouts(k.Bindings, k.PushSize); err != nil {
		return nil, err
	}
	if p.pipe, err = d.createComputePipeline(p.layout, words, spec); err != nil {
		d.destroyPipeline(p)
		return nil, fmt.Errorf("vulkan: kernel %s: %w", name, err)
	}
	for _, c := range k.Bindings {
		p.descriptors += int(c)
	}
	d.pipes[key] = p
	return p, nil
}

// createComputePipeline creates the pipeline through the shim (vkCreateComputePipelines
// takes an array of create-infos) from a shader module made through the binding.
func (d *Device) createComputePipeline(layout uint64, words, spec []uint32) (uint64, error) {
	module, err := d.createShaderModule(words)
	if err != nil {
		return 0, err
	}
	defer d.destroyShaderModule(module)
	specVals := append(append([]uint32(nil), spec...), 0) // never empty: &specVals[0] is valid
	var pipe C.uint64_t
	r := C.sk_create_pipeline(d.c, C.uint64_t(module), C.uint64_t(layout),
		(*C.uint32_t)(unsafe.Pointer(&specVals[0])), C.uint32_t(len(spec)), &pipe)
	if err := check("vkCreateComputePipelines", int32(r)); err != nil {
		return 0, err
	}
	return uint64(pipe), nil
}

// Subgroup operation bits (VkSubgroupFeatureFlagBits).
const (
	subgroupBasic      = 0x1
	subgroupVote       = 0x2
	subgroupArithmetic = 0x4
	subgroupBallot     = 0x8
	subgroupShuffle    = 0x10
)

// checkFeatures refuses a kernel that needs a device feature the device lacks or the
// backend did not enable.
func (d *Device) checkFeatures(k shaders.Kernel) error {
	for _, f := range k.Features {
		ok := false
		switch f {
		case "float16", "storage16":
			ok = d.f16
		case "int-dot", "int-dot-4x8-packed":
			ok = d.idot
		case "subgroup":
			ok = d.hasSubgroup(subgroupBasic)
		case "subgroup-vote":
			ok = d.hasSubgroup(subgroupVote)
		case "subgroup-arithmetic":
			ok = d.hasSubgroup(subgroupArithmetic)
		case "subgroup-ballot":
			ok = d.hasSubgroup(subgroupBallot)
		case "subgroup-shuffle":
			ok = d.hasSubgroup(subgroupShuffle)
		}
		if !ok {
			return unsupported("kernel %s needs %s", k.Name, f)
		}
	}
	return nil
}

// hasSubgroup reports whether compute shaders may use the subgroup operations ops.
func (d *Device) hasSubgroup(ops uint32) bool {
	return d.phys.subgroupCompute && d.phys.subgroupOps&ops == ops
}
