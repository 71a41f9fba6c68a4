//go:build cgo && !novulkan && linux

package vk

import (
	"fmt"
	"testing"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

// matmulCases covers every native weight type and two converted ones, with odd row counts
// and column counts that are odd multiples of the block size.
var matmulCases = []struct {
	typ        quant.Type
	rows, cols int
	tol        float64
}{
	{quant.F32, 33, 257, tolF32},
	{quant.F16, 257, 33, tolF32},
	{quant.BF16, 7, 100, tolF32},
	{quant.Q8_0, 257, 224, tolF32},
	{quant.Q4_0, 33, 96, tolF32},
	{quant.Q4_K, 33, 768, tolF32},
	{quant.Q6_K, 65, 256, tolF32},
	{quant.Q5_K, 17, 256, 1e-6}, // F16 after conversion
	{quant.Q3_K, 17, 256, 1e-6}, // F16 after conversion
}

func TestMatMul(t *testing.T) {
	tw := newTwin(t, sharedDevice(t))
	for _, c := range matmulCases {
		w := tw.weight(c.typ, c.rows, c.cols, tw.randn(c.rows*c.cols, 0.5))
		bias := tw.weight(quant.F32, 1, c.rows, tw.randn(c.rows, 1))
		for _, n := range []int{1, 7, 33} {
			x := tw.buf(tw.randn(n*c.cols, 1))
			out, outB := tw.zeros(n*c.rows), tw.zeros(n*c.rows)
			tw.run(func(s int) []backend.Op {
				return []backend.Op{
					backend.MatMul{W: w[s], X: x[s], Out: out[s], N: n},
					backend.MatMul{W: w[s], Bias: bias[s], X: x[s], Out: outB[s], N: n},
				}
			})
			name := fmt.Sprintf("%s %dx%d n=%d", c.typ, c.rows, c.cols, n)
			tw.compare(name, out, c.tol)
			tw.compare(name+" bias", outB, c.tol)
		}
	}
}

// TestWeightSplit lowers the descriptor range so that weights split into several parts
// (and the KV store into several chunks, see the attention tests), as large models do on
// devices with a 128 MiB range.
func TestWeightSplit(t *testing.T) {
	d := openOrSkip(t, Options{DeviceIndex: -1, Validation: true, maxRange: 8192})
	tw := newTwin(t, d)
	for _, c := range []struct {
		typ        quant.Type
		rows, cols int
	}{{quant.F32, 77, 100}, {quant.Q4_K, 101, 512}, {quant.Q8_0, 301, 64}} {
		w := tw.weight(c.typ, c.rows, c.cols, tw.randn(c.rows*c.cols, 0.5))
		if parts := len(w[1].(*weight).parts); parts < 3 {
			t.Fatalf("%s: %d parts, want several", c.typ, parts)
		}
		bias := tw.weight(quant.F32, 1, c.rows, tw.randn(c.rows, 1))
		tokens := []int32{int32(c.rows - 1), 0, int32(c.rows / 2)}
		emb := tw.zeros(len(tokens) * c.cols)
		for _, n := range []int{1, 3} {
			x := tw.buf(tw.randn(n*c.cols, 1))
			out := tw.zeros(n * c.rows)
			tw.run(func(s int) []backend.Op {
				return []backend.Op{
					backend.MatMul{W: w[s], Bias: bias[s], X: x[s], Out: out[s], N: n},
					backend.Embed{Table: w[s], Tokens: tokens, Out: emb[s]},
				}
			})
			tw.compare(fmt.Sprintf("split %s n=%d", c.typ, n), out, tolF32)
			tw.compare("split embed "+c.typ.String(), emb, 0)
		}
	}
	if _, err := d.NewBuffer(2100); err == nil {
		t.Error("a buffer beyond the descriptor range was accepted")
	}
}

// TestMatVecWorkgroupSizes specialises the matrix-vector kernel to other workgroup sizes.
func TestMatVecWorkgroupSizes(t *testing.T) {
	d := openOrSkip(t, Options{DeviceIndex: -1, Validation: true})
	tw := newTwin(t, d)
	w := tw.weight(quant.Q4_K, 33, 512, tw.randn(33*512, 0.5))
	x := tw.buf(tw.randn(512, 1))
	for _, wg := range []int{1, 32, 256} {
		d.matvecWG = wg
		out := tw.zeros(33)
		tw.run(func(s int) []backend.Op { return []backend.Op{backend.MatMul{W: w[s], X: x[s], Out: out[s], N: 1}} })
		tw.compare(fmt.Sprintf("matvec wg=%d", wg), out, tolF32)
	}
	if n := len(d.pipes); n != 3 {
		t.Errorf("%d pipelines for 3 specialisations", n)
	}
}
