//go:build cgo && !novulkan && linux

package vk

import (
	"time"
	"unsafe"
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

// prepareArena grows the arena to hold the plan's host data and copies it in. Where device
// memory is not host-mapped (a discrete GPU) the step copies it into a device-local twin
// first, so the kernels do not read page tables and slots across the bus.
func (d *Device) prepareArena(p *plan) error {
	need := int64(len(p.arena))*4 + 4
	if need > d.maxRange() {
		return unsupported("a run needs %d bytes of index data (limit %d)", need, d.maxRange())
	}
	if d.arena.blk == nil || d.arena.size < need {
		size := min(max(need, 64<<10, 2*d.arena.size), max(need, d.maxRange()))
		a, err := d.alloc(&d.hostHeap, size)
		if err != nil {
			return err
		}
		d.arena = a
	}
	copy(d.arena.words(), p.arena)
	p.arenaBytes = need
	if d.devHeap.mapped || (d.arenaDev.blk != nil && d.arenaDev.size >= d.arena.size) {
		return nil
	}
	a, err := d.alloc(&d.devHeap, d.arena.size)
	if err != nil {
		return err
	}
	d.arenaDev = a
	return nil
}

// arenaView is the arena the kernels read: the device-local twin when there is one.
func (d *Device) arenaView() allocation {
	if d.devHeap.mapped {
		return d.arena
	}
	return d.arenaDev
}

// encode records the plan into the command buffer.
func (d *Device) encode(p *plan) error {
	if err := d.prepareArena(p); err != nil {
		return err
	}
	if err := d.begin(); err != nil {
		return err
	}
	arena := d.arenaView()
	if arena.id != d.arena.id {
		d.recordCopy(d.arena.blk.buf, arena.blk.buf, d.arena.off, arena.off, p.arenaBytes)
		if len(d.pendingFills) == 0 { // the fills' barrier covers the copy too
			d.recordBarrier(stageTransfer, stageCompute, accTransferWrite, accShaderRead)
		}
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
				ds.descs[j].ref = arena.ref()
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
			d.counters.Barriers++
			h.reset()
		}
		h.note(ds.descs)
		d.recordDispatch(pipe, set, ds.push[:ds.pushN], ds.groups)
		d.counters.Dispatches++
		if timed {
			d.recordTimestamp(i + 1)
			d.timingNames = append(d.timingNames, dispatchName{op: ds.op, kernel: ds.kernel})
		}
	}
	// Make every write visible to the host (mapped reads) and to later transfers.
	d.recordBarrier(stageCompute|stageTransfer, stageHost|stageTransfer,
		accShaderWrite|accTransferWrite, accHostRead|accTransferRead)
	if err := d.stageReads(p); err != nil {
		return err
	}
	return d.end()
}

// stageReads records the copies of the plan's reads from device memory the host cannot
// map into the staging buffer, as many as fit; the rest are read after the run.
func (d *Device) stageReads(p *plan) error {
	var total int64
	for _, r := range p.reads {
		if r.a.blk.mapped == nil {
			total += align16(int64(len(r.dst)) * 4)
		}
	}
	if total == 0 {
		return nil
	}
	if err := d.ensureStaging(total); err != nil {
		return err
	}
	var off int64
	for i := range p.reads {
		r := &p.reads[i]
		n := int64(len(r.dst)) * 4
		if r.a.blk.mapped != nil || off+n > d.staging.size {
			continue
		}
		d.recordCopy(r.a.blk.buf, d.staging.blk.buf, r.a.off, d.staging.off+off, n)
		r.staged, r.stagingOff = true, off
		off += align16(n)
	}
	d.recordBarrier(stageTransfer, stageHost, accTransferWrite, accHostRead)
	return nil
}

func align16(n int64) int64 { return (n + 15) &^ 15 }

// finishReads copies the plan's reads to their host slices once the run is done.
func (d *Device) finishReads(p *plan) error {
	for _, r := range p.reads {
		dst := unsafe.Slice((*byte)(unsafe.Pointer(&r.dst[0])), len(r.dst)*4)
		switch {
		case r.staged:
			copy(dst, d.staging.bytes()[r.stagingOff:])
		case r.a.blk.mapped != nil:
			copy(dst, r.a.bytes())
		}
	}
	// Reads that did not fit the staging buffer reuse it, one submit each.
	for _, r := range p.reads {
		if !r.staged && r.a.blk.mapped == nil {
			dst := unsafe.Slice((*byte)(unsafe.Pointer(&r.dst[0])), len(r.dst)*4)
			if err := d.download(r.a, dst); err != nil {
				return err
			}
		}
	}
	return nil
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
