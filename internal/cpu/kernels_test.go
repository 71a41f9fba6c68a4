package cpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

var oddLengths = []int{0, 1, 2, 7, 8, 15, 16, 31, 33, 64, 257, 1000, 4099}

// forEachPath runs f once per kernel path this machine supports.
func forEachPath(t *testing.T, f func(t *testing.T, k *kernelSet)) {
	for _, k := range paths() {
		t.Run(k.name, func(t *testing.T) { f(t, k) })
	}
}

func TestDot(t *testing.T) {
	forEachPath(t, func(t *testing.T, k *kernelSet) {
		r := rand.New(rand.NewPCG(1, 2))
		for _, n := range oddLengths {
			a, b := randFloats(r, n, 1), randFloats(r, n, 1)
			var want, mag float64
			for i := range a {
				want += float64(a[i]) * float64(b[i])
				mag += math.Abs(float64(a[i]) * float64(b[i]))
			}
			got := k.dot(a, b)
			if tol := 1e-6*mag + 1e-7; math.Abs(float64(got)-want) > tol {
				t.Errorf("n=%d: dot = %v, want %v (tol %g)", n, got, want, tol)
			}
		}
	})
}

func TestAxpy(t *testing.T) {
	forEachPath(t, func(t *testing.T, k *kernelSet) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, n := range oddLengths {
			x := randFloats(r, n, 1)
			all, y := guarded(n, 8)
			y0 := randFloats(r, n, 1)
			copy(y, y0)
			a := r.Float32()*2 - 1
			k.axpy(y, a, x)
			checkGuards(t, all, 8, fmt.Sprintf("n=%d", n))
			for i := range y {
				want := y0[i] + a*x[i]
				if math.Abs(float64(y[i]-want)) > 1e-6 {
					t.Fatalf("n=%d: y[%d] = %v, want %v", n, i, y[i], want)
				}
			}
		}
	})
}

func TestSumSq(t *testing.T) {
	forEachPath(t, func(t *testing.T, k *kernelSet) {
		r := rand.New(rand.NewPCG(5, 6))
		for _, n := range oddLengths {
			x := randFloats(r, n, 3)
			var want float64
			for _, v := range x {
				want += float64(v) * float64(v)
			}
			if got := k.sumSq(x); math.Abs(float64(got)-want) > 1e-6*want+1e-7 {
				t.Errorf("n=%d: sumSq = %v, want %v", n, got, want)
			}
		}
	})
}

// TestQuantQ8_0 checks each path's activation quantiser: the values decode to within half
// a step of the input, and a SIMD path agrees with the generic one up to rounding ties.
func TestQuantQ8_0(t *testing.T) {
	gen := genericKernels()
	forEachPath(t, func(t *testing.T, k *kernelSet) {
		r := rand.New(rand.NewPCG(7, 8))
		for _, nb := range []int{1, 3, 33} {
			x := randFloats(r, nb*qk8, 2)
			x[0] = 0 // exact zeros and a zero block occur in practice
			if nb > 2 {
				clear(x[qk8 : 2*qk8])
			}
			qs, d := make([]int8, len(x)+8), make([]float32, nb+2)
			qs[len(x)], d[nb] = 99, 99 // guards
			k.quantQ8_0(x, qs[:len(x)], d[:nb])
			if qs[len(x)] != 99 || d[nb] != 99 {
				t.Fatalf("nb=%d: wrote past the end", nb)
			}
			gq, gd := make([]int8, len(x)), make([]float32, nb)
			gen.quantQ8_0(x, gq, gd)
			for i, v := range x {
				b := i / qk8
				if diff := math.Abs(float64(v) - float64(d[b])*float64(qs[i])); diff > float64(d[b])*0.5001+1e-12 {
					t.Fatalf("nb=%d: x[%d] = %v decodes to %v", nb, i, v, d[b]*float32(qs[i]))
				}
				if qs[i]-gq[i] > 1 || gq[i]-qs[i] > 1 || math.Abs(float64(d[b]-gd[b])) > 1e-7*float64(gd[b]) {
					t.Fatalf("nb=%d: element %d: (%d, %v) vs generic (%d, %v)", nb, i, qs[i], d[b], gq[i], gd[b])
				}
			}
		}
	})
}

func TestQuantQ8K(t *testing.T) {
	forEachPath(t, func(t *testing.T, k *kernelSet) {
		r := rand.New(rand.NewPCG(9, 10))
		for _, nb := range []int{1, 2, 5} {
			x := randFloats(r, nb*qkK, 5)
			if nb > 1 {
				clear(x[qkK : 2*qkK])
			}
			qs, d, bs := make([]int8, len(x)), make([]float32, nb), make([]int16, nb*16)
			k.quantQ8K(x, qs, d, bs)
			for i, v := range x {
				step := math.Abs(float64(d[i/qkK]))
				if diff := math.Abs(float64(v) - float64(d[i/qkK])*float64(qs[i])); diff > step*0.5001+1e-12 {
					t.Fatalf("nb=%d: x[%d] = %v decodes to %v", nb, i, v, d[i/qkK]*float32(qs[i]))
				}
			}
			for g := range bs {
				var s int16
				for _, v := range qs[g*16 : (g+1)*16] {
					s += int16(v)
				}
				if bs[g] != s {
					t.Fatalf("nb=%d: bsums[%d] = %d, want %d", nb, g, bs[g], s)
				}
			}
		}
	})
}

// TestExpSum checks the softmax exponent kernel against float64 exp: relative error per
// value, exact zeros for -Inf (excluded slots), and the returned sum.
func TestExpSum(t *testing.T) {
	forEachPath(t, func(t *testing.T, k *kernelSet) {
		r := rand.New(rand.NewPCG(13, 14))
		for _, n := range oddLengths {
			x := randFloats(r, n, 30)
			for i := range x {
				if i%5 == 3 {
					x[i] = float32(math.Inf(-1))
				}
			}
			if n > 2 {
				x[1] = -200 // far below the range: exp underflows to 0
			}
			m := float32(2.5)
			all, y := guarded(n, 8)
			copy(y, x)
			sum := k.expSum(y, m)
			checkGuards(t, all, 8, fmt.Sprintf("n=%d", n))
			var want float64
			for i, v := range x {
				e := math.Exp(float64(v - m))
				want += e
				if math.Abs(float64(y[i])-e) > 3e-7*e+1e-37 {
					t.Fatalf("n=%d: exp(%v) = %v, want %v", n, v-m, y[i], e)
				}
			}
			if math.Abs(float64(sum)-want) > 1e-6*want {
				t.Fatalf("n=%d: sum %v, want %v", n, sum, want)
			}
		}
	})
}

func TestSwiGLU(t *testing.T) {
	forEachPath(t, func(t *testing.T, k *kernelSet) {
		r := rand.New(rand.NewPCG(15, 16))
		for _, n := range oddLengths {
			gate, up := randFloats(r, n, 12), randFloats(r, n, 2)
			if n > 3 {
				gate[0], gate[1], gate[2] = -100, 100, 0
			}
			all, out := guarded(n, 8)
			k.swiGLU(out, gate, up)
			checkGuards(t, all, 8, fmt.Sprintf("n=%d", n))
			for i, g := range gate {
				want := float64(g) / (1 + math.Exp(-float64(g))) * float64(up[i])
				if math.Abs(float64(out[i])-want) > 1e-6*math.Abs(want)+1e-30 {
					t.Fatalf("n=%d: swiglu(%v, %v) = %v, want %v", n, g, up[i], out[i], want)
				}
			}
		}
	})
}
