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
