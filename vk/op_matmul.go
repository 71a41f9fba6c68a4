//go:build cgo && !novulkan && linux

package vk

import (
	"fmt"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
	"github.com/scopekv/scope/shaders"
)

// matvecMaxN is the largest batch that uses the matrix-vector kernel; larger batches use
// the tiled kernel, which reads each weight tile once per 32 tokens. A software device
// reads its weights from the CPU's caches and pays for the tiled kernel's barriers and
// shared-memory gathers: there the matrix-vector kernel, once per token, measured 3-4x
// faster for 64 tokens, so it takes every batch.
func matvecMaxN(p *physInfo, software bool) int {
	if software {
		return int(p.maxGroupCount[2])
	}
	return 1
}

// matvecBatchMax is the largest batch above matvecMaxN that the matrix-vector kernel
// still takes, with several tokens per workgroup (the decode steps of several sequences):
// a weight block is then fetched once for all of them instead of once per token.
const matvecBatchMax = 32

// matvecTokens returns the tokens per workgroup of the matrix-vector kernel for a batch
// of n (1 up to matvecMaxN; else the power of two >= n whose sums fit shared memory), and
// false when the tiled kernel takes the batch.
func (d *Device) matvecTokens(n int) (int, bool) {
	if n <= d.matvecMaxN {
		return 1, true
	}
	if n > d.matvecBatchMax {
		return 0, false
	}
	nt := 1
	for nt < n {
		nt *= 2
	}
	for nt > 1 && (d.matvecRows+1)*nt*d.matvecWG*4 > d.phys.maxSharedMemory {
		nt /= 2
	}
	return nt, true
}

func (d *Device) planEmbed(p *plan, o backend.Embed) error {
	if len(o.Tokens) == 0 {
		return nil
	}
	w, err := d.ownWeight(o.Table, "Table")
	if err != nil {
		return err
	}
	for _, id := range o.Tokens {
		if id < 0 || int(id) >= w.rows {
			return fmt.Errorf("token %d out of range [0,%d)", id, w.rows)
		}
	}
	n := len(o.Tokens)
	if n > int(d.phys.maxGroupCount[1]) {
		return unsupported("%d tokens in one Embed", n)
	}
	out, err := d.operand(o.Out, n*w.cols, "Out")
	if err != nil {
		return err
	}
	tokOff := p.uploadInts(o.Tokens)
	kernel := "embed_" + nativeTypes[w.typ]
	for _, part := range w.parts {
		push := shaders.EmbedPush{Cols: uint32(w.cols), RowBytes: uint32(w.rowBytes), Row0: uint32(part.row0),
			Rows: uint32(part.rows), TokOff: tokOff, NTok: uint32(n)}
		add(p, kernel, &push, [3]uint32{uint32(ceilDiv(w.cols, 256)), uint32(n), 1}, rd(part.a), arenaDesc(), wr(out))
	}
	return nil
}

func (d *Device) planMatMul(p *plan, o backend.MatMul) error {
	if o.N <= 0 {
		return nil
	}
	w, err := d.ownWeight(o.W, "W")
	if err != nil {
		return err
	}
	x, err := d.operand(o.X, o.N*w.cols, "X")
	if err != nil {
		return err
	}
	out, err := d.operand(o.Out, o.N*w.rows, "Out")
	if err != nil {
		return err
	}
	if x.id == out.id {
		return fmt.Errorf("X and Out are the same buffer")
	}
	var bias *weight
	if o.Bias != nil {
		if bias, err = d.ownWeight(o.Bias, "Bias"); err != nil {
			return err
		}
		if bias.typ != quant.F32 || bias.rows != 1 || bias.cols != w.rows {
			return fmt.Errorf("Bias is %dx%d %s, want a 1x%d vector", bias.rows, bias.cols, bias.typ, w.rows)
		}
	}
	if int(d.phys.maxGroupCount[2]) < o.N {
		return unsupported("%d tokens in one MatMul", o.N)
	}
	for _, part := range w.parts {
		d.planMatMulPart(p, w, part, x, singleOut(out, w.rows), normPrologue{}, o.N)
	}
	if bias != nil {
		push := shaders.BiasPush{Rows: uint32(w.rows), N: uint32(o.N)}
		add(p, "bias_f32", &push, p.groups1D(ceilDiv(w.rows*o.N, 256), 1), rd(bias.parts[0].a), wr(out))
	}
	return nil
}

// matvecShape is the matrix-vector kernel's workgroup size (a power of two within the
// device's limit) and rows per workgroup. A GPU gets 64 invocations (at least a subgroup)
// and 2 rows. A software device runs a workgroup's invocations as the SIMD lanes of one
// CPU thread: there one subgroup per workgroup (no barrier) and 8 rows measured fastest
// on lavapipe (5-8x the GPU shape).
func matvecShape(p *physInfo, software bool) (wg, rows int) {
	wg, rows = max(64, p.subgroupSize), 2
	if software {
		wg, rows = max(p.subgroupSize, 1), 8
	}
	for wg > p.maxGroupInvocations || wg > int(p.maxGroupSize[0]) {
		wg /= 2
	}
	return max(wg, 1), rows
}

// productType names the type a weight's products are computed in (the kernel suffix): fp16
// when the device computes in fp16, except for float32 weights.
func (d *Device) productType(w *weight) string {
	if d.f16 && w.typ != quant.F32 {
		return "f16"
	}
	return "f32"
}

// normPrologue is a Linear's RMSNorm prologue for the matrix-vector kernel: its weights
// (on) and epsilon.
type normPrologue struct {
	w   allocation
	on  bool
	eps float32
}

// planMatMulPart records the product of one weight part: the matrix-vector kernel stores
// it through the epilogue of out (after the norm prologue nrm); the tiled kernel takes
// plain single outputs and no prologue.
func (d *Device) planMatMulPart(p *plan, w *weight, part weightPart, x allocation, out linearOuts, nrm normPrologue, n int) {
	t := nativeTypes[w.typ] + "_" + d.productType(w)
	if nt, ok := d.matvecTokens(n); ok {
		push := shaders.MatVecPush{Rows: uint32(part.rows), Cols: uint32(w.cols), RowBytes: uint32(w.rowBytes),
			Row0: uint32(part.row0), N: uint32(n), OutStride: uint32(w.rows), Split1: uint32(out.split1),
			Split2: uint32(out.split2), Eps: nrm.eps}
		kernel := "matvec_" + t
		if d.idot && (w.typ == quant.Q8_0 || w.typ == quant.Q4_0) {
			kernel = "matvec_" + nativeTypes[w.typ] + "_i8"
		}
		if d.matvecTree {
			kernel += "_tree"
		}
		nw := x // bound but not read without the prologue
		if nrm.on {
			nw = nrm.w
		}
		descs := append(append([]desc{rd(part.a), rd(x)}, out.descs()...), rd(nw))
		add(p, kernel, &push, p.groups1D(ceilDiv(part.rows, d.matvecRows), ceilDiv(n, nt)), descs...)
		p.withSpec(uint32(d.matvecWG), uint32(d.matvecRows), out.epi, b2u(nrm.on), uint32(nt))
		return
	}
	push := shaders.MatMulPush{Rows: uint32(part.rows), Cols: uint32(w.cols), RowBytes: uint32(w.rowBytes),
		Row0: uint32(part.row0), N: uint32(n), OutStride: uint32(w.rows)}
	add(p, "matmul_"+t, &push, [3]uint32{uint32(ceilDiv(part.rows, 32)), uint32(ceilDiv(n, 32)), 1},
		rd(part.a), rd(x), wr(out.a[0]))
}

// scratchArray returns a device array of at least n floats kept for the named purpose
// (its contents do not survive other ops of the same purpose).
func (d *Device) scratchArray(name string, n int) (allocation, error) {
	if a, ok := d.scratch[name]; ok && a.size >= int64(n)*4 {
		return a, nil
	}
	a, err := d.newDeviceArray(max(n, min(1024, int(d.maxRange()/4))), "scratch "+name)
	if err != nil {
		return allocation{}, err
	}
	d.scratch[name] = a
	return a, nil
}
