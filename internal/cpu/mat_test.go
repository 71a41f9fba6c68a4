package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scopekv/scope/model/quant"
)

// colsFor lists input widths that exercise every loop tail of a type's kernels.
func colsFor(t quant.Type) []int {
	switch actKindOf(t) {
	case actQ8_0:
		// 4..9, 35 and 36 blocks reach the 4-block steps and every leftover count.
		return []int{32, 64, 96, 128, 160, 192, 224, 288, 32 * 33, 32 * 35, 32 * 36}
	case actQ8K:
		return []int{256, 512, 256 * 3}
	}
	return []int{1, 7, 8, 33, 64, 257, 1000}
}

// quantAct builds n activation rows for weight type t with the generic quantisers, and
// returns the values the kernels see (dequantised for quantised forms).
func quantAct(t quant.Type, x []float32, n, cols int) (*act, []float32) {
	a := &act{n: n, cols: cols}
	seen := make([]float32, len(x))
	switch actKindOf(t) {
	case actF32:
		a.f32 = x
		copy(seen, x)
	case actQ8_0:
		a.qs, a.d, a.xsum = make([]int8, n*cols), make([]float32, n*cols/qk8), make([]int32, n*cols/qk8)
		quantQ8_0Generic(x, a.qs, a.d)
		blockSums(a.qs, a.xsum)
		for i := range seen {
			seen[i] = a.d[i/qk8] * float32(a.qs[i])
		}
	case actQ8K:
		a.qs, a.d, a.bsums = make([]int8, n*cols), make([]float32, n*cols/qkK), make([]int16, n*cols/16)
		quantQ8KGeneric(x, a.qs, a.d, a.bsums)
		for i := range seen {
			seen[i] = a.d[i/qkK] * float32(a.qs[i])
		}
	}
	return a, seen
}

// checkMat runs one kernel call on rows x cols weights for nt tokens starting at token 1
// and compares with a float64 product over the values the kernel sees.
func checkMat(t *testing.T, k *kernelSet, typ quant.Type, rows, cols, nt int, r *rand.Rand) {
	t.Helper()
	name := fmt.Sprintf("%s rows=%d cols=%d nt=%d", typ, rows, cols, nt)
	w := randWeight(r, typ, rows, cols)
	wf := dequant(typ, w, rows*cols)
	n := nt + 1
	x := randFloats(r, n*cols, 1)
	a, seen := quantAct(typ, x, n, cols)
	ldo := rows + 3
	const pad = 16
	all, out := guarded(nt*ldo, pad)
	k.mat[typ](w, rows, a, 1, nt, out, ldo)
	checkGuards(t, all, pad, name)
	for tok := 0; tok < nt; tok++ {
		xs := seen[(tok+1)*cols : (tok+2)*cols]
		for row := 0; row < rows; row++ {
			var want, mag float64
			for i, v := range wf[row*cols : (row+1)*cols] {
				want += float64(v) * float64(xs[i])
				mag += math.Abs(float64(v) * float64(xs[i]))
			}
			got := float64(out[tok*ldo+row])
			if tol := 3e-6*mag + 1e-6; math.Abs(got-want) > tol {
				t.Fatalf("%s: out[%d][%d] = %v, want %v (tol %g)", name, tok, row, got, want, tol)
			}
		}
		for g := rows; g < ldo && tok*ldo+g < len(out); g++ {
			if out[tok*ldo+g] != guard {
				t.Fatalf("%s: wrote the gap after token %d's rows", name, tok)
			}
		}
	}
}

func TestMat(t *testing.T) {
	forEachPath(t, func(t *testing.T, k *kernelSet) {
		r := rand.New(rand.NewPCG(11, 12))
		for _, typ := range kernelTypes {
			for _, cols := range colsFor(typ) {
				for _, rows := range []int{1, 3, 7, 17} {
					for _, nt := range []int{1, 2, 4, 5, 6, 9, 13} {
						checkMat(t, k, typ, rows, cols, nt, r)
					}
				}
			}
		}
	})
}
