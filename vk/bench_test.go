//go:build cgo && !novulkan && linux

package vk

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/model/quant"
)

// benchTypes are the weight types of the product benchmarks.
var benchTypes = []quant.Type{quant.F32, quant.F16, quant.Q8_0, quant.Q4_0, quant.Q4_K, quant.Q6_K}

// benchProduct is one MatMul of a rows x cols weight by n tokens on a device.
type benchProduct struct {
	d     *Device
	ops   []backend.Op
	bytes int64 // of the weight
}

func newBenchProduct(b *testing.B, d *Device, typ quant.Type, rows, cols, n int) *benchProduct {
	b.Helper()
	rowBytes, _ := typ.RowBytes(cols)
	data := make([]byte, rows*rowBytes)
	if err := quant.Quantize(typ, benchValues(rows*cols), data); err != nil {
		b.Fatal(err)
	}
	w, err := d.UploadWeight("w", typ, rows, cols, data)
	if err != nil {
		b.Fatal(err)
	}
	x, _ := d.NewBuffer(n * cols)
	out, _ := d.NewBuffer(n * rows)
	return &benchProduct{d: d, ops: []backend.Op{backend.MatMul{W: w, X: x, Out: out, N: n}}, bytes: int64(rows * rowBytes)}
}

// run runs the product once per iteration (submit and wait included) after one run that
// compiles the pipeline, and reports the mean GPU time of its dispatches as gpu-us/op.
func (p *benchProduct) run(b *testing.B) {
	b.Helper()
	b.SetBytes(p.bytes)
	if err := p.d.Run(context.Background(), p.ops); err != nil {
		b.Fatal(err)
	}
	var gpu time.Duration
	runs := 0
	for b.Loop() {
		if err := p.d.Run(context.Background(), p.ops); err != nil {
			b.Fatal(err)
		}
		for _, k := range p.d.Timings() {
			gpu += k.Duration
		}
		runs++
	}
	b.ReportMetric(float64(gpu.Microseconds())/float64(max(runs, 1)), "gpu-us/op")
}

// pathDevice is the device of one product path ("fp16" or "fp32").
type pathDevice struct {
	path string
	d    *Device
}

// benchDevices opens the device of each product path: fp16 where the device has it, and
// float32, both with the float kernels for Q8_0 and Q4_0 (BenchmarkMatVecIntDot compares
// the int8 ones). A device of a kind in skipKinds skips the benchmark.
func benchDevices(b *testing.B, skipKinds ...string) []pathDevice {
	b.Helper()
	var out []pathDevice
	for _, path := range []string{"fp16", "fp32"} {
		d, err := Open(Options{DeviceIndex: -1, Timings: true, FP32: path == "fp32", NoIntDot: true})
		if err != nil {
			b.Skip(err)
		}
		b.Cleanup(func() { d.Close() })
		if slices.Contains(skipKinds, string(d.Caps().Kind)) {
			b.Skipf("a %s device (%s)", d.Caps().Kind, d.info.Name)
		}
		if path == "fp32" || d.FP16() {
			out = append(out, pathDevice{path, d})
		}
	}
	return out
}

// benchProducts benchmarks a rows x cols weight by n tokens for every weight type on both
// product paths, reporting the weight bandwidth.
func benchProducts(b *testing.B, rows, cols, n int, skipKinds ...string) {
	for _, pd := range benchDevices(b, skipKinds...) {
		for _, typ := range benchTypes {
			b.Run(pd.path+"/"+typ.String(), func(b *testing.B) { newBenchProduct(b, pd.d, typ, rows, cols, n).run(b) })
		}
	}
}

// benchValues are n small values with varied signs (the products' speed does not depend
// on them, but all-zero blocks could take shortcuts).
func benchValues(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i%17-8) / 16
	}
	return v
}

// BenchmarkMatVec measures the decode matrix-vector product of a 2048x2048 weight.
func BenchmarkMatVec(b *testing.B) { benchProducts(b, 2048, 2048, 1) }

// BenchmarkMatMul measures the tiled prefill product of a 2048x2048 weight by 64 tokens.
func BenchmarkMatMul(b *testing.B) { benchProducts(b, 2048, 2048, 64) }

// BenchmarkMatVecLarge measures a 16384x8192 matrix-vector product, larger than a GPU's
// last-level cache (skipped on software devices, where it takes seconds).
func BenchmarkMatVecLarge(b *testing.B) { benchProducts(b, 16384, 8192, 1, "software") }

// BenchmarkMatVecShapes sweeps the matrix-vector kernel's workgroup size and rows per
// workgroup on a 16384x8192 weight (GPUs only), to tune matvecShape.
func BenchmarkMatVecShapes(b *testing.B) {
	for _, pd := range benchDevices(b, "software") {
		path, d := pd.path, pd.d
		wg0, rows0 := d.matvecWG, d.matvecRows
		for _, typ := range []quant.Type{quant.F16, quant.Q8_0, quant.Q4_0, quant.Q4_K} {
			p := newBenchProduct(b, d, typ, 16384, 8192, 1)
			for _, wg := range []int{d.phys.subgroupSize, 32, 64, 128, 256} {
				if wg < d.phys.subgroupSize || wg > d.phys.maxGroupInvocations {
					continue
				}
				for _, rows := range []int{1, 2, 4, 8} {
					b.Run(fmt.Sprintf("%s/%s/wg=%d/rows=%d", path, typ, wg, rows), func(b *testing.B) {
						d.matvecWG, d.matvecRows = wg, rows
						p.run(b)
					})
				}
			}
		}
		d.matvecWG, d.matvecRows = wg0, rows0
	}
}

// BenchmarkRunOverhead measures an almost empty Run: recording, one submit, fence wait.
func BenchmarkRunOverhead(b *testing.B) {
	d, err := Open(Options{DeviceIndex: -1})
	if err != nil {
		b.Skip(err)
	}
	defer d.Close()
	x, _ := d.NewBuffer(64)
	for _, n := range []int{1, 100} {
		ops := make([]backend.Op, n)
		for i := range ops {
			ops[i] = backend.Add{A: x, B: x, Out: x, N: 64}
		}
		b.Run(fmt.Sprint(n, "ops"), func(b *testing.B) {
			for b.Loop() {
				if err := d.Run(context.Background(), ops); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMatVecBatch compares a 2048x2048 product of 8 tokens through the batched
// matrix-vector kernel (8 tokens per workgroup), once per token (8 workgroups per row
// group), and through the tiled kernel, with one token for scale (8 x n=1).
func BenchmarkMatVecBatch(b *testing.B) {
	for _, pd := range benchDevices(b) {
		for _, typ := range []quant.Type{quant.F16, quant.Q8_0, quant.Q4_0, quant.Q4_K} {
			for _, c := range []struct {
				name string
				n    int
				lim  [2]int
			}{
				{"n=1", 1, batchKernels["matvec"]},
				{"n=8/batched", 8, batchKernels["batched"]},
				{"n=8/per-token", 8, batchKernels["matvec"]},
				{"n=8/tiled", 8, batchKernels["tiled"]},
			} {
				b.Run(pd.path+"/"+typ.String()+"/"+c.name, func(b *testing.B) {
					defer useKernel(pd.d, c.lim)()
					newBenchProduct(b, pd.d, typ, 2048, 2048, c.n).run(b)
				})
			}
		}
	}
}

// BenchmarkMatVecIntDot compares the Q8_0 and Q4_0 products of a 2048x2048 weight through
// the int8 dot-product kernels ("i8") with the float kernels (fp16 and float32 products),
// for one token and for 8 tokens per workgroup, the paths alternating within each case.
func BenchmarkMatVecIntDot(b *testing.B) {
	d, err := Open(Options{DeviceIndex: -1, Timings: true})
	if err != nil {
		b.Skip(err)
	}
	b.Cleanup(func() { d.Close() })
	if !d.IntDot() {
		b.Skipf("%s has no shaderIntegerDotProduct", d.info.Name)
	}
	paths := append([]pathDevice{{"i8", d}}, benchDevices(b)...)
	for _, typ := range []quant.Type{quant.Q8_0, quant.Q4_0} {
		for _, c := range []struct {
			name string
			n    int
			lim  [2]int
		}{{"n=1", 1, batchKernels["matvec"]}, {"n=8/batched", 8, batchKernels["batched"]}} {
			for _, pd := range paths {
				b.Run(typ.String()+"/"+c.name+"/"+pd.path, func(b *testing.B) {
					defer useKernel(pd.d, c.lim)()
					newBenchProduct(b, pd.d, typ, 2048, 2048, c.n).run(b)
				})
			}
		}
	}
}
