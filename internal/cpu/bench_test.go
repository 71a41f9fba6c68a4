package cpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/cpuid/v2"

	"github.com/scopekv/scope/internal/sysmem"
	"github.com/scopekv/scope/model/quant"
)

// benchMat times one kernel call over a rows x cols weight for nt tokens on one thread.
// Bytes are the weight bytes read per call, so MB/s compares with memory bandwidth for
// nt = 1; GFLOP/s counts 2*rows*cols*nt.
func benchMat(b *testing.B, k *kernelSet, typ quant.Type, rows, cols, nt int) {
	r := rand.New(rand.NewPCG(1, 1))
	w := randWeight(r, typ, rows, cols)
	x := randFloats(r, nt*cols, 1)
	a, _ := quantAct(typ, x, nt, cols)
	out := make([]float32, nt*rows)
	kern := k.mat[typ]
	b.SetBytes(int64(len(w)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		kern(w, rows, a, 0, nt, out, rows)
	}
	flops := 2 * float64(rows) * float64(cols) * float64(nt) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkMatVec is the decode hot path from memory: one token against 4096x4096
// weights, each iteration reading the next window of a region twice the size of the
// last-level cache (filled with 0x11 bytes: small normal values in every type), so the
// weights stream from DRAM as in decoding. Compare MB/s with BenchmarkReadBandwidth.
func BenchmarkMatVec(b *testing.B) {
	const rows, cols = 4096, 4096
	size := max(256<<20, 2*int64(cpuid.CPU.Cache.L3))
	if m := sysmem.Total() / 8; m > 0 {
		size = min(size, m)
	}
	region := make([]byte, size)
	for i := range region {
		region[i] = 0x11
	}
	for _, k := range paths() {
		for _, typ := range kernelTypes {
			b.Run(fmt.Sprintf("%s/%s", k.name, typ), func(b *testing.B) {
				rowBytes, _ := typ.RowBytes(cols)
				wBytes := rows * rowBytes
				windows := len(region) / wBytes
				x := randFloats(rand.New(rand.NewPCG(1, 1)), cols, 1)
				a, _ := quantAct(typ, x, 1, cols)
				out := make([]float32, rows)
				b.SetBytes(int64(wBytes))
				for i := 0; i < b.N; i++ {
					w := region[(i%windows)*wBytes : (i%windows+1)*wBytes]
					k.mat[typ](w, rows, a, 0, 1, out, rows)
				}
				b.ReportMetric(2*rows*cols*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
			if pk := k.packed[typ]; pk != nil {
				b.Run(fmt.Sprintf("%s/%s-packed", k.name, typ), func(b *testing.B) {
					groups, nb := rows/packRows, cols/typ.BlockSize()
					wBytes := groups * nb * packedBlockBytes(typ)
					windows := len(region) / wBytes
					x := randFloats(rand.New(rand.NewPCG(1, 1)), cols, 1)
					a, _ := quantAct(typ, x, 1, cols)
					out := make([]float32, rows)
					b.SetBytes(int64(wBytes))
					for i := 0; i < b.N; i++ {
						pk(region[(i%windows)*wBytes:(i%windows+1)*wBytes], groups, a, 0, 1, out, rows)
					}
					b.ReportMetric(2*rows*cols*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// BenchmarkMatVecL2 is the same product on a 128x4096 weight that stays in cache: the
// kernels' compute speed.
func BenchmarkMatVecL2(b *testing.B) {
	for _, k := range paths() {
		for _, typ := range kernelTypes {
			b.Run(fmt.Sprintf("%s/%s", k.name, typ), func(b *testing.B) { benchMat(b, k, typ, 128, 4096, 1) })
		}
	}
}

// BenchmarkMatMul16 is the prefill shape: 16 tokens per pass over cache-resident rows.
func BenchmarkMatMul16(b *testing.B) {
	for _, k := range paths() {
		for _, typ := range kernelTypes {
			b.Run(fmt.Sprintf("%s/%s", k.name, typ), func(b *testing.B) { benchMat(b, k, typ, 128, 4096, 16) })
		}
	}
}

func BenchmarkDot(b *testing.B) {
	for _, k := range paths() {
		b.Run(k.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			x, y := randFloats(r, 4096, 1), randFloats(r, 4096, 1)
			b.SetBytes(2 * 4 * 4096)
			var s float32
			for i := 0; i < b.N; i++ {
				s += k.dot(x, y)
			}
			_ = s
		})
	}
}

func BenchmarkQuantQ8_0(b *testing.B) {
	for _, k := range paths() {
		b.Run(k.name, func(b *testing.B) {
			x := randFloats(rand.New(rand.NewPCG(1, 1)), 4096, 1)
			qs, d := make([]int8, 4096), make([]float32, 4096/qk8)
			b.SetBytes(4 * 4096)
			for i := 0; i < b.N; i++ {
				k.quantQ8_0(x, qs, d)
			}
		})
	}
}

func BenchmarkReadBandwidth(b *testing.B) {
	for i := 0; i < b.N; i++ {
		bw := MeasureReadBandwidth(1, 0)
		b.ReportMetric(bw/1e9, "GB/s")
	}
}

func BenchmarkQuantQ8K(b *testing.B) {
	for _, k := range paths() {
		b.Run(k.name, func(b *testing.B) {
			x := randFloats(rand.New(rand.NewPCG(1, 1)), 4096, 1)
			qs, d, bs := make([]int8, 4096), make([]float32, 4096/qkK), make([]int16, 4096/16)
			b.SetBytes(4 * 4096)
			for i := 0; i < b.N; i++ {
				k.quantQ8K(x, qs, d, bs)
			}
		})
	}
}

// BenchmarkPoolParallel is the fixed cost of handing one op to every worker and waiting.
func BenchmarkPoolParallel(b *testing.B) {
	for _, threads := range []int{1, 2, 4} {
		b.Run(fmt.Sprint(threads), func(b *testing.B) {
			p := newPool(threads)
			defer p.close()
			for i := 0; i < b.N; i++ {
				p.parallel(threads, 1, func(_, _, _ int) {})
			}
		})
	}
}
