//go:build amd64 && !purego

package cpu

// Kernels of the interleaved F16 and F32 layouts (pack_f16.go): pairs >= 1 pairs of
// groups, the second group gstride bytes after the first (0: the first again), n >= 1
// columns; the mm kernels take 12, 8 or 4 tokens whose activations are ldx floats apart.
type mmTile32Fn func(w *byte, gstride int, x *float32, ldx int, out *float32, ldo int, pairs, n int)

//go:noescape
func mmF16x32T12AVX512(w *byte, gstride int, x *float32, ldx int, out *float32, ldo int, pairs, n int)

//go:noescape
func mmF16x32T8AVX512(w *byte, gstride int, x *float32, ldx int, out *float32, ldo int, pairs, n int)

//go:noescape
func mmF16x32T4AVX512(w *byte, gstride int, x *float32, ldx int, out *float32, ldo int, pairs, n int)

//go:noescape
func mvF16x32AVX512(w *byte, gstride int, x *float32, out *float32, pairs, n int)

//go:noescape
func mmF32x32T12AVX512(w *byte, gstride int, x *float32, ldx int, out *float32, ldo int, pairs, n int)

//go:noescape
func mmF32x32T8AVX512(w *byte, gstride int, x *float32, ldx int, out *float32, ldo int, pairs, n int)

//go:noescape
func mmF32x32T4AVX512(w *byte, gstride int, x *float32, ldx int, out *float32, ldo int, pairs, n int)

//go:noescape
func mvF32x32AVX512(w *byte, gstride int, x *float32, out *float32, pairs, n int)

// tiles32 is a set of the 32-row kernels of one interleaved float layout (F16 or F32):
// token tiles of 12, 8 and 4 and the one-token product, over groups of block bytes per
// column.
type tiles32 struct {
	t12, t8, t4 mmTile32Fn
	mv          func(w *byte, gstride int, x *float32, out *float32, pairs, n int)
	block       int
}

var (
	f16Tiles = tiles32{mmF16x32T12AVX512, mmF16x32T8AVX512, mmF16x32T4AVX512, mvF16x32AVX512, f16PackBlock}
	f32Tiles = tiles32{mmF32x32T12AVX512, mmF32x32T8AVX512, mmF32x32T4AVX512, mvF32x32AVX512, f32PackBlock}
)

// tile picks the kernel for the next tokens of rem: the largest tile that fits, except
// that 16 tokens go as two tiles of 8 (12 + 4 would leave the least efficient tile), and
// a nil kernel (one token, mv) below 4.
func (k *tiles32) tile(rem int) (int, mmTile32Fn) {
	switch {
	case rem >= 12 && rem != 16:
		return 12, k.t12
	case rem >= 8:
		return 8, k.t8
	case rem >= 4:
		return 4, k.t4
	}
	return 1, nil
}

// packedF16 and packedF32 are the packedMats of the interleaved float layouts.
func packedF16(pw []byte, groups int, a *act, t0, nt int, out []float32, ldo int) {
	f16Tiles.run(pw, groups, a, t0, nt, out, ldo)
}

func packedF32(pw []byte, groups int, a *act, t0, nt int, out []float32, ldo int) {
	f32Tiles.run(pw, groups, a, t0, nt, out, ldo)
}

// run is the packedMat of k's layout: tiles of 12, 8 or 4 tokens (tile), the last one to
// three tokens one at a time. Pairs of groups go through the kernels directly; an odd
// last group runs as a pair with itself into scratch, from which its sixteen rows are
// copied.
func (k *tiles32) run(pw []byte, groups int, a *act, t0, nt int, out []float32, ldo int) {
	cols := a.cols
	gb := cols * k.block
	pw = pw[:groups*gb]
	out = out[:(nt-1)*ldo+groups*packRows]
	x := a.f32[t0*cols : (t0+nt)*cols]
	pairs := groups / 2
	var odd [12 * 2 * packRows]float32 // the odd group's tile: 32 sums per token
	for t := 0; t < nt; {
		tile, fn := k.tile(nt - t)
		xt := x[t*cols:]
		if pairs > 0 {
			if fn != nil {
				fn(&pw[0], gb, &xt[0], cols, &out[t*ldo], ldo, pairs, cols)
			} else {
				k.mv(&pw[0], gb, &xt[0], &out[t*ldo], pairs, cols)
			}
		}
		if groups%2 == 1 {
			last := &pw[(groups-1)*gb]
			if fn != nil {
				fn(last, 0, &xt[0], cols, &odd[0], 2*packRows, 1, cols)
			} else {
				k.mv(last, 0, &xt[0], &odd[0], 1, cols)
			}
			for i := 0; i < tile; i++ {
				copy(out[(t+i)*ldo+(groups-1)*packRows:(t+i)*ldo+groups*packRows], odd[i*2*packRows:])
			}
		}
		t += tile
	}
}

//go:noescape
func mmF16x16T6AVX2(w *byte, x *float32, ldx int, out *float32, ldo int, groups, n int)

//go:noescape
func mmF16x16T4AVX2(w *byte, x *float32, ldx int, out *float32, ldo int, groups, n int)

//go:noescape
func mvF16x16AVX2(w *byte, x *float32, out *float32, groups, n int)

//go:noescape
func mmF32x16T6AVX2(w *byte, x *float32, ldx int, out *float32, ldo int, groups, n int)

//go:noescape
func mmF32x16T4AVX2(w *byte, x *float32, ldx int, out *float32, ldo int, groups, n int)

//go:noescape
func mvF32x16AVX2(w *byte, x *float32, out *float32, groups, n int)

// tiles16 is a set of the 16-row AVX2 kernels of one interleaved float layout.
type tiles16 struct {
	t6, t4 func(w *byte, x *float32, ldx int, out *float32, ldo int, groups, n int)
	mv     func(w *byte, x *float32, out *float32, groups, n int)
	block  int
}

var (
	f16Tiles16 = tiles16{mmF16x16T6AVX2, mmF16x16T4AVX2, mvF16x16AVX2, f16PackBlock}
	f32Tiles16 = tiles16{mmF32x16T6AVX2, mmF32x16T4AVX2, mvF32x16AVX2, f32PackBlock}
)

// packedF16AVX2 and packedF32AVX2 are the packedMats of the interleaved float layouts
// on the AVX2 path.
func packedF16AVX2(pw []byte, groups int, a *act, t0, nt int, out []float32, ldo int) {
	f16Tiles16.run(pw, groups, a, t0, nt, out, ldo)
}

func packedF32AVX2(pw []byte, groups int, a *act, t0, nt int, out []float32, ldo int) {
	f32Tiles16.run(pw, groups, a, t0, nt, out, ldo)
}

// run is the packedMat of k's layout: one group (sixteen rows, two registers) by tiles
// of 6 or 4 tokens, the last one to three tokens one at a time.
func (k *tiles16) run(pw []byte, groups int, a *act, t0, nt int, out []float32, ldo int) {
	cols := a.cols
	pw = pw[:groups*cols*k.block]
	out = out[:(nt-1)*ldo+groups*packRows]
	x := a.f32[t0*cols : (t0+nt)*cols]
	t := 0
	for ; t+6 <= nt; t += 6 {
		k.t6(&pw[0], &x[t*cols], cols, &out[t*ldo], ldo, groups, cols)
	}
	if t+4 <= nt {
		k.t4(&pw[0], &x[t*cols], cols, &out[t*ldo], ldo, groups, cols)
		t += 4
	}
	for ; t < nt; t++ {
		k.mv(&pw[0], &x[t*cols], &out[t*ldo], groups, cols)
	}
}
