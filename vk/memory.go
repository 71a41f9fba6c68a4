//go:build cgo && !novulkan && linux

package vk

import (
	"fmt"
	"unsafe"
)

const (
	firstBlockSize = 16 << 20
	maxBlockSize   = 256 << 20
)

// block is one VkDeviceMemory with one VkBuffer spanning it; allocations are ranges of it.
type block struct {
	mem, buf uint64
	size     int64
	used     int64
	mapped   unsafe.Pointer // nil unless the heap is host-mapped
	live     int            // allocations not yet released
	spans    []span         // released ranges below used, by offset (free.go)
}

// heap sub-allocates ranges from blocks of one memory type.
type heap struct {
	name      string
	memType   uint32
	mapped    bool
	blocks    []*block
	nextBlock int64
}

// allocation is a range of a block. id is unique for the device's life: it keys hazard
// tracking and the descriptor cache (Vulkan handles can be reused after a free).
type allocation struct {
	blk       *block
	id        uint32
	off, size int64
	slack     int64 // NaN-filled bytes after size that descriptors also view (nanSlack mode)
}

// nanBits is the word written over allocation slack: a quiet NaN.
const nanBits = 0x7FC00000

// slackBytes is the NaN-filled tail each allocation gets in NaN-slack mode (Options or
// SCOPE_VK_NAN_SLACK=1): descriptors view it too, so a kernel that reads past its operand
// reads NaN and the tests' comparisons fail, where lavapipe would return zeros or the next
// allocation's data.
func (d *Device) slackBytes() int64 {
	if d.opts.nanSlack {
		return 1024
	}
	return 0
}

// bytes returns the host view of a mapped allocation.
func (a allocation) bytes() []byte {
	return unsafe.Slice((*byte)(unsafe.Add(a.blk.mapped, a.off)), a.size)
}

// words returns the host view of a mapped allocation as 32-bit words.
func (a allocation) words() []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Add(a.blk.mapped, a.off)), a.size/4)
}

// pickMemoryTypes chooses the device heap (device-local; pure VRAM when there is such a
// type, so small host-visible windows are not exhausted) and the host heap
// (host-visible and coherent, cached when possible).
func pickMemoryTypes(p *physInfo, forceStaging bool) (dev, host heap, err error) {
	devIdx, hostIdx := -1, -1
	score := func(f uint32, want, prefer, avoid uint32) int {
		if f&want != want {
			return -1
		}
		s := 1
		if f&prefer == prefer {
			s += 2
		}
		if f&avoid != 0 {
			s--
		}
		return s
	}
	bestDev, bestHost := -1, -1
	for i, t := range p.memTypes {
		if s := score(t.flags, memDeviceLocal, 0, memHostVisible); s > bestDev {
			bestDev, devIdx = s, i
		}
		if s := score(t.flags, memHostVisible|memHostCoherent, memHostCached, 0); s > bestHost {
			bestHost, hostIdx = s, i
		}
	}
	if hostIdx < 0 {
		return heap{}, heap{}, unsupported("no host-visible coherent memory type")
	}
	if devIdx < 0 {
		devIdx = hostIdx
	}
	df := p.memTypes[devIdx].flags
	dev = heap{name: "device", memType: uint32(devIdx), nextBlock: firstBlockSize,
		mapped: !forceStaging && df&(memHostVisible|memHostCoherent) == memHostVisible|memHostCoherent}
	host = heap{name: "host", memType: uint32(hostIdx), mapped: true, nextBlock: firstBlockSize}
	return dev, host, nil
}

// alloc returns a range of at least size bytes (rounded up to 4) aligned for storage
// descriptors. Its contents are undefined.
func (d *Device) alloc(h *heap, size int64) (allocation, error) {
	if err := injectedOOM(); err != nil {
		return allocation{}, err
	}
	if size <= 0 {
		size = 4
	}
	size = (size + 3) &^ 3
	slack := d.slackBytes()
	full := size + slack
	align := d.phys.storageAlign
	if a, ok := d.reuse(h, size, slack, align); ok {
		return a, nil
	}
	for _, b := range h.blocks {
		off := (b.used + align - 1) / align * align
		if off+full <= b.size {
			b.used = off + full
			return d.newAllocation(b, off, size, slack), nil
		}
	}
	size = full
	bs := max(h.nextBlock, size)
	if limit := d.allocLimit(); bs > limit {
		if size > limit {
			return allocation{}, unsupported("%d bytes exceed the device's %d-byte allocation limit", size, limit)
		}
		bs = limit
	}
	b, err := d.newBlock(h, bs)
	if err != nil {
		return allocation{}, err
	}
	h.nextBlock = min(h.nextBlock*2, maxBlockSize)
	b.used = size
	return d.newAllocation(b, 0, size-slack, slack), nil
}

func (d *Device) newAllocation(b *block, off, size, slack int64) allocation {
	d.nextID++
	b.live++
	if slack > 0 { // (with the allocation's id, so that release drops a pending fill)
		d.fillWords(allocation{blk: b, id: d.nextID, off: off + size, size: slack}, nanBits)
	}
	return allocation{blk: b, id: d.nextID, off: off, size: size, slack: slack}
}

func (d *Device) newBlock(h *heap, size int64) (*block, error) {
	mem, buf, ptr, err := d.createBlock(size, h.memType, h.mapped)
	if err != nil {
		return nil, fmt.Errorf("%s memory block of %d bytes: %w", h.name, size, err)
	}
	b := &block{mem: mem, buf: buf, size: size, mapped: ptr}
	h.blocks = append(h.blocks, b)
	return b, nil
}

func (d *Device) freeHeap(h *heap) {
	for _, b := range h.blocks {
		d.destroyBlock(b)
	}
	h.blocks = nil
}
