//go:build cgo && !novulkan && linux

package vk

import (
	"fmt"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
	"github.com/scopekv/scope/shaders"
)

// Epilogue bits of the matrix kernels (shaders/epilogue.glsl).
const (
	epiAccumulate = 1
	epiGated      = 2
)

// linearOuts are the (up to three) outputs of a fused product, the rows where the second
// and third start, and the epilogue bits.
type linearOuts struct {
	a              [3]allocation
	split1, split2 int
	epi            uint32
}

// singleOut is a plain product's one output.
func singleOut(out allocation, rows int) linearOuts {
	return linearOuts{a: [3]allocation{out, out, out}, split1: rows, split2: rows}
}

func (o *linearOuts) descs() []desc { return []desc{wr(o.a[0]), wr(o.a[1]), wr(o.a[2])} }

func (d *Device) planLinear(p *plan, o backend.Linear) error {
	if o.N <= 0 {
		return nil
	}
	w, err := d.ownWeight(o.W, "W")
	if err != nil {
		return err
	}
	widths, ok := o.OutWidths()
	if !ok {
		return fmt.Errorf("%d outputs of widths %v for %d rows (gated %v)", len(o.Outs), o.Widths, w.rows, o.Gated)
	}
	x, err := d.operand(o.X, o.N*w.cols, "X")
	if err != nil {
		return err
	}
	lo, err := d.linearOutputs(o, widths, x)
	if err != nil {
		return err
	}
	if int(d.phys.maxGroupCount[2]) < o.N {
		return unsupported("%d tokens in one Linear", o.N)
	}
	for _, part := range w.parts {
		if o.Gated && (part.row0%2 != 0 || part.rows%2 != 0) {
			return fmt.Errorf("gated weight part of rows [%d,%d) splits a gate/up pair", part.row0, part.row0+part.rows)
		}
	}
	nrm, err := d.linearNorm(o, w)
	if err != nil {
		return err
	}
	if _, ok := d.matvecTokens(o.N); ok && (!o.Gated || d.matvecRows%2 == 0) {
		for _, part := range w.parts {
			d.planMatMulPart(p, w, part, x, lo, nrm, o.N)
		}
		return nil
	}
	if nrm.on {
		// The tiled kernel has no prologue: the normalised rows go through scratch.
		if x, err = d.planNormScratch(p, x, nrm, o.N, w.cols); err != nil {
			return err
		}
	}
	// The tiled kernel writes every product to scratch; a small kernel then stores them.
	y, err := d.scratchArray("linear", o.N*w.rows)
	if err != nil {
		return err
	}
	for _, part := range w.parts {
		d.planMatMulPart(p, w, part, x, singleOut(y, w.rows), normPrologue{}, o.N)
	}
	per := 1
	if o.Gated {
		per = 2
	}
	push := shaders.LinearEpiPush{N: uint32(o.N), OutStride: uint32(w.rows), Split1: uint32(lo.split1), Split2: uint32(lo.split2)}
	descs := append([]desc{rd(y)}, lo.descs()...)
	add(p, "linear_epi_f32", &push, p.groups1D(ceilDiv(o.N*w.rows/per, 256), 1), descs...)
	p.withSpec(lo.epi)
	return nil
}

// linearNorm checks o's norm prologue: Norm is a float32 vector of W's width.
func (d *Device) linearNorm(o backend.Linear, w *weight) (normPrologue, error) {
	if o.Norm == nil {
		return normPrologue{}, nil
	}
	nw, err := d.ownWeight(o.Norm, "Norm")
	if err != nil {
		return normPrologue{}, err
	}
	if nw.typ != quant.F32 || nw.rows != 1 || nw.cols != w.cols || len(nw.parts) != 1 {
		return normPrologue{}, fmt.Errorf("Norm is %dx%d %s, want a 1x%d vector", nw.rows, nw.cols, nw.typ, w.cols)
	}
	return normPrologue{w: nw.parts[0].a, on: true, eps: o.NormEps}, nil
}

// planNormScratch records the RMSNorm of X's n rows into scratch and returns it.
func (d *Device) planNormScratch(p *plan, x allocation, nrm normPrologue, n, cols int) (allocation, error) {
	xn, err := d.scratchArray("linear norm", n*cols)
	if err != nil {
		return allocation{}, err
	}
	add(p, "rmsnorm_f32", &shaders.RMSNormPush{Dim: uint32(cols), N: uint32(n), Eps: nrm.eps},
		p.groups1D(n, 1), rd(x), rd(nrm.w), wr(xn))
	return xn, nil
}

// linearOutputs checks o's outputs against their widths and X.
func (d *Device) linearOutputs(o backend.Linear, widths []int, x allocation) (linearOuts, error) {
	lo := linearOuts{split1: o.W.Rows(), split2: o.W.Rows()}
	seen := map[uint32]bool{x.id: true}
	for i, b := range o.Outs {
		a, err := d.operand(b, o.N*widths[i], fmt.Sprintf("Outs[%d]", i))
		if err != nil {
			return lo, err
		}
		if seen[a.id] {
			return lo, fmt.Errorf("Outs[%d] aliases X or another output", i)
		}
		seen[a.id] = true
		lo.a[i] = a
	}
	for i := len(o.Outs); i < 3; i++ {
		lo.a[i] = lo.a[0]
	}
	if len(o.Outs) > 3 {
		return lo, unsupported("%d outputs of one Linear (at most 3)", len(o.Outs))
	}
	if len(widths) > 1 {
		lo.split1 = widths[0]
	}
	if len(widths) > 2 {
		lo.split2 = widths[0] + widths[1]
	}
	if o.Accumulate {
		lo.epi |= epiAccumulate
	}
	if o.Gated {
		lo.epi |= epiGated
	}
	return lo, nil
}

func (d *Device) planRoPEKV(p *plan, o backend.RoPEKV) error {
	if o.N <= 0 {
		return nil
	}
	kv, err := d.ownKV(o.KV)
	if err != nil {
		return err
	}
	unf := o.Unfused()
	rq, rk, kw := unf[0].(backend.RoPE), unf[1].(backend.RoPE), unf[2].(backend.KVWrite)
	if err := checkRoPE(rq); err != nil {
		return err
	}
	if err := checkRoPE(rk); err != nil {
		return err
	}
	units, err := checkKVWrite(kv, kw)
	if err != nil {
		return err
	}
	if o.HeadDim != kv.l.HeadDim {
		return fmt.Errorf("HeadDim %d, KV head dim %d", o.HeadDim, kv.l.HeadDim)
	}
	q, err := d.operand(o.Q, o.N*o.NHeads*o.HeadDim, "Q")
	if err != nil {
		return err
	}
	kvBufs, err := d.operands(o.N*o.NKVHeads*o.HeadDim, []backend.Buffer{o.K, o.V}, "K", "V")
	if err != nil {
		return err
	}
	if q.id == kvBufs[0].id || q.id == kvBufs[1].id || kvBufs[0].id == kvBufs[1].id {
		return fmt.Errorf("Q, K and V must be distinct buffers")
	}
	push := shaders.RoPEKVPush{N: uint32(o.N), NHeads: uint32(o.NHeads), NKVHeads: uint32(o.NKVHeads),
		UnitsPerKV: uint32(o.UnitsPerKVHead), HeadDim: uint32(o.HeadDim), RopeDim: uint32(o.RopeDim),
		Neox: b2u(o.NeoX), TabOff: p.ropeTable(rq), SlotsPerChunk: uint32(kv.slotsPerChunk),
		SlotOff: p.uploadInts(keepLast(o.Slots[:o.N*units])), PosOff: p.uploadInts(o.Pos[:o.N])}
	descs := []desc{wr(q), wr(kvBufs[0]), rd(kvBufs[1]), arenaDesc()}
	descs = append(descs, chunkDescs(kv.k, true)...)
	descs = append(descs, chunkDescs(kv.v, true)...)
	descs = append(descs, wr(kv.pos))
	add(p, "rope_kv_f32", &push, p.groups1D(o.N*(o.NHeads+o.NKVHeads), 1), descs...)
	return nil
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// readReq is a ReadBack of a plan: n bytes of a to dst, through staging at stagingOff
// when the device memory is not mapped (staged), or after the run otherwise.
type readReq struct {
	a          allocation
	dst        []float32
	stagingOff int64
	staged     bool
}

func (d *Device) planReadBack(p *plan, o backend.ReadBack) error {
	if len(o.Dst) == 0 {
		return nil
	}
	a, err := d.operand(o.Src, len(o.Dst), "Src")
	if err != nil {
		return err
	}
	p.reads = append(p.reads, readReq{a: a, dst: o.Dst})
	return nil
}
