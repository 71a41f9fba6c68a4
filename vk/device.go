//go:build cgo && !novulkan && linux

package vk

/*
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"sync"

	vkc "github.com/vulkan-go/vulkan"

	"github.com/scopekv/scope/internal/backend"
)

// Device is an open Vulkan device. It implements backend.Device; its methods may be called
// from several goroutines (they serialise on a mutex).
type Device struct {
	mu     sync.Mutex
	in     *instance
	c      *C.sk_ctx // the shim's context (instance, device, queue)
	dev    uint64    // VkDevice
	phys   physInfo
	info   DeviceInfo
	opts   Options
	closed bool
	lost   bool

	devHeap, hostHeap heap
	nextID            uint32

	cmdPool, cmd, fence uint64
	pipes               map[string]*pipeline
	sets                descriptorCache
	arena               allocation // per-Run index arrays (host heap)
	arenaDev            allocation // its device-local copy where device memory is not mapped
	staging             allocation // host-visible bounce buffer (host heap)
	scratch             map[string]allocation
	pendingFills        []fill

	matvecWG   int  // specialisations of the matrix-vector kernel: workgroup size,
	matvecRows int  // rows per workgroup,
	matvecTree bool // and shared-memory sums (no subgroup arithmetic)
	matvecMaxN int  // the largest batch it takes one token per workgroup,
	f16        bool // matrix products in fp16 (the _f16 kernels)
	idot       bool // Q8_0 and Q4_0 matrix-vector products with int8 dot products (_i8)
	// the largest it takes with several tokens per workgroup (above matvecMaxN)
	matvecBatchMax int

	counters backend.Counters
	rec      recording // what the command buffer holds (reuse.go)
	// SCOPE_VK_UNFUSED=1: no fused ops and no command-buffer reuse, the step structure
	// before them, for comparisons (docs/performance.md)
	unfused bool

	queryPool   uint64
	queryCap    int
	timings     []KernelTime
	timingNames []dispatchName
}

// fill is a deferred vkCmdFillBuffer for device memory that the host cannot map.
type fill struct {
	a     allocation
	value uint32
}

type dispatchName struct {
	op     int
	kernel string
}

// Open opens a Vulkan device: the one at opts.DeviceIndex, or the best usable one.
func Open(opts Options) (*Device, error) {
	in, err := newInstance(opts.Validation)
	if err != nil {
		return nil, err
	}
	p, index, err := choosePhys(in, opts.DeviceIndex)
	if err != nil {
		in.close()
		return nil, err
	}
	if forceDiscrete() {
		opts.forceStaging = true
	}
	if os.Getenv("SCOPE_VK_NAN_SLACK") == "1" {
		opts.nanSlack = true
	}
	d := &Device{in: in, c: in.c, phys: p, info: p.info(index), opts: opts,
		pipes: map[string]*pipeline{}, scratch: map[string]allocation{}, unfused: os.Getenv("SCOPE_VK_UNFUSED") == "1"}
	if err := d.init(); err != nil {
		d.destroy()
		return nil, err
	}
	return d, nil
}

func (d *Device) init() error {
	d.f16 = useFP16(&d.phys, d.opts)
	d.idot = useIntDot(&d.phys, d.opts)
	r := C.sk_create_device(d.c, C.uint64_t(d.phys.handle), C.uint32_t(d.phys.queueFamily), cbool(d.f16), 0, cbool(d.idot))
	if err := check("vkCreateDevice", int32(r)); err != nil {
		return err
	}
	d.dev = uint64(C.sk_device(d.c))
	var err error
	if d.devHeap, d.hostHeap, err = pickMemoryTypes(&d.phys, d.opts.forceStaging); err != nil {
		return err
	}
	if err := d.createCommands(); err != nil {
		return err
	}
	software := d.phys.deviceType == physCPU && !forceDiscrete()
	d.matvecWG, d.matvecRows = matvecShape(&d.phys, software)
	d.matvecTree = !d.hasSubgroup(subgroupBasic | subgroupArithmetic)
	d.matvecMaxN = matvecMaxN(&d.phys, software)
	d.matvecBatchMax = matvecBatchMax
	if d.opts.Timings && d.phys.timestampBits == 0 {
		return unsupported("%s cannot write timestamps on its compute queue", d.phys.name)
	}
	return nil
}

// forceDiscrete reports whether SCOPE_VK_DISCRETE=1 asks a software device to take the
// choices made for a discrete GPU (tests and CI): the GPU matrix-vector shape, the tiled
// batch kernel and device memory the host does not map (staging copies, a device-local
// arena), so that those paths run on lavapipe too.
func forceDiscrete() bool { return os.Getenv("SCOPE_VK_DISCRETE") == "1" }

// useFP16 reports whether the matrix kernels compute in fp16: the device has shaderFloat16
// and 16-bit storage, and neither Options.FP32 nor SCOPE_VK_FP32=1 asks for float32.
func useFP16(p *physInfo, opts Options) bool {
	return p.fp16 && !opts.FP32 && os.Getenv("SCOPE_VK_FP32") != "1"
}

// useIntDot reports whether the Q8_0 and Q4_0 matrix-vector products use integer dot
// products: the device has shaderIntegerDotProduct, and neither Options.NoIntDot nor
// SCOPE_VK_NO_INT_DOT=1 asks for the float kernels.
func useIntDot(p *physInfo, opts Options) bool {
	return p.intDot && !opts.NoIntDot && os.Getenv("SCOPE_VK_NO_INT_DOT") != "1"
}

// Counters implements backend.CounterSource.
func (d *Device) Counters() backend.Counters {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.counters
}

// FP16 reports whether the matrix kernels compute their products in fp16.
func (d *Device) FP16() bool { return d.f16 }

// IntDot reports whether the Q8_0 and Q4_0 matrix-vector products use int8 dot products.
func (d *Device) IntDot() bool { return d.idot }

// productsName describes the product paths for Caps().Name.
func (d *Device) productsName() string {
	s := "fp32 products"
	if d.f16 {
		s = "fp16 products"
	}
	if d.idot {
		s += ", int8 dot products"
	}
	return s
}

// Info describes the opened device.
func (d *Device) Info() DeviceInfo { return d.info }

// Caps implements backend.Device.
func (d *Device) Caps() backend.Caps {
	return backend.Caps{
		Name:         d.phys.name + " (vulkan, " + d.productsName() + ")",
		Kind:         backend.Kind(d.phys.kind()),
		MemoryBytes:  d.phys.deviceLocalBytes(),
		SubgroupSize: d.phys.subgroupSize,
		FP16:         d.f16,
		Int8:         d.idot, // the Q8_0 and Q4_0 products use int8 dot products
	}
}

// ValidationMessages returns the validation layer's warnings and errors (every message of
// those severities, of the general, validation and performance types; info and verbose
// messages are the loader's chatter) recorded since the last call, and forgets them. It is
// empty unless Options.Validation was set.
func (d *Device) ValidationMessages() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.in == nil || d.in.c == nil {
		return nil
	}
	msgs, total := d.in.messages()
	d.in.clearMessages()
	if total > len(msgs) {
		msgs = append(msgs, fmt.Sprintf("... and %d more messages", total-len(msgs)))
	}
	return msgs
}

var errClosed = fmt.Errorf("vulkan: device is %w", backend.ErrClosed)

// usable reports why the device cannot take work (closed or lost), or nil.
func (d *Device) usable() error {
	if d.closed {
		return errClosed
	}
	if d.lost {
		return fmt.Errorf("vulkan: %w (an earlier call failed)", backend.ErrDeviceLost)
	}
	return nil
}

// noteErr marks the device lost when err says so.
func (d *Device) noteErr(err error) error {
	if errors.Is(err, backend.ErrDeviceLost) {
		d.lost = true
	}
	return err
}

// Close waits for the device to finish and frees everything. A second Close does nothing.
func (d *Device) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	var err error
	if d.c != nil && !d.lost {
		err = check("vkDeviceWaitIdle", result(vkc.DeviceWaitIdle(d.vkDevice())))
	}
	d.destroy()
	return err
}

// destroy frees every object; the device is idle (or lost) when it is called.
func (d *Device) destroy() {
	if d.c != nil && d.dev != 0 {
		for _, p := range d.pipes {
			d.destroyPipeline(p)
		}
		d.pipes = nil
		d.sets.destroy(d)
		if d.queryPool != 0 {
			d.destroyQueryPool(d.queryPool)
		}
		d.destroyCommands()
		d.freeHeap(&d.devHeap)
		d.freeHeap(&d.hostHeap)
	}
	if d.c != nil {
		C.sk_destroy_device(d.c)
	}
	d.dev = 0
	if d.in != nil {
		d.in.close()
	}
	d.c = nil
}

var _ backend.Device = (*Device)(nil)
