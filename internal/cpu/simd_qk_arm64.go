//go:build arm64 && !purego

package cpu

// mvQKNEONFn computes out[r] = W[r]·x for r < rows over nb >= 1 K-quant super-blocks of
// 256 per row against one token's Q8_K activations (values, scales, 16-value sums);
// rows >= 1 and weight rows follow each other. Q6_K kernels ignore bsums.
type mvQKNEONFn func(w *byte, xq *int8, xd *float32, bsums *int16, out *float32, rows, nb int)

// neonQKMat builds a matKernel for K-quant weights of blockBytes per super-block read
// against Q8_K activations, one token per pass over the weights.
func neonQKMat(mv mvQKNEONFn, blockBytes int) matKernel {
	return func(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int) {
		if rows <= 0 || nt <= 0 {
			return
		}
		cols := a.cols
		nb := cols / qkK
		out = out[:(nt-1)*ldo+rows]
		if nb == 0 {
			for t := 0; t < nt; t++ {
				clear(out[t*ldo : t*ldo+rows])
			}
			return
		}
		w = w[:rows*nb*blockBytes]
		qs, d := a.qs[t0*cols:(t0+nt)*cols], a.d[t0*nb:(t0+nt)*nb]
		bs := a.bsums[t0*cols/16 : (t0+nt)*cols/16]
		for t := 0; t < nt; t++ {
			mv(&w[0], &qs[t*cols], &d[t*nb], &bs[t*cols/16], &out[t*ldo], rows, nb)
		}
	}
}

//go:noescape
func mvQ4KSDOT(w *byte, xq *int8, xd *float32, bsums *int16, out *float32, rows, nb int)

//go:noescape
func mvQ4KNEON(w *byte, xq *int8, xd *float32, bsums *int16, out *float32, rows, nb int)

//go:noescape
func mvQ6KSDOT(w *byte, xq *int8, xd *float32, bsums *int16, out *float32, rows, nb int)

//go:noescape
func mvQ6KNEON(w *byte, xq *int8, xd *float32, bsums *int16, out *float32, rows, nb int)

// quantQ8KVec quantises whole super-blocks as quantQ8KGeneric does, with the same float32
// operations: the value of largest magnitude (the first of them) maps to -127.
func quantQ8KVec(x []float32, qs []int8, d []float32, bsums []int16) {
	for b := 0; b < len(x)/qkK; b++ {
		blk := x[b*qkK : (b+1)*qkK]
		q, bs := qs[b*qkK:(b+1)*qkK], bsums[b*16:(b+1)*16]
		lo, hi := minMaxNEON(&blk[0], qkK)
		vmax := largestMagnitude(blk, lo, hi)
		if vmax == 0 {
			d[b] = 0
			clear(q)
			clear(bs)
			continue
		}
		iscale := -127 / vmax
		quantQ8KNEON(&blk[0], &q[0], &bs[0], iscale)
		d[b] = 1 / iscale
	}
}

// largestMagnitude returns the first value of x whose magnitude is the largest, given
// x's extremes: one of them unless both have that magnitude.
func largestMagnitude(x []float32, lo, hi float32) float32 {
	switch {
	case hi > -lo:
		return hi
	case -lo > hi:
		return lo
	}
	for _, v := range x {
		if v == hi || v == lo {
			return v
		}
	}
	return 0
}

//go:noescape
func minMaxNEON(x *float32, n int) (lo, hi float32)

//go:noescape
func quantQ8KNEON(x *float32, qs *int8, bsums *int16, iscale float32)
