//go:build cgo && !novulkan && (linux || freebsd || darwin)

package vk

import (
	"fmt"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/shaders"
)

// operand checks that b is this device's buffer with at least n values.
func (d *Device) operand(b backend.Buffer, n int, what string) (allocation, error) {
	if b == nil {
		return allocation{}, fmt.Errorf("%s is nil", what)
	}
	vb, err := d.ownBuffer(b, what)
	if err != nil {
		return allocation{}, err
	}
	if n < 0 || vb.n < n {
		return allocation{}, fmt.Errorf("%s holds %d values, %d needed", what, vb.n, n)
	}
	return vb.a, nil
}

func (d *Device) planAdd(p *plan, o *backend.Add) error {
	if o.N <= 0 {
		return nil
	}
	a, err := d.operand(o.A, o.N, "A")
	if err != nil {
		return err
	}
	b, err := d.operand(o.B, o.N, "B")
	if err != nil {
		return err
	}
	out, err := d.operand(o.Out, o.N, "Out")
	if err != nil {
		return err
	}
	add(p, "add_f32", &shaders.AddPush{N: uint32(o.N)}, p.groups1D(ceilDiv(o.N, 256), 1), rd(a), rd(b), wr(out))
	return nil
}
