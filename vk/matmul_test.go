//go:build cgo && !novulkan && linux

package vk

import (
	"fmt"
	"testing"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

// matmulCases covers every native weight type and two converted ones, with odd row counts
// and column counts that are odd multiples of the block size. tol is the normalised MSE
// allowed on the float32 path, tol16 on the fp16 path (float32 weights stay float32).
var matmulCases = []struct {
	typ        quant.Type
	rows, cols int
	tol, tol16 float64
}{
	{quant.F32, 33, 257, tolF32, tolF32},
	{quant.F16, 257, 33, tolF32, tolF16},
	{quant.BF16, 7, 100, tolF32, tolF32},
	{quant.Q8_0, 257, 224, tolF32, tolF16},
	{quant.Q4_0, 33, 96, tolF32, tolF16},
	{quant.Q4_K, 33, 768, tolF32, tolF16},
	{quant.Q6_K, 65, 256, tolF32, tolF16},
	{quant.Q5_K, 17, 256, 1e-6, tolF16}, // F16 after conversion
	{quant.Q3_K, 17, 256, 1e-6, tolF16}, // F16 after conversion
}

// productPaths returns the devices of the two product paths: fp16 (skipped where the
// device has no fp16 arithmetic) and float32.
func productPaths(t *testing.T) map[string]*Device {
	t.Helper()
	paths := map[string]*Device{"fp32": fp32Device(t)}
	if d := sharedDevice(t); d.FP16() {
		paths["fp16"] = d
	} else {
		t.Logf("%s has no fp16 arithmetic: testing the float32 path only", d.phys.name)
	}
	return paths
}

// matTol is the tolerance of a product with weights of type t on d's path.
func matTol(d *Device, t quant.Type) float64 {
	if d.FP16() && t != quant.F32 {
		return tolF16
	}
	return tolF32
}

// batchKernels are the kernels a batch can take, as the device's (matvecMaxN,
// matvecBatchMax): tiled, the matrix-vector kernel once per token, and the matrix-vector
// kernel with several tokens per workgroup (batches of 2-32 on GPUs).
var batchKernels = map[string][2]int{"tiled": {1, 1}, "matvec": {1 << 20, 1}, "batched": {1, 32}}

// useKernel sets d's batch limits to lim (batchKernels) and returns a function that
// restores them.
func useKernel(d *Device, lim [2]int) func() {
	old := [2]int{d.matvecMaxN, d.matvecBatchMax}
	d.matvecMaxN, d.matvecBatchMax = lim[0], lim[1]
	return func() { d.matvecMaxN, d.matvecBatchMax = old[0], old[1] }
}

func TestMatMul(t *testing.T) {
	for path, d := range productPaths(t) {
		for kernel, lim := range batchKernels {
			testMatMul(t, d, path+" "+kernel, path == "fp16", lim)
		}
	}
}

func testMatMul(t *testing.T, d *Device, name string, fp16 bool, lim [2]int) {
	defer useKernel(d, lim)()
	tw := newTwin(t, d)
	for _, c := range matmulCases {
		tol := c.tol
		if fp16 {
			tol = c.tol16
		}
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
			what := fmt.Sprintf("%s %s %dx%d n=%d", name, c.typ, c.rows, c.cols, n)
			tw.compare(what, out, tol)
			tw.compare(what+" bias", outB, tol)
		}
	}
}

// TestWeightSplit lowers the descriptor range so that weights split into several parts
// (and the KV store into several chunks, see the attention tests), as large models do on
// devices with a 128 MiB range.
func TestWeightSplit(t *testing.T) {
	d := openOrSkip(t, Options{DeviceIndex: -1, Validation: true, maxRange: 8192})
	tw := newTwin(t, d)
	d.matvecMaxN, d.matvecBatchMax = 1, 1 // batches of 3 use the tiled kernel
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
			tw.compare(fmt.Sprintf("split %s n=%d", c.typ, n), out, matTol(d, c.typ))
			tw.compare("split embed "+c.typ.String(), emb, 0)
		}
	}
	if _, err := d.NewBuffer(2100); err == nil {
		t.Error("a buffer beyond the descriptor range was accepted")
	}
}

// TestMatVecShapes specialises the matrix-vector kernel to other workgroup sizes and rows
// per workgroup (row counts that leave the last workgroup part-full), with subgroup and
// shared-memory sums, on both product paths.
func TestMatVecShapes(t *testing.T) {
	for path, d := range productPaths(t) {
		tw := newTwin(t, d)
		wg0, rows0, tree0 := d.matvecWG, d.matvecRows, d.matvecTree
		for _, c := range []struct {
			typ        quant.Type
			rows, cols int
		}{{quant.Q4_K, 33, 512}, {quant.Q6_K, 7, 256}, {quant.Q4_0, 9, 96}, {quant.F16, 11, 67}, {quant.F16, 5, 64}, {quant.F32, 13, 43}, {quant.F32, 3, 64}} {
			w := tw.weight(c.typ, c.rows, c.cols, tw.randn(c.rows*c.cols, 0.5))
			x := tw.buf(tw.randn(c.cols, 1))
			for _, shape := range [][2]int{{1, 1}, {8, 3}, {32, 8}, {256, 2}} {
				for _, tree := range []bool{false, true} {
					if !tree && !d.hasSubgroup(subgroupBasic|subgroupArithmetic) {
						continue
					}
					d.matvecWG, d.matvecRows, d.matvecTree = shape[0], shape[1], tree
					out := tw.zeros(c.rows)
					tw.run(func(s int) []backend.Op { return []backend.Op{backend.MatMul{W: w[s], X: x[s], Out: out[s], N: 1}} })
					tw.compare(fmt.Sprintf("%s %s %dx%d wg=%d rows=%d tree=%v", path, c.typ, c.rows, c.cols, shape[0], shape[1], tree), out, matTol(d, c.typ))
				}
			}
		}
		d.matvecWG, d.matvecRows, d.matvecTree = wg0, rows0, tree0
	}
}

// TestProductPathSelection checks that the fp16 kernels run exactly where the device has
// fp16 arithmetic and nothing forces float32 (Options.FP32 or SCOPE_VK_FP32=1).
func TestProductPathSelection(t *testing.T) {
	d := sharedDevice(t)
	if d.FP16() != d.phys.fp16 || d.Caps().FP16 != d.FP16() {
		t.Errorf("device fp16 %v, FP16() %v, Caps().FP16 %v", d.phys.fp16, d.FP16(), d.Caps().FP16)
	}
	if fp32Device(t).FP16() {
		t.Error("Options.FP32 did not force float32 products")
	}
	t.Setenv("SCOPE_VK_FP32", "1")
	e := openOrSkip(t, Options{DeviceIndex: -1, Validation: true, Timings: true})
	if e.FP16() {
		t.Error("SCOPE_VK_FP32=1 did not force float32 products")
	}
	for _, dev := range []*Device{d, e} {
		tw := newTwin(t, dev)
		w := tw.weight(quant.Q8_0, 9, 64, tw.randn(9*64, 1))
		wf := tw.weight(quant.F32, 9, 64, tw.randn(9*64, 1))
		x, out := tw.buf(tw.randn(64, 1)), tw.zeros(9)
		tw.run(func(s int) []backend.Op {
			return []backend.Op{backend.MatMul{W: w[s], X: x[s], Out: out[s], N: 1}, backend.MatMul{W: wf[s], X: x[s], Out: out[s], N: 1}}
		})
		want := []string{"matvec_q8_0_f32", "matvec_f32_f32"}
		if dev.FP16() {
			want[0] = "matvec_q8_0_f16"
		}
		tm := dev.Timings()
		if len(tm) != 2 || tm[0].Kernel != want[0] || tm[1].Kernel != want[1] {
			t.Errorf("fp16 %v: kernels %+v, want %v", dev.FP16(), tm, want)
		}
	}
}
