//go:build cgo && !novulkan && linux

package vk

import (
	"testing"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

const (
	tolF32 = 1e-7 // normalised MSE for float32 ops
	tolF16 = 1e-5 // normalised MSE for matrix products in fp16 (float32 accumulation)
)

func TestElementwiseOps(t *testing.T) {
	tw := newTwin(t, sharedDevice(t))
	for _, n := range []int{1, 7, 257, 1000, 66000} {
		a, b := tw.buf(tw.randn(n, 2)), tw.buf(tw.randn(n, 2))
		sum, glu := tw.zeros(n), tw.zeros(n)
		tw.run(func(s int) []backend.Op {
			return []backend.Op{
				backend.Add{A: a[s], B: b[s], Out: sum[s], N: n},
				backend.SwiGLU{Gate: a[s], Up: b[s], Out: glu[s], N: n},
				backend.Add{A: a[s], B: sum[s], Out: a[s], N: n - n/3}, // in place, part of the buffer
			}
		})
		tw.exact("add", sum)
		tw.exact("add in place", a)
		tw.compare("swiglu", glu, tolF32)
	}
}

func TestCopy(t *testing.T) {
	tw := newTwin(t, sharedDevice(t))
	src, dst := tw.buf(tw.randn(1000, 1)), tw.buf(tw.randn(777, 1))
	tw.run(func(s int) []backend.Op {
		return []backend.Op{
			backend.Copy{Src: src[s], Dst: dst[s], SrcOff: 13, DstOff: 100, N: 257},
			backend.Copy{Src: src[s], Dst: src[s], SrcOff: 0, DstOff: 5, N: 300},    // overlapping, forward
			backend.Copy{Src: src[s], Dst: src[s], SrcOff: 600, DstOff: 590, N: 33}, // overlapping, backward
			backend.Copy{Src: src[s], Dst: src[s], SrcOff: 900, DstOff: 0, N: 7},    // disjoint
		}
	})
	tw.exact("copy", dst)
	tw.exact("copy within", src)
}

func TestArgmax(t *testing.T) {
	tw := newTwin(t, sharedDevice(t))
	for _, dim := range []int{1, 7, 257, 32000} {
		n := 3
		x := tw.randn(n*dim, 1)
		if dim > 7 {
			x[dim+5], x[dim+dim-1] = 9, 9 // a tie in row 1: the first wins
			x[2*dim+dim-1] = 50
		}
		xb, out := tw.buf(x), tw.zeros(n)
		tw.run(func(s int) []backend.Op { return []backend.Op{backend.Argmax{X: xb[s], Out: out[s], N: n, Dim: dim}} })
		tw.exact("argmax", out)
	}
}

func TestRMSNorm(t *testing.T) {
	tw := newTwin(t, sharedDevice(t))
	for _, dim := range []int{7, 257, 1000, 4096} {
		n := 5
		x, out := tw.buf(tw.randn(n*dim, 3)), tw.zeros(n*dim)
		w := tw.weight(quant.F32, 1, dim, tw.randn(dim, 1))
		tw.run(func(s int) []backend.Op {
			return []backend.Op{
				backend.RMSNorm{X: x[s], Out: out[s], W: w[s], N: n, Dim: dim, Eps: 1e-5},
				backend.RMSNorm{X: x[s], Out: x[s], W: w[s], N: n - 1, Dim: dim, Eps: 1e-6}, // in place
			}
		})
		tw.compare("rmsnorm", out, tolF32)
		tw.compare("rmsnorm in place", x, tolF32)
	}
}

func TestRoPE(t *testing.T) {
	tw := newTwin(t, sharedDevice(t))
	cases := []struct {
		nHeads, headDim, ropeDim int
		neox, factors            bool
	}{
		{3, 64, 64, false, false},
		{5, 64, 64, true, false},
		{2, 96, 32, false, true},
		{7, 128, 128, true, true},
		{1, 6, 4, true, false},
	}
	for _, c := range cases {
		n := 7
		pos := []int32{0, 1, 2, 17, 300, 4095, 9}
		var factors []float32
		if c.factors {
			factors = make([]float32, c.ropeDim/2)
			for i := range factors {
				factors[i] = 1 + float32(i%5)
			}
		}
		q := tw.buf(tw.randn(n*c.nHeads*c.headDim, 1))
		k := tw.buf(tw.randn(n*c.nHeads*c.headDim, 1))
		tw.run(func(s int) []backend.Op {
			op := backend.RoPE{X: q[s], N: n, NHeads: c.nHeads, HeadDim: c.headDim, RopeDim: c.ropeDim,
				Pos: pos, NeoX: c.neox, Base: 10000, Factors: factors}
			op2 := op
			op2.X = k[s]
			return []backend.Op{op, op2} // the second reuses the first's angle table
		})
		tw.compare("rope q", q, tolF32)
		tw.compare("rope k", k, tolF32)
	}
}

func TestEmbed(t *testing.T) {
	tw := newTwin(t, sharedDevice(t))
	cases := []struct {
		typ        quant.Type
		rows, cols int
		tol        float64
	}{
		{quant.F32, 33, 257, 0},
		{quant.F16, 33, 257, 0},
		{quant.BF16, 9, 100, 0},
		{quant.Q8_0, 33, 224, 0},
		{quant.Q4_0, 33, 96, 0},
		{quant.Q4_K, 17, 512, 0},
		{quant.Q6_K, 17, 256, 0},
		{quant.Q5_K, 9, 256, 1e-6}, // converted to F16 at upload
		{quant.Q4_1, 9, 64, 1e-6},  // converted to F16 at upload
	}
	for _, c := range cases {
		w := tw.weight(c.typ, c.rows, c.cols, tw.randn(c.rows*c.cols, 1))
		tokens := []int32{0, int32(c.rows - 1), 5, 5, 3}
		out := tw.zeros(len(tokens) * c.cols)
		tw.run(func(s int) []backend.Op { return []backend.Op{backend.Embed{Table: w[s], Tokens: tokens, Out: out[s]}} })
		tw.compare("embed "+c.typ.String(), out, c.tol)
	}
}
