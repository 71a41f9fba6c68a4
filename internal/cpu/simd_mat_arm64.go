//go:build arm64 && !purego

package cpu

import (
	"encoding/binary"
	"math"

	"github.com/scopekv/scope/model/quant"
)

// NEON matrix kernels take one token per call: out[r] = W[r]·x for r < rows, weight rows
// following each other. Float kernels cover n columns (a positive multiple of 4) of rows
// stride bytes apart; quantised kernels cover nb >= 1 blocks of 32 against Q8_0
// activations. rows >= 1.
type (
	mvFloatNEONFn func(w *byte, stride int, x *float32, out *float32, rows, n int)
	mvQNEONFn     func(w *byte, xq *int8, xd *float32, out *float32, rows, nb int)
)

// neonFloatMat builds a float-weight matKernel from an mv kernel over the columns up to a
// multiple of 4; the last cols%4 columns of each row are added here, reading element i
// of a row with at.
func neonFloatMat(mv mvFloatNEONFn, esz int, at func(row []byte, i int) float32) matKernel {
	return func(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int) {
		cols := a.cols
		stride := cols * esz
		n4 := cols &^ 3
		out = out[:(nt-1)*ldo+rows]
		x := a.f32[t0*cols : (t0+nt)*cols]
		w = w[:rows*stride]
		for t := 0; t < nt; t++ {
			o := out[t*ldo : t*ldo+rows]
			if n4 == 0 {
				clear(o)
			} else {
				mv(&w[0], stride, &x[t*cols], &o[0], rows, n4)
			}
			if n4 == cols {
				continue
			}
			xt := x[t*cols : (t+1)*cols]
			for r := range o {
				row := w[r*stride : (r+1)*stride]
				for i := n4; i < cols; i++ {
					o[r] += at(row, i) * xt[i]
				}
			}
		}
	}
}

func floatF32At(row []byte, i int) float32 {
	return math.Float32frombits(binary.LittleEndian.Uint32(row[4*i:]))
}

func floatF16At(row []byte, i int) float32 { return halfAt(row[2*i:]) }

func floatBF16At(row []byte, i int) float32 {
	return quant.BF16ToF32(binary.LittleEndian.Uint16(row[2*i:]))
}

// neonQ8Mat builds a matKernel for weights read against Q8_0 activations.
func neonQ8Mat(mv mvQNEONFn) matKernel {
	return func(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int) {
		cols := a.cols
		nb := cols / qk8
		out = out[:(nt-1)*ldo+rows]
		qs, d := a.qs[t0*cols:(t0+nt)*cols], a.d[t0*nb:(t0+nt)*nb]
		for t := 0; t < nt; t++ {
			mv(&w[0], &qs[t*cols], &d[t*nb], &out[t*ldo], rows, nb)
		}
	}
}

//go:noescape
func mvF32NEON(w *byte, stride int, x *float32, out *float32, rows, n int)

//go:noescape
func mvF16NEON(w *byte, stride int, x *float32, out *float32, rows, n int)

//go:noescape
func mvBF16NEON(w *byte, stride int, x *float32, out *float32, rows, n int)

//go:noescape
func mvQ8_0SDOT(w *byte, xq *int8, xd *float32, out *float32, rows, nb int)

//go:noescape
func mvQ8_0NEON(w *byte, xq *int8, xd *float32, out *float32, rows, nb int)

//go:noescape
func mvQ4_0SDOT(w *byte, xq *int8, xd *float32, out *float32, rows, nb int)

//go:noescape
func mvQ4_0NEON(w *byte, xq *int8, xd *float32, out *float32, rows, nb int)
