//go:build cgo && !novulkan && linux

package vk

import (
	"fmt"
	"unsafe"

	"github.com/scopekv/scope/internal/backend"
)

const maxStaging = 16 << 20

// buffer is an activation buffer of float32 values in device memory.
type buffer struct {
	d *Device
	n int
	a allocation
}

func (b *buffer) Len() int { return b.n }

// NewBuffer implements backend.Device: a zeroed buffer of n float32 values.
func (d *Device) NewBuffer(n int) (backend.Buffer, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.usable(); err != nil {
		return nil, err
	}
	a, err := d.newDeviceArray(n, "buffer")
	if err != nil {
		return nil, err
	}
	d.fillWords(a, 0)
	return &buffer{d: d, n: n, a: a}, nil
}

// newDeviceArray allocates n 4-byte elements of device memory that one descriptor can view.
func (d *Device) newDeviceArray(n int, what string) (allocation, error) {
	if n <= 0 {
		return allocation{}, fmt.Errorf("vulkan: %s of %d elements", what, n)
	}
	size := int64(n) * 4
	if size > d.maxRange() {
		return allocation{}, unsupported("%s of %d bytes exceeds the storage buffer range (%d)", what, size, d.maxRange())
	}
	return d.alloc(&d.devHeap, size)
}

// fillWords sets every word of a to value: at once when mapped, else at the next submit.
func (d *Device) fillWords(a allocation, value uint32) {
	if a.blk.mapped != nil {
		w := a.words()
		for i := range w {
			w[i] = value
		}
		return
	}
	d.pendingFills = append(d.pendingFills, fill{a: a, value: value})
}

// ownBuffer checks that b is a buffer of this device.
func (d *Device) ownBuffer(b backend.Buffer, what string) (*buffer, error) {
	vb, ok := b.(*buffer)
	if !ok || vb == nil || vb.d != d {
		return nil, fmt.Errorf("vulkan: %s is not a buffer of this device", what)
	}
	return vb, nil
}

// Read implements backend.Device.
func (d *Device) Read(b backend.Buffer, dst []float32) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.usable(); err != nil {
		return err
	}
	vb, err := d.ownBuffer(b, "Read's buffer")
	if err != nil {
		return err
	}
	if len(dst) > vb.n {
		return fmt.Errorf("vulkan: Read of %d values from a buffer of %d", len(dst), vb.n)
	}
	if len(dst) == 0 {
		return nil
	}
	return d.download(vb.a, unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), len(dst)*4))
}

// Write implements backend.Device.
func (d *Device) Write(b backend.Buffer, src []float32) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.usable(); err != nil {
		return err
	}
	vb, err := d.ownBuffer(b, "Write's buffer")
	if err != nil {
		return err
	}
	if len(src) > vb.n {
		return fmt.Errorf("vulkan: Write of %d values into a buffer of %d", len(src), vb.n)
	}
	if len(src) == 0 {
		return nil
	}
	return d.upload(vb.a, 0, unsafe.Slice((*byte)(unsafe.Pointer(&src[0])), len(src)*4))
}

// flushFills runs the deferred fills now, so host copies see (and are not overwritten by)
// them.
func (d *Device) flushFills() error {
	if len(d.pendingFills) == 0 {
		return nil
	}
	return d.transfer(func() {})
}

// transfer records record() after the pending fills into the command buffer, submits it
// and waits.
func (d *Device) transfer(record func()) error {
	if err := d.begin(); err != nil {
		return err
	}
	d.recordFills()
	record()
	d.recordBarrier(stageTransfer, stageHost|stageTransfer|stageCompute,
		accTransferWrite, accHostRead|accTransferRead|accShaderRead|accShaderWrite)
	if err := d.end(); err != nil {
		return err
	}
	return d.submitWait()
}

func (d *Device) ensureStaging(n int64) error {
	want := min(max(n, 1<<20), maxStaging, d.allocLimit()-d.slackBytes())
	if d.staging.blk != nil && d.staging.size >= want {
		return nil
	}
	a, err := d.alloc(&d.hostHeap, want)
	if err != nil {
		return err
	}
	d.staging = a
	return nil
}

// upload copies src into a at byte offset off.
func (d *Device) upload(a allocation, off int64, src []byte) error {
	if off < 0 || off+int64(len(src)) > a.size {
		return fmt.Errorf("vulkan: upload of %d bytes at %d into %d", len(src), off, a.size)
	}
	if err := d.flushFills(); err != nil {
		return err
	}
	if a.blk.mapped != nil {
		copy(a.bytes()[off:], src)
		return nil
	}
	if err := d.ensureStaging(int64(len(src))); err != nil {
		return err
	}
	for len(src) > 0 {
		n := min(int64(len(src)), d.staging.size)
		copy(d.staging.bytes(), src[:n])
		dst := a.off + off
		err := d.transfer(func() {
			d.recordCopy(d.staging.blk.buf, a.blk.buf, d.staging.off, dst, n)
		})
		if err != nil {
			return err
		}
		src, off = src[n:], off+n
	}
	return nil
}

// download copies the first len(dst) bytes of a into dst.
func (d *Device) download(a allocation, dst []byte) error {
	if err := d.flushFills(); err != nil {
		return err
	}
	if a.blk.mapped != nil {
		copy(dst, a.bytes())
		return nil
	}
	if err := d.ensureStaging(int64(len(dst))); err != nil {
		return err
	}
	var off int64
	for len(dst) > 0 {
		n := min(int64(len(dst)), d.staging.size)
		src := a.off + off
		err := d.transfer(func() {
			d.recordCopy(a.blk.buf, d.staging.blk.buf, src, d.staging.off, n)
		})
		if err != nil {
			return err
		}
		copy(dst[:n], d.staging.bytes())
		dst, off = dst[n:], off+n
	}
	return nil
}
