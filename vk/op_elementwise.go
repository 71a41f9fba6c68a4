//go:build cgo && !novulkan && linux

package vk

import (
	"fmt"
	"math"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
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

// operands checks several buffers that all need n values.
func (d *Device) operands(n int, bufs []backend.Buffer, names ...string) ([]allocation, error) {
	out := make([]allocation, len(bufs))
	for i, b := range bufs {
		a, err := d.operand(b, n, names[i])
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

func (d *Device) planAdd(p *plan, o backend.Add) error {
	if o.N <= 0 {
		return nil
	}
	a, err := d.operands(o.N, []backend.Buffer{o.A, o.B, o.Out}, "A", "B", "Out")
	if err != nil {
		return err
	}
	add(p, "add_f32", &shaders.AddPush{N: uint32(o.N)}, p.groups1D(ceilDiv(o.N, 256), 1), rd(a[0]), rd(a[1]), wr(a[2]))
	return nil
}

func (d *Device) planSwiGLU(p *plan, o backend.SwiGLU) error {
	if o.N <= 0 {
		return nil
	}
	a, err := d.operands(o.N, []backend.Buffer{o.Gate, o.Up, o.Out}, "Gate", "Up", "Out")
	if err != nil {
		return err
	}
	add(p, "swiglu_f32", &shaders.SwiGLUPush{N: uint32(o.N)}, p.groups1D(ceilDiv(o.N, 256), 1), rd(a[0]), rd(a[1]), wr(a[2]))
	return nil
}

func (d *Device) planCopy(p *plan, o backend.Copy) error {
	if o.N <= 0 {
		return nil
	}
	if o.SrcOff < 0 || o.DstOff < 0 {
		return fmt.Errorf("negative offset (%d, %d)", o.SrcOff, o.DstOff)
	}
	src, err := d.operand(o.Src, o.SrcOff+o.N, "Src")
	if err != nil {
		return err
	}
	dst, err := d.operand(o.Dst, o.DstOff+o.N, "Dst")
	if err != nil {
		return err
	}
	groups := p.groups1D(ceilDiv(o.N, 256), 1)
	if src.id == dst.id && o.SrcOff < o.DstOff+o.N && o.DstOff < o.SrcOff+o.N {
		// Overlapping ranges of one buffer: go through scratch, as memmove would.
		tmp, err := d.scratchArray("copy", o.N)
		if err != nil {
			return err
		}
		add(p, "copy_f32", &shaders.CopyPush{N: uint32(o.N), SrcOff: uint32(o.SrcOff)}, groups, rd(src), wr(tmp))
		add(p, "copy_f32", &shaders.CopyPush{N: uint32(o.N), DstOff: uint32(o.DstOff)}, groups, rd(tmp), wr(dst))
		return nil
	}
	add(p, "copy_f32", &shaders.CopyPush{N: uint32(o.N), SrcOff: uint32(o.SrcOff), DstOff: uint32(o.DstOff)}, groups, rd(src), wr(dst))
	return nil
}

func (d *Device) planArgmax(p *plan, o backend.Argmax) error {
	if o.N <= 0 {
		return nil
	}
	if o.Dim <= 0 {
		return fmt.Errorf("Dim %d", o.Dim)
	}
	x, err := d.operand(o.X, o.N*o.Dim, "X")
	if err != nil {
		return err
	}
	out, err := d.operand(o.Out, o.N, "Out")
	if err != nil {
		return err
	}
	add(p, "argmax_f32", &shaders.ArgmaxPush{N: uint32(o.N), Dim: uint32(o.Dim)}, p.groups1D(o.N, 1), rd(x), wr(out))
	return nil
}

func (d *Device) planRMSNorm(p *plan, o backend.RMSNorm) error {
	if o.N <= 0 {
		return nil
	}
	if o.Dim <= 0 {
		return fmt.Errorf("Dim %d", o.Dim)
	}
	w, err := d.ownWeight(o.W, "W")
	if err != nil {
		return err
	}
	if w.typ != quant.F32 || w.rows != 1 || w.cols != o.Dim || len(w.parts) != 1 {
		return fmt.Errorf("W is %dx%d %s, want a 1x%d vector", w.rows, w.cols, w.typ, o.Dim)
	}
	a, err := d.operands(o.N*o.Dim, []backend.Buffer{o.X, o.Out}, "X", "Out")
	if err != nil {
		return err
	}
	add(p, "rmsnorm_f32", &shaders.RMSNormPush{Dim: uint32(o.Dim), N: uint32(o.N), Eps: o.Eps},
		p.groups1D(o.N, 1), rd(a[0]), rd(w.parts[0].a), wr(a[1]))
	return nil
}

func (d *Device) planRoPE(p *plan, o backend.RoPE) error {
	if o.N <= 0 {
		return nil
	}
	if err := checkRoPE(o); err != nil {
		return err
	}
	x, err := d.operand(o.X, o.N*o.NHeads*o.HeadDim, "X")
	if err != nil {
		return err
	}
	neox := uint32(0)
	if o.NeoX {
		neox = 1
	}
	push := shaders.RoPEPush{N: uint32(o.N), NHeads: uint32(o.NHeads), HeadDim: uint32(o.HeadDim),
		RopeDim: uint32(o.RopeDim), Neox: neox, TabOff: p.ropeTable(o)}
	add(p, "rope_f32", &push, p.groups1D(ceilDiv(o.N*o.NHeads*o.RopeDim/2, 256), 1), wr(x), arenaDesc())
	return nil
}

func checkRoPE(o backend.RoPE) error {
	switch {
	case o.NHeads <= 0 || o.HeadDim <= 0:
		return fmt.Errorf("NHeads %d, HeadDim %d", o.NHeads, o.HeadDim)
	case o.RopeDim <= 0 || o.RopeDim > o.HeadDim || o.RopeDim%2 != 0:
		return fmt.Errorf("RopeDim %d with HeadDim %d", o.RopeDim, o.HeadDim)
	case len(o.Pos) < o.N:
		return fmt.Errorf("%d positions for %d tokens", len(o.Pos), o.N)
	case o.Factors != nil && len(o.Factors) < o.RopeDim/2:
		return fmt.Errorf("%d frequency factors, %d needed", len(o.Factors), o.RopeDim/2)
	}
	return nil
}

// ropeKey identifies a RoPE table within one run (Q and K of a layer, and every layer,
// share the same positions).
type ropeKey struct {
	pos        *int32
	factors    *float32
	n, ropeDim int
	base       float32
}

// ropeTable uploads the cosines and sines of o's angles, computed in float64 exactly as
// internal/ref computes them, and returns their arena offset.
func (p *plan) ropeTable(o backend.RoPE) uint32 {
	key := ropeKey{pos: &o.Pos[0], n: o.N, ropeDim: o.RopeDim, base: o.Base}
	if o.Factors != nil {
		key.factors = &o.Factors[0]
	}
	if off, ok := p.ropes[key]; ok {
		return off
	}
	half := o.RopeDim / 2
	tab := make([]uint32, 0, 2*o.N*half)
	for t := 0; t < o.N; t++ {
		for i := 0; i < half; i++ {
			freq := 1 / math.Pow(float64(o.Base), float64(2*i)/float64(o.RopeDim))
			if o.Factors != nil {
				freq /= float64(o.Factors[i])
			}
			angle := float64(o.Pos[t]) * freq
			tab = append(tab, math.Float32bits(float32(math.Cos(angle))), math.Float32bits(float32(math.Sin(angle))))
		}
	}
	off := p.upload(tab)
	if p.ropes == nil {
		p.ropes = map[ropeKey]uint32{}
	}
	p.ropes[key] = off
	return off
}
