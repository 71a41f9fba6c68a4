//go:build cgo && !novulkan && linux

package vk

/*
#include "shim.h"
*/
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"
)

const (
	setsPerPool        = 256
	descriptorsPerPool = setsPerPool * 8
	// maxCachedSets bounds the cache: past it, every set is freed between two runs and
	// the sets still in use are written again on demand (new buffers keep making new sets).
	maxCachedSets = 16384
)

// bufRef is the range of a block that one descriptor views.
type bufRef struct {
	id        uint32 // allocation id
	buf       uint64 // the block's VkBuffer
	off, size int64
}

func (a allocation) ref() bufRef {
	return bufRef{id: a.id, buf: a.blk.buf, off: a.off, size: a.size + a.slack}
}

// descriptorCache hands out descriptor sets written once for an exact list of bindings
// and reused by every later dispatch with the same bindings (runs repeat the same ops).
type descriptorCache struct {
	pools []uint64
	sets  map[string]uint64
	limit int // maxCachedSets unless set (tests)
}

func setKey(dsl uint64, descs []bufRef) string {
	b := make([]byte, 0, 8+len(descs)*20)
	b = binary.LittleEndian.AppendUint64(b, dsl)
	for _, r := range descs {
		b = binary.LittleEndian.AppendUint32(b, r.id)
		b = binary.LittleEndian.AppendUint64(b, uint64(r.off))
		b = binary.LittleEndian.AppendUint64(b, uint64(r.size))
	}
	return string(b)
}

// descriptorSet returns a set of p's layout whose descriptors view descs (one per
// descriptor, in binding order with arrays expanded).
func (d *Device) descriptorSet(p *pipeline, descs []bufRef) (uint64, error) {
	if len(descs) != p.descriptors {
		return 0, fmt.Errorf("vulkan: kernel %s takes %d descriptors, got %d", p.kernel.Name, p.descriptors, len(descs))
	}
	key := setKey(p.dsl, descs)
	if s, ok := d.sets.sets[key]; ok {
		return s, nil
	}
	set, err := d.allocSet(p.dsl)
	if err != nil {
		return 0, err
	}
	n := len(descs)
	bindings := make([]uint32, 0, n)
	elements := make([]uint32, 0, n)
	for b, count := range p.kernel.Bindings {
		for e := uint32(0); e < count; e++ {
			bindings = append(bindings, uint32(b))
			elements = append(elements, e)
		}
	}
	bufs := make([]uint64, n)
	offs := make([]uint64, n)
	ranges := make([]uint64, n)
	for i, r := range descs {
		bufs[i], offs[i], ranges[i] = r.buf, uint64(r.off), uint64(r.size)
	}
	C.sk_write_set(d.c, C.uint64_t(set), C.uint32_t(n),
		(*C.uint32_t)(unsafe.Pointer(&bindings[0])), (*C.uint32_t)(unsafe.Pointer(&elements[0])),
		(*C.uint64_t)(unsafe.Pointer(&bufs[0])), (*C.uint64_t)(unsafe.Pointer(&offs[0])),
		(*C.uint64_t)(unsafe.Pointer(&ranges[0])))
	if d.sets.sets == nil {
		d.sets.sets = map[string]uint64{}
	}
	d.sets.sets[key] = set
	return set, nil
}

func (d *Device) allocSet(dsl uint64) (uint64, error) {
	if n := len(d.sets.pools); n > 0 {
		set, r := d.allocSetFrom(d.sets.pools[n-1], dsl)
		if r == vkSuccess {
			return set, nil
		}
		if r != vkErrOutOfPoolMemory && r != vkErrFragmentedPool {
			return 0, check("vkAllocateDescriptorSets", r)
		}
	}
	pool, err := d.createDescriptorPool(setsPerPool, descriptorsPerPool)
	if err != nil {
		return 0, err
	}
	d.sets.pools = append(d.sets.pools, pool)
	set, r := d.allocSetFrom(pool, dsl)
	if r != vkSuccess {
		return 0, errors.Join(errors.New("vulkan: a fresh descriptor pool is too small"), check("vkAllocateDescriptorSets", r))
	}
	return set, nil
}

// trim frees every cached set when the cache has grown past maxCachedSets. It is called
// between runs, when no command buffer uses a set.
func (c *descriptorCache) trim(d *Device) {
	limit := c.limit
	if limit == 0 {
		limit = maxCachedSets
	}
	if len(c.sets) > limit {
		c.destroy(d)
	}
}

func (c *descriptorCache) destroy(d *Device) {
	d.rec.invalidate() // the command buffer refers to these sets
	for _, p := range c.pools {
		d.destroyDescriptorPool(p)
	}
	c.pools, c.sets = nil, nil
}
