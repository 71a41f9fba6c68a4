//go:build cgo && !novulkan && (linux || freebsd || darwin)

package vk

import (
	"context"
	"fmt"

	"github.com/scopekv/scope/internal/backend"
)

// Supports implements backend.Device: every op of the contract, with operands of this
// device.
func (d *Device) Supports(op backend.Op) bool {
	switch op.(type) {
	case backend.Add, *backend.Add:
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
	p := &plan{d: d}
	for i, op := range ops {
		p.op = i
		if err := d.planOp(p, op); err != nil {
			return fmt.Errorf("vulkan: op %d (%T): %w", i, op, err)
		}
	}
	if len(p.ds) == 0 && len(d.pendingFills) == 0 {
		d.timings = d.timings[:0]
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
	case backend.Add:
		return d.planAdd(p, &o)
	case *backend.Add:
		return d.planAdd(p, o)
	}
	return unsupported("op %T", op)
}
