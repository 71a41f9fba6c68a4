//go:build cgo && !novulkan && linux

package vk

/*
#include "shim.h"
*/
import "C"

import (
	"unsafe"

	vkc "github.com/vulkan-go/vulkan"
)

// Command recording. Commands with scalar and handle arguments go through the binding;
// barriers, copies and the submit (arrays of structs) through the shim.

func (d *Device) vkCmd() vkc.CommandBuffer { return handle[vkc.CommandBuffer](d.cmd) }

// begin resets the command buffer and starts recording. (Not a one-time submit: a decode
// step of the same shape submits it again, see reuse.go.)
func (d *Device) begin() error {
	d.rec.invalidate()
	if err := check("vkResetCommandBuffer", result(vkc.ResetCommandBuffer(d.vkCmd(), 0))); err != nil {
		return err
	}
	bi := vkc.CommandBufferBeginInfo{SType: vkc.StructureTypeCommandBufferBeginInfo}
	r := vkc.BeginCommandBuffer(d.vkCmd(), &bi)
	bi.Free()
	return check("vkBeginCommandBuffer", result(r))
}

func (d *Device) end() error {
	return check("vkEndCommandBuffer", result(vkc.EndCommandBuffer(d.vkCmd())))
}

// recordDispatch binds the pipeline and set, pushes the constants and dispatches.
func (d *Device) recordDispatch(p *pipeline, set uint64, push []byte, groups [3]uint32) {
	cmd := d.vkCmd()
	layout := handle[vkc.PipelineLayout](p.layout)
	vkc.CmdBindPipeline(cmd, vkc.PipelineBindPointCompute, handle[vkc.Pipeline](p.pipe))
	// A local slice: cgo checks the whole Go object a slice points into, and Device holds
	// Go pointers.
	sets := []vkc.DescriptorSet{handle[vkc.DescriptorSet](set)}
	vkc.CmdBindDescriptorSets(cmd, vkc.PipelineBindPointCompute, layout, 0, 1, sets, 0, nil)
	if len(push) > 0 {
		// Copied to a value of its own, since push lies in a plan that holds Go pointers.
		var values [128]byte
		n := copy(values[:], push)
		vkc.CmdPushConstants(cmd, layout, vkc.ShaderStageFlags(vkc.ShaderStageComputeBit), 0, uint32(n), unsafe.Pointer(&values[0]))
	}
	vkc.CmdDispatch(cmd, groups[0], groups[1], groups[2])
}

func (d *Device) recordFill(a allocation, value uint32) {
	vkc.CmdFillBuffer(d.vkCmd(), handle[vkc.Buffer](a.blk.buf), vkc.DeviceSize(a.off), vkc.DeviceSize(a.size), value)
}

func (d *Device) recordResetQueries(count int) {
	vkc.CmdResetQueryPool(d.vkCmd(), handle[vkc.QueryPool](d.queryPool), 0, uint32(count))
}

func (d *Device) recordTimestamp(query int) {
	vkc.CmdWriteTimestamp(d.vkCmd(), vkc.PipelineStageBottomOfPipeBit, handle[vkc.QueryPool](d.queryPool), uint32(query))
}

func (d *Device) recordBarrier(srcStage, dstStage, srcAccess, dstAccess uint32) {
	C.sk_barrier(d.c, C.uint64_t(d.cmd), C.uint32_t(srcStage), C.uint32_t(dstStage), C.uint32_t(srcAccess), C.uint32_t(dstAccess))
}

func (d *Device) recordCopy(src, dst uint64, srcOff, dstOff, size int64) {
	C.sk_copy(d.c, C.uint64_t(d.cmd), C.uint64_t(src), C.uint64_t(dst), C.uint64_t(srcOff), C.uint64_t(dstOff), C.uint64_t(size))
}

// submitWait submits the command buffer and waits for its fence.
func (d *Device) submitWait() error {
	fences := []vkc.Fence{handle[vkc.Fence](d.fence)} // local, as in recordDispatch
	if err := check("vkResetFences", result(vkc.ResetFences(d.vkDevice(), 1, fences))); err != nil {
		return d.noteErr(err)
	}
	if err := injectedLoss(); err != nil {
		return d.noteErr(err)
	}
	d.counters.Submits++
	if err := check("vkQueueSubmit", int32(C.sk_submit(d.c, C.uint64_t(d.cmd), C.uint64_t(d.fence)))); err != nil {
		return d.noteErr(err)
	}
	r := vkc.WaitForFences(d.vkDevice(), 1, fences, vkc.True, ^uint64(0))
	if err := check("vkWaitForFences", result(r)); err != nil {
		return d.noteErr(err)
	}
	return nil
}
