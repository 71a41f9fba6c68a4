//go:build cgo && !novulkan && linux

package vk

import (
	"time"
)

// Pipeline stages and access masks used in barriers.
const (
	stageCompute     = 0x00000800
	stageTransfer    = 0x00001000
	stageHost        = 0x00004000
	accShaderRead    = 0x00000020
	accShaderWrite   = 0x00000040
	accTransferRead  = 0x00000800
	accTransferWrite = 0x00001000
	accHostRead      = 0x00002000
)

// hazards tracks the buffers read and written since the last barrier.
type hazards struct {
	reads, writes map[uint32]bool
}

// needBarrier reports whether a dispatch with these descriptors must wait for earlier
// ones: it reads or writes what they wrote, or writes what they read.
func (h *hazards) needBarrier(descs []desc) bool {
	for _, x := range descs {
		if h.writes[x.ref.id] || (x.write && h.reads[x.ref.id]) {
			return true
		}
	}
	return false
}

func (h *hazards) note(descs []desc) {
	for _, x := range descs {
		if x.write {
			h.writes[x.ref.id] = true
		} else {
			h.reads[x.ref.id] = true
		}
	}
}

func (h *hazards) reset() {
	clear(h.reads)
	clear(h.writes)
}

// prepareArena grows the arena to hold the plan's host data and copies it in.
func (d *Device) prepareArena(p *plan) error {
	need := int64(len(p.arena))*4 + 4
	if d.arena.blk == nil || d.arena.size < need {
		size := max(need, 64<<10, 2*d.arena.size)
		size = min(size, max(need, d.maxRange()))
		if need > d.maxRange() {
			return unsupported("a run needs %d bytes of index data (limit %d)", need, d.maxRange())
		}
		a, err := d.alloc(&d.hostHeap, size)
		if err != nil {
			return err
		}
		d.arena = a
	}
	copy(d.arena.words(), p.arena)
	return nil
}

// encode records the plan into the command buffer.
func (d *Device) encode(p *plan) error {
	if err := d.prepareArena(p); err != nil {
		return err
	}
	if err := d.begin(); err != nil {
		return err
	}
	d.recordFills()
	timed := d.opts.Timings && len(p.ds) > 0
	if timed {
		if err := d.ensureQueries(len(p.ds) + 1); err != nil {
			return err
		}
		d.recordResetQueries(len(p.ds) + 1)
		d.recordTimestamp(0)
	}
	d.timingNames = d.timingNames[:0]
	h := hazards{reads: map[uint32]bool{}, writes: map[uint32]bool{}}
	refs := make([]bufRef, 0, 16)
	for i := range p.ds {
		ds := &p.ds[i]
		for j := range ds.descs {
			if ds.descs[j].ref.id == arenaID {
				ds.descs[j].ref = d.arena.ref()
			}
		}
		pipe, err := d.pipeline(ds.kernel, ds.spec)
		if err != nil {
			return err
		}
		refs = refs[:0]
		for _, x := range ds.descs {
			refs = append(refs, x.ref)
		}
		set, err := d.descriptorSet(pipe, refs)
		if err != nil {
			return err
		}
		if h.needBarrier(ds.descs) {
			d.recordBarrier(stageCompute, stageCompute, accShaderWrite, accShaderRead|accShaderWrite)
			h.reset()
		}
		h.note(ds.descs)
		d.recordDispatch(pipe, set, ds.push[:ds.pushN], ds.groups)
		if timed {
			d.recordTimestamp(i + 1)
			d.timingNames = append(d.timingNames, dispatchName{op: ds.op, kernel: ds.kernel})
		}
	}
	// Make every write visible to the host (mapped reads) and to later transfers.
	d.recordBarrier(stageCompute|stageTransfer, stageHost|stageTransfer,
		accShaderWrite|accTransferWrite, accHostRead|accTransferRead)
	return d.end()
}

// recordFills records the deferred buffer fills and a barrier after them.
func (d *Device) recordFills() {
	if len(d.pendingFills) == 0 {
		return
	}
	for _, f := range d.pendingFills {
		d.recordFill(f.a, f.value)
	}
	d.pendingFills = d.pendingFills[:0]
	d.recordBarrier(stageTransfer, stageCompute|stageTransfer,
		accTransferWrite, accShaderRead|accShaderWrite|accTransferRead|accTransferWrite)
}

func (d *Device) ensureQueries(n int) error {
	if n <= d.queryCap {
		return nil
	}
	if d.queryPool != 0 {
		d.destroyQueryPool(d.queryPool)
		d.queryPool, d.queryCap = 0, 0
	}
	size := max(n, 2*d.queryCap, 256)
	pool, err := d.createQueryPool(size)
	if err != nil {
		return err
	}
	d.queryPool, d.queryCap = pool, size
	return nil
}

// collectTimings reads the timestamps of the last run.
func (d *Device) collectTimings() error {
	d.timings = d.timings[:0]
	n := len(d.timingNames)
	if !d.opts.Timings || n == 0 {
		return nil
	}
	ts := make([]uint64, n+1)
	if err := d.queryResults(d.queryPool, ts); err != nil {
		return err
	}
	mask := ^uint64(0)
	if d.phys.timestampBits < 64 {
		mask = 1<<d.phys.timestampBits - 1
	}
	for i, name := range d.timingNames {
		ticks := (ts[i+1] - ts[i]) & mask
		d.timings = append(d.timings, KernelTime{Op: name.op, Kernel: name.kernel,
			Duration: time.Duration(float64(ticks) * d.phys.timestampPeriod)})
	}
	return nil
}

// Timings returns the per-dispatch GPU times of the last Run (nil unless
// Options.Timings). A dispatch's time runs from the end of the one before it.
func (d *Device) Timings() []KernelTime {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]KernelTime(nil), d.timings...)
}
