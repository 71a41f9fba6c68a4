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
}

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
