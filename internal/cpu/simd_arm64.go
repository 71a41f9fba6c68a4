//go:build arm64 && !purego

package cpu

import (
	"github.com/klauspost/cpuid/v2"
	"github.com/scopekv/scope/model/quant"
)

// The NEON path needs AdvSIMD (ASIMD, present on every ARMv8-A core that runs Go); the
// quantised kernels use SDOT where the dot-product extension (ASIMDDP) is present and
// widening multiplies otherwise.
func hasNEON() bool { return cpuid.CPU.Supports(cpuid.ASIMD) }

func hasDotProd() bool { return cpuid.CPU.Supports(cpuid.ASIMD, cpuid.ASIMDDP) }

func simdKernels() []*kernelSet {
	if !hasNEON() {
		return nil
	}
	return []*kernelSet{neonKernels(hasDotProd())}
}

// neonKernels is the generic set with NEON kernels for the decode hot paths: F32
// dot/axpy/sum of squares, F32/F16/BF16, Q8_0/Q4_0 and Q4_K/Q6_K matrix products (one
// token per pass over the weights) and the Q8_0 and Q8_K activation quantisers. expSum
// and swiGLU stay generic.
func neonKernels(dotProd bool) *kernelSet {
	k := genericKernels()
	k.name, k.features = "neon", "asimd"
	k.dot = func(a, b []float32) float32 {
		if len(a) == 0 {
			return 0
		}
		b = b[:len(a)]
		return dotF32NEON(&a[0], &b[0], len(a))
	}
	k.axpy = func(y []float32, a float32, x []float32) {
		if len(x) == 0 {
			return
		}
		y = y[:len(x)]
		axpyNEON(&y[0], a, &x[0], len(x))
	}
	k.sumSq = func(x []float32) float32 {
		if len(x) == 0 {
			return 0
		}
		return sumSqNEON(&x[0], len(x))
	}
	k.quantQ8_0 = quantQ8_0Vec
	k.quantQ8K = quantQ8KVec
	k.pv = pvWith(k.axpy)
	k.mat[quant.F32] = neonFloatMat(mvF32NEON, 4, floatF32At)
	k.mat[quant.F16] = neonFloatMat(mvF16NEON, 2, floatF16At)
	k.mat[quant.BF16] = neonFloatMat(mvBF16NEON, 2, floatBF16At)
	mvQ8, mvQ4 := mvQ8_0NEON, mvQ4_0NEON
	mvQ4K, mvQ6K := mvQ4KNEON, mvQ6KNEON
	if dotProd {
		k.features = "asimd+dotprod"
		mvQ8, mvQ4 = mvQ8_0SDOT, mvQ4_0SDOT
		mvQ4K, mvQ6K = mvQ4KSDOT, mvQ6KSDOT
	}
	k.mat[quant.Q8_0] = neonQ8Mat(mvQ8)
	k.mat[quant.Q4_0] = neonQ8Mat(mvQ4)
	k.mat[quant.Q4_K] = neonQKMat(mvQ4K, q4KSize)
	k.mat[quant.Q6_K] = neonQKMat(mvQ6K, q6KSize)
	return k
}

//go:noescape
func dotF32NEON(a, b *float32, n int) float32

//go:noescape
func sumSqNEON(x *float32, n int) float32

//go:noescape
func axpyNEON(y *float32, a float32, x *float32, n int)

//go:noescape
func quantQ8_0NEON(x *float32, qs *int8, d *float32, nb int)

// quantQ8_0Vec quantises whole blocks with the NEON kernel (lengths as quantQ8_0Generic).
func quantQ8_0Vec(x []float32, qs []int8, d []float32) {
	nb := len(x) / qk8
	if nb == 0 {
		return
	}
	qs, d = qs[:nb*qk8], d[:nb]
	quantQ8_0NEON(&x[0], &qs[0], &d[0], nb)
}
