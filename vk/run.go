//go:build cgo && !novulkan && linux

package vk

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/shaders"
)

// Supports implements backend.Device: every op that planner knows. (Operands are checked
// when Run records the op.)
func (d *Device) Supports(op backend.Op) bool { return d.planner(op) != nil }

// Run implements backend.Device: it records the ops into one command buffer, submits it
// once and waits for it.
func (d *Device) Run(ctx context.Context, ops []backend.Op) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.usable(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	runtime.LockOSThread() // threadCPU measures this thread
	defer runtime.UnlockOSThread()
	start, startCPU := time.Now(), threadCPU()
	d.sets.trim(d)
	p := &plan{d: d}
	for i, op := range ops {
		p.op = i
		if err := d.planOp(p, op); err != nil {
			return fmt.Errorf("vulkan: op %d (%T): %w", i, op, err)
		}
	}
	d.timings = d.timings[:0]
	if len(p.ds) == 0 && len(d.pendingFills) == 0 {
		return d.finishReads(p)
	}
	if err := d.record(p); err != nil {
		return d.noteErr(err)
	}
	d.counters.Runs++
	d.counters.Encode += time.Since(start)
	d.counters.EncodeCPU += threadCPU() - startCPU
	if err := d.submitWait(); err != nil {
		return err
	}
	if err := d.collectTimings(); err != nil {
		return d.noteErr(err)
	}
	return d.noteErr(d.finishReads(p))
}

// record records p into the command buffer, or only refreshes the arena when the command
// buffer already holds the same step (reuse.go).
func (d *Device) record(p *plan) error {
	if !d.unfused && d.reusable(p) {
		d.counters.Reused++
		d.counters.Dispatches += d.rec.dispatches
		d.counters.Barriers += d.rec.barriers
		return d.prepareArena(p)
	}
	snap := snapshot(p.ds)
	hadFills := len(d.pendingFills) > 0
	before := d.counters
	if err := d.encode(p); err != nil {
		return err
	}
	d.remember(snap, p, hadFills, before)
	return nil
}

func (d *Device) planOp(p *plan, op backend.Op) error {
	if f := d.planner(op); f != nil {
		return f(p)
	}
	return unsupported("op %T", op)
}

// planner returns the function that plans op, or nil when the backend cannot run it: the
// one list of supported ops.
func (d *Device) planner(op backend.Op) func(*plan) error {
	switch o := op.(type) {
	case backend.Embed:
		return func(p *plan) error { return d.planEmbed(p, o) }
	case backend.RMSNorm:
		return func(p *plan) error { return d.planRMSNorm(p, o) }
	case backend.MatMul:
		return func(p *plan) error { return d.planMatMul(p, o) }
	case backend.RoPE:
		return func(p *plan) error { return d.planRoPE(p, o) }
	case backend.SwiGLU:
		return func(p *plan) error { return d.planSwiGLU(p, o) }
	case backend.Add:
		return func(p *plan) error { return d.planAdd(p, o) }
	case backend.Copy:
		return func(p *plan) error { return d.planCopy(p, o) }
	case backend.KVWrite:
		return func(p *plan) error { return d.planKVWrite(p, o) }
	case backend.KVSetPos:
		return func(p *plan) error { return d.planKVSetPos(p, o) }
	case backend.KVCopy:
		return func(p *plan) error { return d.planKVCopy(p, o) }
	case backend.Attention:
		if o.HeadDim > shaders.MaxHeadDim {
			return nil
		}
		return func(p *plan) error { return d.planAttention(p, o) }
	case backend.Argmax:
		return func(p *plan) error { return d.planArgmax(p, o) }
	case backend.ReadBack:
		if d.unfused {
			return nil
		}
		return func(p *plan) error { return d.planReadBack(p, o) }
	case backend.Linear:
		if d.unfused {
			return nil
		}
		return func(p *plan) error { return d.planLinear(p, o) }
	case backend.RoPEKV:
		if d.unfused {
			return nil
		}
		return func(p *plan) error { return d.planRoPEKV(p, o) }
	}
	return nil
}
