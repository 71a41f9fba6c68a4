//go:build amd64 && !purego

package cpu

import (
	"encoding/binary"
	"math"

	"github.com/scopekv/scope/model/quant"
)

// floatMat builds a matKernel from SIMD kernels that cover the columns up to a multiple of
// 8; the last cols%8 columns of each row are added here with tail, which converts weight
// bytes to floats.
func floatMat(mv mvFloatFn, mm mmFloatFn, tail func(dst []float32, src []byte)) matKernel {
	return func(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int) {
		cols := a.cols
		stride := len(w) / rows
		esz := stride / cols
		n8 := cols &^ 7
		out = out[:(nt-1)*ldo+rows]
		x := a.f32[t0*cols : (t0+nt)*cols]
		if n8 == 0 {
			for t := 0; t < nt; t++ {
				clear(out[t*ldo : t*ldo+rows])
			}
		} else {
			t := 0
			for ; t+4 <= nt; t += 4 {
				mm(&w[0], stride, &x[t*cols], cols, &out[t*ldo], ldo, rows, n8)
			}
			for ; t < nt; t++ {
				mv(&w[0], stride, &x[t*cols], &out[t*ldo], rows, n8)
			}
		}
		addTail(w, rows, stride, esz, cols, x, nt, out, ldo, tail)
	}
}

// addTail adds the products of the last cols%8 columns of each row to out.
func addTail(w []byte, rows, stride, esz, cols int, x []float32, nt int, out []float32, ldo int, tail func(dst []float32, src []byte)) {
	n8 := cols &^ 7
	if n8 == cols {
		return
	}
	tmp := make([]float32, cols-n8)
	for r := 0; r < rows; r++ {
		tail(tmp, w[r*stride+n8*esz:(r+1)*stride])
		for t := 0; t < nt; t++ {
			out[t*ldo+r] += dotGeneric(tmp, x[t*cols+n8:(t+1)*cols])
		}
	}
}

// floatMat512 is floatMat with a four-row by six-token tile kernel for the whole tiles;
// the rows past the last group of four and the tokens past the last six go to floatMat.
func floatMat512(mv mvFloatFn, mm mmFloatFn, mm46 mmFloatFn, tail func(dst []float32, src []byte)) matKernel {
	base := floatMat(mv, mm, tail)
	return func(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int) {
		cols := a.cols
		n8, groups, t6 := cols&^7, rows/4, nt/6*6
		if n8 == 0 || groups == 0 || t6 == 0 {
			base(w, rows, a, t0, nt, out, ldo)
			return
		}
		stride := len(w) / rows
		out = out[:(nt-1)*ldo+rows]
		x := a.f32[t0*cols : (t0+nt)*cols]
		for t := 0; t < t6; t += 6 {
			mm46(&w[0], stride, &x[t*cols], cols, &out[t*ldo], ldo, groups, n8)
		}
		r4 := groups * 4
		addTail(w[:r4*stride], r4, stride, stride/cols, cols, x, t6, out, ldo, tail)
		if r4 < rows {
			base(w[r4*stride:], rows-r4, a, t0, t6, out[r4:], ldo)
		}
		if t6 < nt {
			base(w, rows, a, t0+t6, nt-t6, out[t6*ldo:], ldo)
		}
	}
}

//go:noescape
func mmF32x4x6AVX512(w *byte, stride int, x *float32, ldx int, out *float32, ldo int, groups, n int)

//go:noescape
func mmF16x4x6AVX512(w *byte, stride int, x *float32, ldx int, out *float32, ldo int, groups, n int)

//go:noescape
func mmBF16x4x6AVX512(w *byte, stride int, x *float32, ldx int, out *float32, ldo int, groups, n int)

func tailF32(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

func tailF16(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = quant.F16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

func tailBF16(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = quant.BF16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}
