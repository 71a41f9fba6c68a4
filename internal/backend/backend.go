// Package backend is the contract between the runtime and its compute backends (the CPU
// backend in internal/cpu and the Vulkan backend in vk).
//
// The runtime builds, for each forward step, a short list of coarse ops (one per kernel) and
// hands it to Device.Run, which records and executes them in order (one submit per step on
// Vulkan). Activations live in device buffers of float32; weights are uploaded once. The KV
// cache is a pool of pages (see package kv): attention reads it through per-unit page tables.
//
// Adding an op = one struct here, one reference function in internal/ref, one CPU function,
// one shader, one row in the backend test table.
package backend

import (
	"context"
	"errors"
	"time"

	"github.com/scopekv/scope/model/quant"
)

// Sentinel errors; backends wrap them so callers can test with errors.Is.
var (
	ErrOutOfMemory = errors.New("out of device memory")
	ErrDeviceLost  = errors.New("device lost")
	ErrUnsupported = errors.New("unsupported by this backend")
	ErrClosed      = errors.New("closed") // the device (or what holds it) was closed
)

// Kind is the type of a compute device.
type Kind string

// Device kinds.
const (
	KindCPU        Kind = "cpu"        // the host's cores (the CPU and reference backends)
	KindDiscrete   Kind = "discrete"   // a GPU with its own memory
	KindIntegrated Kind = "integrated" // a GPU sharing the host's memory
	KindVirtual    Kind = "virtual"    // a GPU behind a hypervisor
	KindSoftware   Kind = "software"   // a software renderer (lavapipe): computes on the host
	KindOther      Kind = "other"
)

// OnHost reports whether the device computes on the host's cores and memory (the CPU
// backends and software renderers).
func (k Kind) OnHost() bool { return k == KindCPU || k == KindSoftware }

// Caps describes a device; it is fixed after the device is opened.
type Caps struct {
	Name         string // e.g. "cpu: avx2, 2 threads" or "NVIDIA H200 (vulkan)"
	Kind         Kind
	MemoryBytes  int64 // device memory (host RAM for the CPU)
	SubgroupSize int   // 0 when not applicable
	FP16         bool  // fp16 arithmetic available
	Int8         bool  // int8 dot products available
}

// Buffer is an activation buffer of float32 values on the device.
type Buffer interface {
	Len() int // number of float32 elements
}

// Weight is a 2-D weight matrix (or a 1-D vector with Rows == 1) uploaded to the device.
// Row r holds the Cols input weights of output r (GGUF dims [Cols, Rows]).
type Weight interface {
	Type() quant.Type
	Rows() int
	Cols() int
}

// KVLayout fixes the geometry of the paged KV store.
type KVLayout struct {
	NumPages int // pages in the pool
	PageSize int // token slots per page
	HeadDim  int // elements of one K (or V) vector
}

// Slots returns the number of physical slots (NumPages*PageSize).
func (l KVLayout) Slots() int { return l.NumPages * l.PageSize }

// KVStore is the device side of the paged KV cache: K and V vectors per physical slot
// (slot = page*PageSize + offset) and each slot's logical position (-1 = empty).
type KVStore interface {
	Layout() KVLayout
	// Bytes returns the device memory the store holds: K, V and positions of every slot.
	Bytes() int64
}

// Device is a compute backend.
type Device interface {
	Caps() Caps
	// UploadWeight copies a weight matrix in its GGUF layout (rows of Cols elements of type t).
	// A backend may convert the type (for example dequantise) and says so in Type().
	UploadWeight(name string, t quant.Type, rows, cols int, data []byte) (Weight, error)
	// NewBuffer allocates a zeroed float32 activation buffer.
	NewBuffer(n int) (Buffer, error)
	// NewKV allocates the paged KV store with every slot empty.
	NewKV(l KVLayout) (KVStore, error)
	// Supports reports whether Run can execute the op (checked at plan time).
	Supports(op Op) bool
	// Run executes ops in order and waits for them to finish.
	Run(ctx context.Context, ops []Op) error
	// Read copies a buffer's first len(dst) values to the host.
	Read(b Buffer, dst []float32) error
	// Write copies host values into the start of a buffer.
	Write(b Buffer, src []float32) error
	// FreeBuffer and FreeKV release a buffer or KV store of this device; an op, Read or
	// Write that uses it afterwards fails, and freeing it again is an error. Objects still
	// held when the device closes are freed by Close.
	FreeBuffer(b Buffer) error
	FreeKV(s KVStore) error
	// Close frees everything the device holds; a second Close does nothing. Every other
	// method of a closed device returns an error.
	Close() error
}

// Counters is what a device has done since it was opened, for devices that record it
// (CounterSource): the runtime divides them per token in benchmarks.
type Counters struct {
	Runs       int64         // Run calls that executed something
	Reused     int64         // of them, runs that submitted an already recorded command buffer
	Submits    int64         // queue submissions (Run, and Read/Write through staging)
	Dispatches int64         // kernel launches
	Barriers   int64         // dependency barriers between launches
	Encode     time.Duration // host time spent planning and recording Runs (wall clock)
	EncodeCPU  time.Duration // the CPU time of that work (unaffected by other processes)
}

// CounterSource is a device that counts its work.
type CounterSource interface {
	Counters() Counters
}
