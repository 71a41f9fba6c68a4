//go:build amd64 && !purego

package cpu

import "github.com/scopekv/scope/model/quant"

// avx512Kernels is the AVX2 set with AVX-512 kernels where the wider registers or VNNI
// pay; the K-quant kernels stay on AVX2 (their per-sub-block scales fit VPMADDWD best).
func avx512Kernels() *kernelSet {
	k := avx2Kernels()
	k.name, k.features = "avx512", "avx512f+bw+vl+vnni, avx2+fma+f16c"
	k.dot = func(a, b []float32) float32 {
		if len(a) == 0 {
			return 0
		}
		b = b[:len(a)]
		return dotF32AVX512(&a[0], &b[0], len(a))
	}
	k.axpy = func(y []float32, a float32, x []float32) {
		if len(x) == 0 {
			return
		}
		y = y[:len(x)]
		axpyAVX512(&y[0], a, &x[0], len(x))
	}
	k.sumSq = func(x []float32) float32 {
		if len(x) == 0 {
			return 0
		}
		return sumSqAVX512(&x[0], len(x))
	}
	k.mat[quant.Q8_0] = q8Mat(mvQ8_0AVX512, mmQ8_0x4AVX512)
	k.mat[quant.Q4_0] = q8Mat(mvQ4_0AVX512, mmQ4_0x4AVX512)
	return k
}

//go:noescape
func dotF32AVX512(a, b *float32, n int) float32

//go:noescape
func sumSqAVX512(x *float32, n int) float32

//go:noescape
func axpyAVX512(y *float32, a float32, x *float32, n int)

//go:noescape
func mvQ8_0AVX512(w *byte, xq *int8, xd *float32, out *float32, rows, nb int)

//go:noescape
func mvQ4_0AVX512(w *byte, xq *int8, xd *float32, out *float32, rows, nb int)

//go:noescape
func mmQ8_0x4AVX512(w *byte, xq *int8, xd *float32, out *float32, ldo int, rows, nb int)

//go:noescape
func mmQ4_0x4AVX512(w *byte, xq *int8, xd *float32, out *float32, ldo int, rows, nb int)
