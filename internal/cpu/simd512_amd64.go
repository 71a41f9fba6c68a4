//go:build amd64 && !purego

package cpu

import (
	"sync"
	"unsafe"

	"github.com/scopekv/scope/model/quant"
)

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
	k.mat[quant.Q4_0] = q4Mat512()
	k.pv = pv512(pvWith(k.axpy))
	k.mat[quant.F32] = floatMat512(mvF32AVX2, mmF32x4AVX2, mmF32x4x6AVX512, tailF32)
	k.mat[quant.F16] = floatMat512(mvF16AVX2, mmF16x4AVX2, mmF16x4x6AVX512, tailF16)
	k.mat[quant.BF16] = floatMat512(mvBF16AVX2, mmBF16x4AVX2, mmBF16x4x6AVX512, tailBF16)
	k.packed = map[quant.Type]packedMat{
		quant.Q8_0: packMat(mmQ8x16T8AVX512, mvQ8x16AVX512, 128, q8PackBlock),
		quant.Q4_0: packMat(mmQ4x16T8AVX512, mvQ4x16AVX512, 8, q4PackBlock),
		quant.Q4_K: packMatK(mmQ4Kx16T8AVX512, mvQ4Kx16AVX512, q4KPackBlock, 5, fillSideQ4K),
		quant.Q6_K: packMatK(mmQ6Kx16T8AVX512, mvQ6Kx16AVX512, q6KPackBlock, 9, fillSideQ6K),
		quant.F16:  packedF16,
		quant.F32:  packedF32,
	}
	return k
}

// q4SideBytes is the side data per group of four Q4_0 blocks read by the Q4_0 kernels.
const q4SideBytes = 256

// q4Side holds the call's activations re-arranged for the Q4_0 kernels, reused across calls.
var q4Side = sync.Pool{New: func() any { return new([]byte) }}

// q4Mat512 is the Q4_0 matKernel of the AVX-512 path. Each token's activations are laid
// out once per call (prepQ4_0AVX512); four tokens then go per pass through
// mmQ4_0x4AVX512 and the rest one at a time through mvQ4_0AVX512.
func q4Mat512() matKernel {
	return func(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int) {
		cols := a.cols
		nb := cols / qk8
		ng := nb / 4
		st := ng * q4SideBytes
		out = out[:(nt-1)*ldo+rows]
		qs, d := a.qs[t0*cols:(t0+nt)*cols], a.d[t0*nb:(t0+nt)*nb]
		bp := q4Side.Get().(*[]byte)
		side := alignedSide(bp, nt*st)
		if ng > 0 {
			for t := range nt {
				prepQ4_0AVX512(&qs[t*cols], &d[t*nb], &side[t*st], ng)
			}
		}
		t := 0
		for ; t+4 <= nt; t += 4 {
			mmQ4_0x4AVX512(&w[0], &qs[t*cols], &d[t*nb], &side[t*st], &out[t*ldo], ldo, rows, nb)
		}
		for ; t < nt; t++ {
			mvQ4_0AVX512(&w[0], &qs[t*cols], &d[t*nb], &side[t*st], &out[t*ldo], rows, nb)
		}
		q4Side.Put(bp)
	}
}

// alignedSide returns n bytes (at least one) of *bp starting on a 64-byte boundary,
// growing the buffer when it is short.
func alignedSide(bp *[]byte, n int) []byte {
	n = max(n, 1)
	if cap(*bp) < n+64 {
		*bp = make([]byte, n+64)
	}
	b := (*bp)[:cap(*bp)]
	off := int(-uintptr(unsafe.Pointer(&b[0])) & 63)
	return b[off : off+n]
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
func mvQ4_0AVX512(w *byte, xq *int8, xd *float32, side *byte, out *float32, rows, nb int)

//go:noescape
func prepQ4_0AVX512(xq *int8, xd *float32, side *byte, ng int)

//go:noescape
func mmQ8_0x4AVX512(w *byte, xq *int8, xd *float32, out *float32, ldo int, rows, nb int)

//go:noescape
func mmQ4_0x4AVX512(w *byte, xq *int8, xd *float32, side *byte, out *float32, ldo int, rows, nb int)

//go:noescape
func pvAVX512(dst *float32, lddst int, p *float32, ldp int, v *float32, ldv int, n int)

// pv512 builds kernelSet.pv from the kernel for whole blocks of four heads and 64 columns,
// leaving the other heads to rest.
func pv512(rest func(dst, p []float32, ldp int, v []float32, g, n, hd int)) func(dst, p []float32, ldp int, v []float32, g, n, hd int) {
	return func(dst, p []float32, ldp int, v []float32, g, n, hd int) {
		pvBlocks(rest, dst, p, ldp, v, g, n, hd)
	}
}

func pvBlocks(rest func(dst, p []float32, ldp int, v []float32, g, n, hd int), dst, p []float32, ldp int, v []float32, g, n, hd int) {
	if n <= 0 {
		return
	}
	g4 := 0
	if hd%64 == 0 {
		g4 = g &^ 3
		v = v[:(n-1)*hd+hd]
		for h := 0; h < g4; h += 4 {
			ph := p[h*ldp : (h+3)*ldp+n]
			dh := dst[h*hd : (h+4)*hd]
			for c := 0; c < hd; c += 64 {
				pvAVX512(&dh[c], hd, &ph[0], ldp, &v[c], hd, n)
			}
		}
	}
	if g4 < g {
		rest(dst[g4*hd:], p[g4*ldp:], ldp, v, g-g4, n, hd)
	}
}
