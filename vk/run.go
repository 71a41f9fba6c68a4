//go:build cgo && !novulkan && linux

package vk

import (
	"context"
	"fmt"

	"github.com/scopekv/scope/internal/backend"
)

// Supports implements backend.Device: every op of the contract. (Operands are checked when
// Run records the op; a head dimension above 256 is refused there.)
func (d *Device) Supports(op backend.Op) bool {
	switch o := op.(type) {
	case backend.Attention:
		return o.HeadDim <= 256
	case backend.Embed, backend.RMSNorm, backend.MatMul, backend.RoPE, backend.SwiGLU, backend.Add,
		backend.Copy, backend.KVWrite, backend.KVSetPos, backend.KVCopy, backend.Argmax:
		return true
	}
	return false
}

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
		return nil
	}
	if err := d.encode(p); err != nil {
		return d.noteErr(err)
	}
	if err := d.submitWait(); err != nil {
		return err
	}
	return d.noteErr(d.collectTimings())
}

func (d *Device) planOp(p *plan, op backend.Op) error {
	switch o := op.(type) {
	case backend.Embed:
		return d.planEmbed(p, o)
	case backend.RMSNorm:
		return d.planRMSNorm(p, o)
	case backend.MatMul:
		return d.planMatMul(p, o)
	case backend.RoPE:
		return d.planRoPE(p, o)
	case backend.SwiGLU:
		return d.planSwiGLU(p, o)
	case backend.Add:
		return d.planAdd(p, o)
	case backend.Copy:
		return d.planCopy(p, o)
	case backend.KVWrite:
		return d.planKVWrite(p, o)
	case backend.KVSetPos:
		return d.planKVSetPos(p, o)
	case backend.KVCopy:
		return d.planKVCopy(p, o)
	case backend.Attention:
		return d.planAttention(p, o)
	case backend.Argmax:
		return d.planArgmax(p, o)
	}
	return unsupported("op %T", op)
}
