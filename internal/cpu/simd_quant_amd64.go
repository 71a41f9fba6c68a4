//go:build amd64 && !purego

package cpu

// Quantised matrix kernels: Q8_0/Q4_0 weights read Q8_0 activations (qs, d); the
// K-quants read Q8_K activations (qs, d, bsums). mv takes one token; mm four, whose
// activations follow each other (token t at qs + t*cols, d + t*nb, bsums + t*cols/16),
// writing out + t*ldo. nb >= 1 is the number of weight blocks per row; rows >= 1. The
// K-quant mm kernels take each token's scales and sums as separate pointers.
type (
	mvQFn  func(w *byte, xq *int8, xd *float32, out *float32, rows, nb int)
	mmQFn  func(w *byte, xq *int8, xd *float32, out *float32, ldo int, rows, nb int)
	mvQKFn func(w *byte, xq *int8, xd *float32, xs *int16, out *float32, rows, nb int)
	mmQKFn func(w *byte, xq *int8, xd0, xd1, xd2, xd3 *float32, xs0, xs1, xs2, xs3 *int16, out *float32, ldo, rows, nb int)
)

// q8Mat builds a matKernel for weights read against Q8_0 activations.
func q8Mat(mv mvQFn, mm mmQFn) matKernel {
	return func(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int) {
		cols := a.cols
		nb := cols / qk8
		out = out[:(nt-1)*ldo+rows]
		qs, d := a.qs[t0*cols:(t0+nt)*cols], a.d[t0*nb:(t0+nt)*nb]
		t := 0
		if mm != nil {
			for ; t+4 <= nt; t += 4 {
				mm(&w[0], &qs[t*cols], &d[t*nb], &out[t*ldo], ldo, rows, nb)
			}
		}
		for ; t < nt; t++ {
			mv(&w[0], &qs[t*cols], &d[t*nb], &out[t*ldo], rows, nb)
		}
	}
}

// qkMat builds a matKernel for K-quant weights read against Q8_K activations.
func qkMat(mv mvQKFn, mm mmQKFn) matKernel {
	return func(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int) {
		cols := a.cols
		nb, ns := cols/qkK, cols/16
		out = out[:(nt-1)*ldo+rows]
		qs, d := a.qs[t0*cols:(t0+nt)*cols], a.d[t0*nb:(t0+nt)*nb]
		bs := a.bsums[t0*ns : (t0+nt)*ns]
		t := 0
		if mm != nil {
			for ; t+4 <= nt; t += 4 {
				mm(&w[0], &qs[t*cols], &d[t*nb], &d[(t+1)*nb], &d[(t+2)*nb], &d[(t+3)*nb],
					&bs[t*ns], &bs[(t+1)*ns], &bs[(t+2)*ns], &bs[(t+3)*ns], &out[t*ldo], ldo, rows, nb)
			}
		}
		for ; t < nt; t++ {
			mv(&w[0], &qs[t*cols], &d[t*nb], &bs[t*ns], &out[t*ldo], rows, nb)
		}
	}
}

//go:noescape
func mvQ8_0AVX2(w *byte, xq *int8, xd *float32, out *float32, rows, nb int)

//go:noescape
func mvQ4_0AVX2(w *byte, xq *int8, xd *float32, out *float32, rows, nb int)

//go:noescape
func mmQ8_0x4AVX2(w *byte, xq *int8, xd *float32, out *float32, ldo int, rows, nb int)

//go:noescape
func mmQ4_0x4AVX2(w *byte, xq *int8, xd *float32, out *float32, ldo int, rows, nb int)

//go:noescape
func mvQ4KAVX2(w *byte, xq *int8, xd *float32, xs *int16, out *float32, rows, nb int)

//go:noescape
func mvQ6KAVX2(w *byte, xq *int8, xd *float32, xs *int16, out *float32, rows, nb int)

//go:noescape
func mmQ4Kx4AVX2(w *byte, xq *int8, xd0, xd1, xd2, xd3 *float32, xs0, xs1, xs2, xs3 *int16, out *float32, ldo, rows, nb int)

//go:noescape
func mmQ6Kx4AVX2(w *byte, xq *int8, xd0, xd1, xd2, xd3 *float32, xs0, xs1, xs2, xs3 *int16, out *float32, ldo, rows, nb int)

//go:noescape
func quantQ8_0AVX2(x *float32, qs *int8, d *float32, nb int)

//go:noescape
func quantQ8KAVX2(x *float32, qs *int8, d *float32, bsums *int16, nb int)

// quantQ8_0SIMD quantises whole rows with the AVX2 kernel (lengths as quantQ8_0Generic).
func quantQ8_0SIMD(x []float32, qs []int8, d []float32) {
	nb := len(x) / qk8
	if nb == 0 {
		return
	}
	qs, d = qs[:nb*qk8], d[:nb]
	quantQ8_0AVX2(&x[0], &qs[0], &d[0], nb)
}

func quantQ8KSIMD(x []float32, qs []int8, d []float32, bsums []int16) {
	nb := len(x) / qkK
	if nb == 0 {
		return
	}
	qs, d, bsums = qs[:nb*qkK], d[:nb], bsums[:nb*16]
	quantQ8KAVX2(&x[0], &qs[0], &d[0], &bsums[0], nb)
}
