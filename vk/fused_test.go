//go:build cgo && !novulkan && linux

package vk

import (
	"fmt"
	"math"
	"testing"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

var linearCases = []struct {
	typ    quant.Type
	widths []int // split outputs (rows = their sum); gated: one output of rows/2
	cols   int
}{
	{quant.F32, []int{21, 7, 9}, 100},
	{quant.F16, []int{19}, 130},
	{quant.Q8_0, []int{24, 8, 8}, 96},
	{quant.Q4_0, []int{37}, 64},
	{quant.Q4_K, []int{11, 5}, 256},
	{quant.Q6_K, []int{13, 13, 6}, 256},
}

// TestLinear checks the fused products (split outputs, gated rows, accumulation) against
// the reference on both product paths, through the matrix-vector kernel and the tiled
// kernel with its epilogue.
func TestLinear(t *testing.T) {
	for path, d := range productPaths(t) {
		for kernel, lim := range batchKernels {
			testLinear(t, d, path+" "+kernel, lim)
		}
	}
}

func testLinear(t *testing.T, d *Device, name string, lim [2]int) {
	defer useKernel(d, lim)()
	tw := newTwin(t, d)
	for _, c := range linearCases {
		rows := 0
		for _, w := range c.widths {
			rows += w
		}
		w := tw.weight(c.typ, rows, c.cols, tw.randn(rows*c.cols, 0.5))
		gw := tw.weight(c.typ, 2*rows, c.cols, tw.randn(2*rows*c.cols, 0.5))
		norm := tw.weight(quant.F32, 1, c.cols, tw.randn(c.cols, 1))
		for _, n := range []int{1, 3, 33} {
			x := tw.buf(tw.randn(n*c.cols, 3))
			what := fmt.Sprintf("%s %s %v x %d n=%d", name, c.typ, c.widths, c.cols, n)
			for _, withNorm := range []bool{false, true} {
				outs := make([]tbuf, len(c.widths))
				for i, wd := range c.widths {
					outs[i] = tw.buf(tw.randn(n*wd, 1))
				}
				gated, acc := tw.zeros(n*rows), tw.buf(tw.randn(n*rows, 1))
				tw.run(func(s int) []backend.Op {
					bufs := make([]backend.Buffer, len(outs))
					for i := range outs {
						bufs[i] = outs[i][s]
					}
					ops := []backend.Linear{
						{W: w[s], X: x[s], N: n, Outs: bufs, Widths: c.widths},
						{W: gw[s], X: x[s], N: n, Outs: []backend.Buffer{gated[s]}, Gated: true},
						{W: gw[s], X: x[s], N: n, Outs: []backend.Buffer{acc[s]}, Gated: true, Accumulate: true},
					}
					var list []backend.Op
					for _, op := range ops {
						if withNorm {
							op.Norm, op.NormEps = norm[s], 1e-5
						}
						list = append(list, op)
					}
					return list
				})
				what := what
				if withNorm {
					what += " norm"
				}
				for i := range outs {
					tw.compare(fmt.Sprintf("%s out %d", what, i), outs[i], matTol(d, c.typ))
				}
				tw.compare(what+" gated", gated, matTol(d, c.typ))
				tw.compare(what+" gated accumulate", acc, matTol(d, c.typ))
			}
			tw.compare(what+" x unchanged", x, 0)
		}
	}
}

// TestLinearErrors: outputs that do not fit the weight's rows, or alias X, are refused.
func TestLinearErrors(t *testing.T) {
	d := sharedDevice(t)
	tw := newTwin(t, d)
	w := tw.weight(quant.Q8_0, 8, 32, tw.randn(8*32, 1))[1]
	odd := tw.weight(quant.Q8_0, 7, 32, tw.randn(7*32, 1))[1]
	x, o := tw.zeros(32)[1], tw.zeros(8)[1]
	bad := []backend.Linear{
		{W: w, X: x, N: 1, Outs: []backend.Buffer{o}, Widths: []int{4, 4}},
		{W: w, X: x, N: 1, Outs: []backend.Buffer{o, o}, Widths: []int{4, 4}},
		{W: w, X: x, N: 1, Outs: []backend.Buffer{x}},
		{W: odd, X: x, N: 1, Outs: []backend.Buffer{o}, Gated: true},
		{W: w, X: x, N: 2, Outs: []backend.Buffer{o}},
		{W: w, X: x, N: 1, Outs: []backend.Buffer{o}, Norm: tw.weight(quant.F32, 1, 31, tw.randn(31, 1))[1]},
		{W: w, X: x, N: 1, Outs: []backend.Buffer{o}, Norm: w},
	}
	for i, op := range bad {
		if err := d.Run(t.Context(), []backend.Op{op}); err == nil {
			t.Errorf("bad Linear %d accepted", i)
		}
	}
}

// TestRoPEKV checks the fused RoPE of Q and K and KV write against the plain ops, in
// group and faithful mode, with skipped and repeated slots.
func TestRoPEKV(t *testing.T) {
	tw := newTwin(t, sharedDevice(t))
	for _, c := range []struct {
		nHeads, nKVHeads, unitsPer, headDim, ropeDim int
		neox                                         bool
	}{
		{4, 2, 1, 64, 64, false},
		{4, 2, 2, 64, 32, true},
		{3, 3, 1, 6, 4, false},
		{8, 1, 8, 128, 128, true},
	} {
		n := 3
		units := c.nKVHeads * c.unitsPer
		kvs := tw.kv(backend.KVLayout{NumPages: 2 * n * units, PageSize: 2, HeadDim: c.headDim})
		slots := make([]int32, n*units)
		for i := range slots {
			slots[i] = int32(2*i + 1)
		}
		slots[1] = -1
		if len(slots) > 3 {
			slots[len(slots)-1] = slots[2] // a repeated slot: the last write wins
		}
		pos := []int32{5, 6, 300}
		q := tw.buf(tw.randn(n*c.nHeads*c.headDim, 1))
		k := tw.buf(tw.randn(n*c.nKVHeads*c.headDim, 1))
		v := tw.buf(tw.randn(n*c.nKVHeads*c.headDim, 1))
		tw.run(func(s int) []backend.Op {
			return []backend.Op{backend.RoPEKV{Q: q[s], K: k[s], V: v[s], KV: kvs[s], N: n, NHeads: c.nHeads,
				NKVHeads: c.nKVHeads, HeadDim: c.headDim, RopeDim: c.ropeDim, UnitsPerKVHead: c.unitsPer,
				Pos: pos, Slots: slots, NeoX: c.neox, Base: 10000}}
		})
		what := fmt.Sprintf("rope_kv %+v", c)
		tw.compare(what+" q", q, tolF32)
		tw.compare(what+" k", k, tolF32)
		tw.compareKV(what, kvs, tolF32)
	}
}

// TestReadBack reads buffers back within the step: with mapped memory and through
// staging, where the whole step (ops and reads) is one submission.
func TestReadBack(t *testing.T) {
	for name, d := range map[string]*Device{
		"mapped":  sharedDevice(t),
		"staging": openOrSkip(t, Options{DeviceIndex: -1, Validation: true, forceStaging: true}),
	} {
		tw := newTwin(t, d)
		a, b := tw.randn(1000, 1), tw.randn(1000, 1)
		ba, bb, out := tw.buf(a), tw.buf(b), tw.zeros(1000)
		got := [2][]float32{make([]float32, 999), make([]float32, 999)}
		gotA := [2][]float32{make([]float32, 5), make([]float32, 5)}
		before := d.Counters()
		tw.run(func(s int) []backend.Op {
			return []backend.Op{
				backend.ReadBack{Src: ba[s], Dst: gotA[s]},
				backend.Add{A: ba[s], B: bb[s], Out: out[s], N: 1000},
				backend.ReadBack{Src: out[s], Dst: got[s]},
			}
		})
		if n := d.Counters().Submits - before.Submits; n != 1 {
			t.Errorf("%s: %d submits for one step with reads, want 1", name, n)
		}
		for i := range got[0] {
			if got[1][i] != a[i]+b[i] || got[0][i] != got[1][i] {
				t.Fatalf("%s: read back [%d] = %v (reference %v), want %v", name, i, got[1][i], got[0][i], a[i]+b[i])
			}
		}
		for i := range gotA[1] {
			if gotA[1][i] != a[i] {
				t.Fatalf("%s: read back A[%d] = %v, want %v", name, i, gotA[1][i], a[i])
			}
		}
		tw.compare(name+" add", out, 0)
	}
}

// TestFP16LargeActivations gives the fp16 products activations near 1e5, past the fp16
// range (65504): the kernels scale such groups by powers of two, so the results stay
// finite and as close to the reference as ordinary activations are.
func TestFP16LargeActivations(t *testing.T) {
	d := sharedDevice(t)
	if !d.FP16() {
		t.Skip("no fp16 products on this device")
	}
	for kernel, lim := range batchKernels {
		func() {
			defer useKernel(d, lim)()
			tw := newTwin(t, d)
			for _, typ := range []quant.Type{quant.F16, quant.Q8_0, quant.Q4_0, quant.Q4_K, quant.Q6_K} {
				rows, cols := 37, 256
				w := tw.weight(typ, rows, cols, tw.randn(rows*cols, 0.5))
				for _, n := range []int{1, 5} {
					xs := tw.randn(n*cols, 3e4)
					for i := 0; i < len(xs); i += 7 {
						xs[i] = 1.2e5 * float32(1-2*(i%2))
					}
					x := tw.buf(xs)
					out := tw.zeros(n * rows)
					tw.run(func(s int) []backend.Op { return []backend.Op{backend.MatMul{W: w[s], X: x[s], Out: out[s], N: n}} })
					got := tw.read(out, 1)
					for i, v := range got {
						if math.IsInf(float64(v), 0) || math.IsNaN(float64(v)) {
							t.Fatalf("%s %s n=%d: out[%d] = %v", kernel, typ, n, i, v)
						}
					}
					tw.compare(fmt.Sprintf("%s %s n=%d activations near 1e5", kernel, typ, n), out, tolF16)
				}
			}
		}()
	}
}
