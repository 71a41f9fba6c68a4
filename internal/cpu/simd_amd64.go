//go:build amd64 && !purego

package cpu

import (
	"github.com/klauspost/cpuid/v2"
	"github.com/scopekv/scope/model/quant"
)

// The AVX2 path needs AVX2, FMA and F16C (x86-64-v3); the AVX-512 path adds F, BW, VL and
// VNNI. cpuid also checks that the OS saves the wide registers.
func hasAVX2() bool {
	return cpuid.CPU.Supports(cpuid.AVX, cpuid.AVX2, cpuid.FMA3, cpuid.F16C)
}

func hasAVX512() bool {
	return hasAVX2() && cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VL, cpuid.AVX512VNNI)
}

func simdKernels() []*kernelSet {
	var out []*kernelSet
	if hasAVX2() {
		out = append(out, avx2Kernels())
	}
	if hasAVX512() {
		out = append(out, avx512Kernels())
	}
	return out
}

func avx2Kernels() *kernelSet {
	k := genericKernels()
	k.name, k.features = "avx2", "avx2+fma+f16c"
	k.dot = func(a, b []float32) float32 {
		if len(a) == 0 {
			return 0
		}
		b = b[:len(a)]
		return dotF32AVX2(&a[0], &b[0], len(a))
	}
	k.axpy = func(y []float32, a float32, x []float32) {
		if len(x) == 0 {
			return
		}
		y = y[:len(x)]
		axpyAVX2(&y[0], a, &x[0], len(x))
	}
	k.sumSq = func(x []float32) float32 {
		if len(x) == 0 {
			return 0
		}
		return sumSqAVX2(&x[0], len(x))
	}
	k.quantQ8_0, k.quantQ8K = quantQ8_0SIMD, quantQ8KSIMD
	k.expSum, k.swiGLU = expSumSIMD, swiGLUSIMD
	k.pv = pvWith(k.axpy)
	k.mat[quant.F32] = floatMat(mvF32AVX2, mmF32x4AVX2, tailF32)
	k.mat[quant.F16] = floatMat(mvF16AVX2, mmF16x4AVX2, tailF16)
	k.mat[quant.BF16] = floatMat(mvBF16AVX2, mmBF16x4AVX2, tailBF16)
	k.mat[quant.Q8_0] = q8Mat(mvQ8_0AVX2, mmQ8_0x4AVX2)
	k.mat[quant.Q4_0] = q8Mat(mvQ4_0AVX2, mmQ4_0x4AVX2)
	k.mat[quant.Q4_K] = qkMat(mvQ4KAVX2, mmQ4Kx4AVX2)
	k.mat[quant.Q6_K] = qkMat(mvQ6KAVX2, mmQ6Kx4AVX2)
	k.packed = map[quant.Type]packedMat{quant.F16: packedF16AVX2, quant.F32: packedF32AVX2}
	return k
}

//go:noescape
func dotF32AVX2(a, b *float32, n int) float32

//go:noescape
func sumSqAVX2(x *float32, n int) float32

//go:noescape
func axpyAVX2(y *float32, a float32, x *float32, n int)

// mv kernels: out[r] = sum_{i<n} W[r][i]*x[i] for r < rows; W rows are stride bytes apart;
// n is a positive multiple of 8.
type mvFloatFn func(w *byte, stride int, x *float32, out *float32, rows, n int)

// mm x4 kernels: the same for four tokens, x rows ldx floats apart, out rows ldo apart.
type mmFloatFn func(w *byte, stride int, x *float32, ldx int, out *float32, ldo int, rows, n int)

//go:noescape
func mvF32AVX2(w *byte, stride int, x *float32, out *float32, rows, n int)

//go:noescape
func mvF16AVX2(w *byte, stride int, x *float32, out *float32, rows, n int)

//go:noescape
func mvBF16AVX2(w *byte, stride int, x *float32, out *float32, rows, n int)

//go:noescape
func mmF32x4AVX2(w *byte, stride int, x *float32, ldx int, out *float32, ldo int, rows, n int)

//go:noescape
func mmF16x4AVX2(w *byte, stride int, x *float32, ldx int, out *float32, ldo int, rows, n int)

//go:noescape
func mmBF16x4AVX2(w *byte, stride int, x *float32, ldx int, out *float32, ldo int, rows, n int)

//go:noescape
func expSumAVX2(x *float32, m float32, n int) float32

//go:noescape
func swigluAVX2(out, gate, up *float32, n int)

// expSumSIMD runs the vector exp over whole groups of 8 and the generic code on the rest.
func expSumSIMD(x []float32, m float32) float32 {
	n8 := len(x) &^ 7
	var sum float32
	if n8 > 0 {
		sum = expSumAVX2(&x[0], m, n8)
	}
	return sum + expSumGeneric(x[n8:], m)
}

func swiGLUSIMD(out, gate, up []float32) {
	n8 := len(gate) &^ 7
	if n8 > 0 {
		up, out = up[:n8], out[:n8]
		swigluAVX2(&out[0], &gate[0], &up[0], n8)
	}
	swiGLUGeneric(out[n8:], gate[n8:], up[n8:])
}
