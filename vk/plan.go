//go:build cgo && !novulkan && linux

package vk

import (
	"unsafe"
)

// arenaID marks a descriptor that views the per-run arena; encode resolves it once the
// arena has its final size.
const arenaID = 0

// desc is one descriptor of a dispatch and whether the kernel writes through it.
type desc struct {
	ref   bufRef
	write bool
}

func rd(a allocation) desc { return desc{ref: a.ref()} }
func wr(a allocation) desc { return desc{ref: a.ref(), write: true} }

// dispatch is one kernel launch, recorded into the command buffer by encode.
type dispatch struct {
	op     int
	kernel string
	spec   []uint32
	descs  []desc
	push   [128]byte
	pushN  uint32
	groups [3]uint32
}

// plan collects a Run's dispatches and the host data (index arrays) they read.
type plan struct {
	d     *Device
	op    int
	ds    []dispatch
	arena []uint32
	ropes map[ropeKey]uint32
	reads []readReq

	arenaBytes int64 // bytes of the arena this run uses (set by encode)
}

// upload appends host words to the arena and returns their offset in words.
func (p *plan) upload(words []uint32) uint32 {
	off := uint32(len(p.arena))
	p.arena = append(p.arena, words...)
	return off
}

// uploadInts appends int32 values to the arena and returns their offset in words.
func (p *plan) uploadInts(v []int32) uint32 {
	off := uint32(len(p.arena))
	for _, x := range v {
		p.arena = append(p.arena, uint32(x))
	}
	return off
}

// arenaDesc is the descriptor of the whole arena (read-only to kernels).
func arenaDesc() desc { return desc{ref: bufRef{id: arenaID}} }

// add appends a dispatch; push must point to a struct of 4-byte scalars (a shaders.*Push).
func add[T any](p *plan, kernel string, push *T, groups [3]uint32, descs ...desc) {
	ds := dispatch{op: p.op, kernel: kernel, descs: descs, groups: groups}
	n := unsafe.Sizeof(*push)
	ds.pushN = uint32(n)
	copy(ds.push[:n], unsafe.Slice((*byte)(unsafe.Pointer(push)), n))
	p.ds = append(p.ds, ds)
}

// withSpec sets the specialisation constants of the last dispatch.
func (p *plan) withSpec(spec ...uint32) {
	p.ds[len(p.ds)-1].spec = spec
}

// groups1D spreads n workgroups over x and y (each at most the device's x limit);
// kernels rebuild the linear index with group_index() and bound-check it.
func (p *plan) groups1D(n int, z int) [3]uint32 {
	maxX := int(min(p.d.phys.maxGroupCount[0], 65535))
	if n <= maxX {
		return [3]uint32{uint32(max(n, 1)), 1, uint32(max(z, 1))}
	}
	return [3]uint32{uint32(maxX), uint32((n + maxX - 1) / maxX), uint32(max(z, 1))}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
