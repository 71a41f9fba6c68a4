package cpu

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scopekv/scope/model/quant"
)

// tiledTypes are the weight types with tile kernels (float tiles, interleaved quant layouts).
var tiledTypes = []quant.Type{quant.F32, quant.F16, quant.BF16, quant.Q8_0, quant.Q4_0, quant.Q4_K, quant.Q6_K}

// matAll computes nt tokens' products with path k as the device does: the whole row groups
// of a type the path repacks through its interleaved kernel, the other rows through k.mat.
func matAll(k *kernelSet, typ quant.Type, w []byte, rows int, a *act, nt int, out []float32) {
	start := 0
	if pk := k.packed[typ]; pk != nil && rows >= packRows {
		groups, nb := rows/packRows, a.cols/typ.BlockSize()
		pw := make([]byte, groups*nb*packedBlockBytes(typ))
		packRowsOf(typ, pw, w, groups, nb)
		pk(pw, groups, a, 0, nt, out, rows)
		start = groups * packRows
	}
	if start < rows {
		rb := len(w) / rows
		k.mat[typ](w[start*rb:], rows-start, a, 0, nt, out[start:], rows)
	}
}

// FuzzTiledMat checks the tile and interleaved kernels against the generic ones: the fuzzer
// chooses the type, the shape (up to 40 rows and 20 tokens, so several tiles and their
// leftovers), the weight bytes and the activation seed.
func FuzzTiledMat(f *testing.F) {
	f.Add(uint64(1), uint8(0), uint8(17), uint8(13), uint8(1), []byte{0x81, 0x7f, 0x00, 0xff, 0x10})
	f.Add(uint64(2), uint8(3), uint8(33), uint8(9), uint8(4), []byte{0x00, 0x80})
	f.Add(uint64(3), uint8(4), uint8(39), uint8(19), uint8(9), []byte("interleaved rows"))
	f.Add(uint64(4), uint8(1), uint8(7), uint8(6), uint8(5), []byte{0x3c, 0x00})
	f.Fuzz(func(t *testing.T, seed uint64, typSel, rows, nt, blocks uint8, raw []byte) {
		if len(raw) == 0 {
			return
		}
		typ := tiledTypes[int(typSel)%len(tiledTypes)]
		r := rand.New(rand.NewPCG(seed, 17))
		nRows, nTok := int(rows%40)+1, int(nt%20)+1
		cols := colsFor(typ)[int(blocks)%len(colsFor(typ))]
		rowBytes, _ := typ.RowBytes(cols)
		w := make([]byte, nRows*rowBytes)
		for i := range w {
			w[i] = raw[i%len(raw)]
		}
		sanitize(typ, w)
		x := randFloats(r, nTok*cols, 4)
		a, seen := quantAct(typ, x, nTok, cols)
		wf := dequant(typ, w, nRows*cols)
		want := make([]float32, nTok*nRows)
		genericKernels().mat[typ](w, nRows, a, 0, nTok, want, nRows)
		for _, k := range paths()[1:] {
			got := make([]float32, nTok*nRows)
			matAll(k, typ, w, nRows, a, nTok, got)
			for tok := 0; tok < nTok; tok++ {
				for row := 0; row < nRows; row++ {
					var mag float64
					for i, v := range wf[row*cols : (row+1)*cols] {
						mag += math.Abs(float64(v) * float64(seen[tok*cols+i]))
					}
					g, e := got[tok*nRows+row], want[tok*nRows+row]
					if math.Abs(float64(g-e)) > 1e-5*mag+1e-6 {
						t.Fatalf("%s %s rows=%d cols=%d nt=%d: out[%d][%d] = %v, generic %v", k.name, typ, nRows, cols, nTok, tok, row, g, e)
					}
				}
			}
		}
	})
}
