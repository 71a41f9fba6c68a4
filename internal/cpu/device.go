package cpu

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"sync"
	"unsafe"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/internal/sysmem"
)

// Sentinel errors of this package (besides those of package backend).
var (
	// ErrClosed is returned by every method of a closed Device.
	ErrClosed = fmt.Errorf("cpu: device %w", backend.ErrClosed)
	// ErrInvalidOp is returned for an op whose sizes, indices or buffers do not fit.
	ErrInvalidOp = errors.New("cpu: invalid op")
	// ErrForeign is returned for a buffer, weight or KV store made by another device.
	ErrForeign = errors.New("cpu: object from another device")
)

// Options configures Open.
type Options struct {
	// Threads is the number of worker threads (0 = the number of physical cores).
	Threads int
	// Path forces an implementation path: "" picks the best one the CPU supports;
	// "generic", "avx2", "avx512" or "neon" ask for that one (an error if unsupported).
	Path string
}

// Device is the CPU backend. Its methods are safe for concurrent use: each one holds the
// device's lock, so Run, Read, Write, the allocations and Close are serialised.
type Device struct {
	mu      sync.Mutex // guards everything below
	k       *kernelSet
	pool    *pool
	threads int
	closed  bool
	scratch scratch // per-Run scratch memory, reused across ops

	packStats packCounter // weights repacked at upload
}

var _ backend.Device = (*Device)(nil)

// Open creates a CPU device.
func Open(opts Options) (*Device, error) {
	if !littleEndian() {
		return nil, fmt.Errorf("cpu: big-endian hosts: %w", backend.ErrUnsupported)
	}
	k, err := selectKernels(opts.Path)
	if err != nil {
		return nil, err
	}
	threads := opts.Threads
	if threads < 0 {
		return nil, fmt.Errorf("cpu: %d threads: %w", threads, ErrInvalidOp)
	}
	if threads == 0 {
		threads = defaultThreads()
	}
	d := &Device{k: k, pool: newPool(threads), threads: threads}
	d.scratch.work = make([][]float32, threads)
	return d, nil
}

func littleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

// Path returns the name of the implementation path in use ("generic", "avx2", ...).
func (d *Device) Path() string { return d.k.name }

// Threads returns the number of worker threads.
func (d *Device) Threads() int { return d.threads }

// Caps implements backend.Device.
func (d *Device) Caps() backend.Caps {
	return backend.Caps{
		Name:        fmt.Sprintf("cpu: %s, %d threads", d.k.features, d.threads),
		Kind:        backend.KindCPU,
		MemoryBytes: sysmem.Total(),
		FP16:        false,                 // halves are converted, never computed in
		Int8:        d.k.name != "generic", // byte dot products (VPMADDUBSW, VNNI)
	}
}

// NewBuffer implements backend.Device.
func (d *Device) NewBuffer(n int) (backend.Buffer, error) {
	if n < 0 {
		return nil, fmt.Errorf("cpu: buffer of %d elements: %w", n, ErrInvalidOp)
	}
	if d.isClosed() {
		return nil, ErrClosed
	}
	data, err := allocFloats(n)
	if err != nil {
		return nil, err
	}
	return &buffer{data: data}, nil
}

// Read implements backend.Device.
func (d *Device) Read(b backend.Buffer, dst []float32) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	buf, err := asBuffer(b, len(dst))
	if err != nil {
		return fmt.Errorf("cpu: read: %w", err)
	}
	copy(dst, buf)
	return nil
}

// Write implements backend.Device.
func (d *Device) Write(b backend.Buffer, src []float32) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	buf, err := asBuffer(b, len(src))
	if err != nil {
		return fmt.Errorf("cpu: write: %w", err)
	}
	copy(buf, src)
	return nil
}

// Run implements backend.Device: the ops run in order; the first error stops the list.
func (d *Device) Run(ctx context.Context, ops []backend.Op) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	for i, op := range ops {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := d.runOp(op); err != nil {
			return fmt.Errorf("cpu: op %d (%T): %w", i, op, err)
		}
	}
	return nil
}

// Close stops the worker pool. A second Close is harmless.
func (d *Device) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.closed {
		d.closed = true
		d.pool.close()
		d.scratch = scratch{work: make([][]float32, d.threads)}
	}
	return nil
}

func (d *Device) isClosed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.closed
}

// buffer is a host activation buffer; freed ones hold no data.
type buffer struct {
	data  []float32
	freed bool
}

func (b *buffer) Len() int { return len(b.data) }

// asBuffer returns b's data after checking that it is ours and holds at least n values.
func asBuffer(b backend.Buffer, n int) ([]float32, error) {
	buf, ok := b.(*buffer)
	if !ok || buf == nil {
		return nil, fmt.Errorf("buffer %T: %w", b, ErrForeign)
	}
	if buf.freed {
		return nil, fmt.Errorf("buffer used after FreeBuffer: %w", ErrInvalidOp)
	}
	if n < 0 || n > len(buf.data) {
		return nil, fmt.Errorf("%d values needed, buffer holds %d: %w", n, len(buf.data), ErrInvalidOp)
	}
	return buf.data, nil
}

// allocFloats allocates n zeroed floats, turning an allocation failure into ErrOutOfMemory
// for sizes the runtime refuses outright.
func allocFloats(n int) ([]float32, error) {
	if uint64(n) > maxAlloc()/4 {
		return nil, fmt.Errorf("cpu: %d floats: %w", n, backend.ErrOutOfMemory)
	}
	return make([]float32, n), nil
}

// maxAlloc bounds single allocations: host RAM when known, else 1 TiB.
func maxAlloc() uint64 {
	if m := sysmem.Total(); m > 0 {
		return uint64(m)
	}
	return 1 << 40
}

func defaultThreads() int {
	n := physicalCores()
	if n <= 0 {
		n = goruntime.NumCPU()
	}
	return max(1, min(n, goruntime.GOMAXPROCS(0)))
}
