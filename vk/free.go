//go:build cgo && !novulkan && linux

package vk

import (
	"slices"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/internal/faults"
)

// span is a freed range of a block that a later allocation of the same heap can reuse.
type span struct{ off, size int64 }

// FreeBuffer implements backend.Device: the buffer's range returns to its block for reuse.
func (d *Device) FreeBuffer(b backend.Buffer) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return errClosed
	}
	vb, err := d.ownBuffer(b, "FreeBuffer's buffer")
	if err != nil {
		return err
	}
	d.release(vb.a)
	vb.d = nil // ownBuffer refuses it from now on
	return nil
}

// FreeKV implements backend.Device.
func (d *Device) FreeKV(s backend.KVStore) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return errClosed
	}
	kv, err := d.ownKV(s)
	if err != nil {
		return err
	}
	d.release(kv.pos)
	for i := range kv.k {
		d.release(kv.k[i])
		d.release(kv.v[i])
	}
	kv.d = nil // ownKV refuses it from now on
	return nil
}

// MemoryBytes returns the device memory the device holds from the driver (every block of
// both heaps), in use or free for reuse.
func (d *Device) MemoryBytes() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	var n int64
	for _, h := range []*heap{&d.devHeap, &d.hostHeap} {
		for _, b := range h.blocks {
			n += b.size
		}
	}
	return n
}

// release returns a's range to its block. No submitted work uses it: every submit is
// waited for under the device's lock.
func (d *Device) release(a allocation) {
	b := a.blk
	d.pendingFills = slices.DeleteFunc(d.pendingFills, func(f fill) bool { return f.a.id == a.id })
	b.live--
	if b.live <= 0 {
		b.live, b.used, b.spans = 0, 0, b.spans[:0]
		return
	}
	i, _ := slices.BinarySearchFunc(b.spans, a.off, func(s span, off int64) int { return int(s.off - off) })
	b.spans = slices.Insert(b.spans, i, span{a.off, a.size + a.slack})
	b.mergeSpans(i)
	for n := len(b.spans); n > 0 && b.spans[n-1].off+b.spans[n-1].size >= b.used; n-- {
		b.used = b.spans[n-1].off // the block's tail is free: bump allocation resumes there
		b.spans = b.spans[:n-1]
	}
}

// mergeSpans joins span i with its neighbours where they touch.
func (b *block) mergeSpans(i int) {
	if i+1 < len(b.spans) && b.spans[i].off+b.spans[i].size == b.spans[i+1].off {
		b.spans[i].size += b.spans[i+1].size
		b.spans = slices.Delete(b.spans, i+1, i+2)
	}
	if i > 0 && b.spans[i-1].off+b.spans[i-1].size == b.spans[i].off {
		b.spans[i-1].size += b.spans[i].size
		b.spans = slices.Delete(b.spans, i, i+1)
	}
}

// reuse carves size bytes (aligned) out of the first freed span of h that holds them.
func (d *Device) reuse(h *heap, size, slack, align int64) (allocation, bool) {
	full := size + slack
	for _, b := range h.blocks {
		for i, s := range b.spans {
			off := (s.off + align - 1) / align * align
			end := s.off + s.size
			if off+full > end {
				continue
			}
			var rest []span
			if off > s.off {
				rest = append(rest, span{s.off, off - s.off})
			}
			if off+full < end {
				rest = append(rest, span{off + full, end - off - full})
			}
			b.spans = slices.Replace(b.spans, i, i+1, rest...)
			return d.newAllocation(b, off, size, slack), true
		}
	}
	return allocation{}, false
}

// injectedOOM is the error of an allocation that faults.Alloc makes fail.
func injectedOOM() error {
	if faults.Hit(faults.Alloc) {
		return &ResultError{Call: "vkAllocateMemory (injected fault)", Code: vkErrOutOfDeviceMemory}
	}
	return nil
}

// injectedLoss is the error of a submit that faults.Submit makes fail.
func injectedLoss() error {
	if faults.Hit(faults.Submit) {
		return &ResultError{Call: "vkQueueSubmit (injected fault)", Code: vkErrDeviceLost}
	}
	return nil
}
