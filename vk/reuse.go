//go:build cgo && !novulkan && linux

package vk

import (
	"slices"

	"github.com/scopekv/scope/internal/backend"
)

// recording is what the command buffer holds from the last Run: a decode step of the same
// shape (same kernels, descriptors, push constants and grid; only the arena's contents
// differ: positions, slots, angles) submits it again instead of recording anew.
type recording struct {
	valid      bool
	ds         []dispatch // as planned (arena descriptors unresolved)
	reads      []readReq  // sources and staging places (dst not compared)
	arenaBytes int64
	arena      uint32 // allocation ids the recording refers to
	arenaDev   uint32
	staging    uint32
	timed      bool
	// the dispatches and barriers it holds, counted again at each reuse
	dispatches, barriers int64
}

// invalidate forgets the recording: the command buffer is about to be recorded again.
func (r *recording) invalidate() { r.valid = false }

// snapshot copies the plan's dispatches before encode resolves their arena descriptors.
func snapshot(ds []dispatch) []dispatch {
	out := make([]dispatch, len(ds))
	for i, x := range ds {
		out[i] = x
		out[i].descs = slices.Clone(x.descs)
		out[i].spec = slices.Clone(x.spec)
	}
	return out
}

// remember keeps the recorded plan, unless the command buffer also did one-off work
// (deferred fills) that a second submission must not repeat.
func (d *Device) remember(snap []dispatch, p *plan, hadFills bool, before backend.Counters) {
	r := &d.rec
	*r = recording{valid: !hadFills, ds: snap, reads: slices.Clone(p.reads), arenaBytes: p.arenaBytes,
		arena: d.arena.id, arenaDev: d.arenaDev.id, staging: d.staging.id, timed: d.opts.Timings,
		dispatches: d.counters.Dispatches - before.Dispatches, barriers: d.counters.Barriers - before.Barriers}
}

// reusable reports whether p records exactly what the command buffer holds; it then
// gives p's reads their staging places.
func (d *Device) reusable(p *plan) bool {
	r := &d.rec
	need := int64(len(p.arena))*4 + 4
	if !r.valid || len(d.pendingFills) > 0 || need != r.arenaBytes || r.arena != d.arena.id ||
		r.arenaDev != d.arenaDev.id || r.staging != d.staging.id || len(p.ds) != len(r.ds) || len(p.reads) != len(r.reads) {
		return false
	}
	for i := range p.reads {
		a, b := p.reads[i], r.reads[i]
		if a.a.id != b.a.id || len(a.dst) != len(b.dst) {
			return false
		}
	}
	for i := range p.ds {
		if !sameDispatch(&p.ds[i], &r.ds[i]) {
			return false
		}
	}
	for i := range p.reads {
		p.reads[i].staged, p.reads[i].stagingOff = r.reads[i].staged, r.reads[i].stagingOff
	}
	return true
}

func sameDispatch(a, b *dispatch) bool {
	return a.kernel == b.kernel && a.groups == b.groups && a.pushN == b.pushN &&
		a.push == b.push && slices.Equal(a.spec, b.spec) && slices.Equal(a.descs, b.descs)
}
