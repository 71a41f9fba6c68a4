//go:build cgo && !novulkan && linux

package vk

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

// intDotDevice opens a device with the int8 dot products, or skips saying why not.
func intDotDevice(t *testing.T, opts Options) *Device {
	t.Helper()
	opts.DeviceIndex, opts.Validation, opts.Timings = -1, true, true
	d := openWith(t, testOpenIntDot, opts)
	if !d.IntDot() {
		t.Skipf("%s has no shaderIntegerDotProduct (VK_KHR_shader_integer_dot_product): the int8 kernels cannot run here; TestIntDotFallback tests the float kernels", d.phys.name)
	}
	return d
}

// predictedNMSE is the normalised MSE that rounding the activations to int8 adds to the
// products W X (rows x cols weights w, n tokens x): activation k of token t carries an
// error uniform in +-step/2, step = (largest magnitude of its 32-element group) / 127,
// so output (t, r) an error of variance sum_k w[r][k]^2 step^2 / 12; divided by the sum
// of the squared outputs.
func predictedNMSE(w, x []float32, rows, cols, n int) float64 {
	var num, den float64
	for t := 0; t < n; t++ {
		xt := x[t*cols : (t+1)*cols]
		step2 := make([]float64, cols/32)
		for g := range step2 {
			m := 0.0
			for _, v := range xt[32*g : 32*g+32] {
				m = max(m, math.Abs(float64(v)))
			}
			step2[g] = (m / 127) * (m / 127)
		}
		for r := 0; r < rows; r++ {
			var y, v float64
			for k, wk := range w[r*cols : (r+1)*cols] {
				y += float64(wk) * float64(xt[k])
				v += float64(wk) * float64(wk) * step2[k/32] / 12
			}
			num += v
			den += y * y
		}
	}
	return num / den
}

// dequantized returns the values the weight of type t holds for vals.
func dequantized(t *testing.T, typ quant.Type, vals []float32) []float32 {
	t.Helper()
	b := make([]byte, len(vals)/32*typ.BlockBytes())
	out := make([]float32, len(vals))
	if err := quant.Quantize(typ, vals, b); err != nil {
		t.Fatal(err)
	}
	if err := quant.Dequantize(typ, b, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestIntDot runs Q8_0 and Q4_0 products through the int8 kernels (plain, with the norm
// prologue, gated and accumulating; one token per workgroup and several) against the
// reference. The error is the activations' int8 rounding: each comparison must fall
// within [1/5, 5] times the predicted normalised MSE (predictedNMSE; 1e-5..5e-5 for
// Gaussian activations), so a float kernel (1e-13) fails it as well as a wrong one.
func TestIntDot(t *testing.T) {
	d := intDotDevice(t, Options{})
	for kernel, lim := range map[string][2]int{"matvec": batchKernels["matvec"], "batched": batchKernels["batched"]} {
		func() {
			defer useKernel(d, lim)()
			tw := newTwin(t, d)
			for _, c := range []struct {
				typ        quant.Type
				rows, cols int
			}{{quant.Q8_0, 67, 160}, {quant.Q4_0, 37, 96}} {
				wv := tw.randn(c.rows*c.cols, 0.5)
				w := tw.weight(c.typ, c.rows, c.cols, wv)
				wq := dequantized(t, c.typ, wv)
				ones := make([]float32, c.cols)
				for i := range ones {
					ones[i] = 1
				}
				norm := tw.weight(quant.F32, 1, c.cols, ones)
				for _, n := range []int{1, 3, 8} {
					xv := tw.randn(n*c.cols, 2)
					x := tw.buf(xv)
					plain, normed, acc := tw.zeros(n*c.rows), tw.zeros(n*c.rows), tw.buf(tw.randn(n*c.rows, 1))
					tw.run(func(s int) []backend.Op {
						return []backend.Op{
							backend.MatMul{W: w[s], X: x[s], Out: plain[s], N: n},
							backend.Linear{W: w[s], X: x[s], N: n, Outs: []backend.Buffer{normed[s]}, Norm: norm[s], NormEps: 1e-5},
							backend.Linear{W: w[s], X: x[s], N: n, Outs: []backend.Buffer{acc[s]}, Accumulate: true},
						}
					})
					want := "matvec_" + nativeTypes[c.typ] + "_i8"
					if d.matvecTree {
						want += "_tree"
					}
					if tm := d.Timings(); len(tm) == 0 || tm[0].Kernel != want {
						t.Fatalf("%s: kernels %+v, want %s", c.typ, tm, want)
					}
					pred := predictedNMSE(wq, xv, c.rows, c.cols, n)
					what := fmt.Sprintf("%s %s %dx%d n=%d", kernel, c.typ, c.rows, c.cols, n)
					for _, o := range []struct {
						name string
						b    tbuf
					}{{"matmul", plain}, {"norm", normed}} {
						e := nmse(tw.read(o.b, 1), tw.read(o.b, 0))
						t.Logf("%s %s: normalised MSE %.3g, predicted %.3g", what, o.name, e, pred)
						if !(e >= pred/5 && e <= 5*pred) {
							t.Errorf("%s %s: normalised MSE %.3g outside [%.3g, %.3g]", what, o.name, e, pred/5, 5*pred)
						}
					}
					tw.compare(what+" accumulate", acc, 5*pred)
				}
			}
		}()
	}
}

// TestIntDotFallback checks the selection: the int8 kernels run exactly where the device
// has the feature and neither Options.NoIntDot nor SCOPE_VK_NO_INT_DOT=1 asks for the
// float kernels, which then compute Q8_0 and Q4_0 products within their usual tolerance.
func TestIntDotFallback(t *testing.T) {
	d := openWith(t, testOpenIntDot, Options{DeviceIndex: -1, NoIntDot: true})
	if d.IntDot() || d.Caps().Int8 || strings.Contains(d.Caps().Name, "int8 dot") {
		t.Errorf("Options.NoIntDot: IntDot %v, Caps() %+v", d.IntDot(), d.Caps())
	}
	t.Setenv("SCOPE_VK_NO_INT_DOT", "1")
	e := openWith(t, testOpenIntDot, Options{DeviceIndex: -1, Validation: true, Timings: true})
	if e.IntDot() || strings.Contains(e.Caps().Name, "int8 dot") {
		t.Errorf("SCOPE_VK_NO_INT_DOT=1: IntDot %v, Caps().Name %q", e.IntDot(), e.Caps().Name)
	}
	t.Logf("%s: shaderIntegerDotProduct %v (4x8-bit packed signed accelerated %v)", e.phys.name, e.phys.intDot, e.phys.intDotAccel)
	tw := newTwin(t, e)
	for _, typ := range []quant.Type{quant.Q8_0, quant.Q4_0} {
		w := tw.weight(typ, 37, 96, tw.randn(37*96, 0.5))
		for _, n := range []int{1, 3} {
			x, out := tw.buf(tw.randn(n*96, 2)), tw.zeros(n*37)
			tw.run(func(s int) []backend.Op { return []backend.Op{backend.MatMul{W: w[s], X: x[s], Out: out[s], N: n}} })
			if k := e.Timings()[0].Kernel; strings.Contains(k, "_i8") {
				t.Errorf("SCOPE_VK_NO_INT_DOT=1: kernel %s", k)
			}
			tw.compare(fmt.Sprintf("fallback %s n=%d", typ, n), out, matTol(e, typ))
		}
	}
	t.Setenv("SCOPE_VK_NO_INT_DOT", "")
	f := openWith(t, testOpenIntDot, Options{DeviceIndex: -1})
	if c := f.Caps(); f.IntDot() != f.phys.intDot || c.Int8 != f.phys.intDot || strings.Contains(c.Name, "int8 dot") != f.phys.intDot {
		t.Errorf("default: device has the feature %v, IntDot %v, Caps() %+v", f.phys.intDot, f.IntDot(), c)
	}
}

// TestIntDotShapes runs the int8 kernels with other workgroup sizes and rows per
// workgroup (the last workgroup part-full), with subgroup and shared-memory sums.
func TestIntDotShapes(t *testing.T) {
	d := intDotDevice(t, Options{})
	tw := newTwin(t, d)
	wg0, rows0, tree0 := d.matvecWG, d.matvecRows, d.matvecTree
	defer func() { d.matvecWG, d.matvecRows, d.matvecTree = wg0, rows0, tree0 }()
	for _, typ := range []quant.Type{quant.Q8_0, quant.Q4_0} {
		const rows, cols = 13, 288
		wv := tw.randn(rows*cols, 0.5)
		w := tw.weight(typ, rows, cols, wv)
		xv := tw.randn(cols, 1)
		x := tw.buf(xv)
		pred := predictedNMSE(dequantized(t, typ, wv), xv, rows, cols, 1)
		for _, shape := range [][2]int{{1, 1}, {8, 3}, {64, 2}} {
			for _, tree := range []bool{false, true} {
				if !tree && !d.hasSubgroup(subgroupBasic|subgroupArithmetic) {
					continue
				}
				d.matvecWG, d.matvecRows, d.matvecTree = shape[0], shape[1], tree
				out := tw.zeros(rows)
				tw.run(func(s int) []backend.Op { return []backend.Op{backend.MatMul{W: w[s], X: x[s], Out: out[s], N: 1}} })
				what := fmt.Sprintf("%s wg=%d rows=%d tree=%v", typ, shape[0], shape[1], tree)
				if k := d.Timings()[0].Kernel; !strings.Contains(k, "_i8") {
					t.Fatalf("%s: kernel %s", what, k)
				}
				e := nmse(tw.read(out, 1), tw.read(out, 0))
				if !(e >= pred/5 && e <= 5*pred) {
					t.Errorf("%s: normalised MSE %.3g outside [%.3g, %.3g]", what, e, pred/5, 5*pred)
				}
			}
		}
	}
}
