//go:build amd64 && !purego

package cpu

import (
	"math"
	"sync"
)

// Kernels of the interleaved layouts (pack.go, pack_k.go). mm takes eight tokens whose
// activations are ldx bytes apart and writes out + t*ldo; mv takes one token. groups >= 1
// groups of sixteen rows, nb >= 1 blocks per row; side as built by fillPackSide (Q8_0,
// Q4_0), fillSideQ4K or fillSideQ6K.
type (
	mmPackFn func(w *byte, xq *int8, ldx int, side *uint32, out *float32, ldo int, groups, nb int)
	mvPackFn func(w *byte, xq *int8, out *float32, groups int, side *uint32, nb int)
)

//go:noescape
func mmQ8x16T8AVX512(w *byte, xq *int8, ldx int, side *uint32, out *float32, ldo int, groups, nb int)

//go:noescape
func mmQ4x16T8AVX512(w *byte, xq *int8, ldx int, side *uint32, out *float32, ldo int, groups, nb int)

//go:noescape
func mvQ8x16AVX512(w *byte, xq *int8, out *float32, groups int, side *uint32, nb int)

//go:noescape
func mvQ4x16AVX512(w *byte, xq *int8, out *float32, groups int, side *uint32, nb int)

// packTile is the number of tokens the mm kernels take per pass.
const packTile = 8

// packSide holds a call's per-block activation scales and accumulator start values.
var packSide = sync.Pool{New: func() any { return new([]uint32) }}

// packMat builds the packedMat of a layout whose unsigned weight bytes are the signed
// values plus offset (128 for Q8_0, 8 for Q4_0) and whose groups take blockBytes per block.
func packMat(mm mmPackFn, mv mvPackFn, offset int32, blockBytes int) packedMat {
	fill := func(side []uint32, a *act, t0, n int) { fillPackSide(side, a, t0, n, offset) }
	return packMatOf(mm, mv, qk8, blockBytes, 2, fill)
}

// fillPackSide lays out, per block, the activation scales of tokens t0..t0+n-1 and then
// their accumulator start values, -offset times the block's activation sum.
func fillPackSide(side []uint32, a *act, t0, n int, offset int32) {
	nb := a.cols / qk8
	for b := 0; b < nb; b++ {
		s := side[b*2*n : (b+1)*2*n]
		for i := 0; i < n; i++ {
			s[i] = math.Float32bits(a.d[(t0+i)*nb+b])
			s[n+i] = uint32(-offset * a.xsum[(t0+i)*nb+b])
		}
	}
}

//go:noescape
func mmQ4Kx16T8AVX512(w *byte, xq *int8, ldx int, side *uint32, out *float32, ldo int, groups, nb int)

//go:noescape
func mvQ4Kx16AVX512(w *byte, xq *int8, out *float32, groups int, side *uint32, nb int)

// packMatK is the packedMat of a K-quant layout against Q8_K activations; fill lays out
// the side data, words 32-bit words per token and super-block.
func packMatK(mm mmPackFn, mv mvPackFn, blockBytes, words int, fill func(side []uint32, a *act, t0, n int)) packedMat {
	return packMatOf(mm, mv, qkK, blockBytes, words, fill)
}

// packMatOf runs a packed layout of blockCols-value blocks: whole tiles of packTile tokens
// through mm, the leftover tokens one at a time through mv, with fill laying out each
// call's side data (words 32-bit words per token and block).
func packMatOf(mm mmPackFn, mv mvPackFn, blockCols, blockBytes, words int, fill func(side []uint32, a *act, t0, n int)) packedMat {
	return func(pw []byte, groups int, a *act, t0, nt int, out []float32, ldo int) {
		cols := a.cols
		nb := cols / blockCols
		out = out[:(nt-1)*ldo+groups*packRows]
		pw = pw[:groups*nb*blockBytes]
		sp := packSide.Get().(*[]uint32)
		*sp = grow(*sp, words*packTile*nb)
		side := *sp
		t := 0
		for ; t+packTile <= nt; t += packTile {
			fill(side, a, t0+t, packTile)
			xq := a.qs[(t0+t)*cols : (t0+t+packTile)*cols]
			mm(&pw[0], &xq[0], cols, &side[0], &out[t*ldo], ldo, groups, nb)
		}
		for ; t < nt; t++ {
			fill(side, a, t0+t, 1)
			xq := a.qs[(t0+t)*cols : (t0+t+1)*cols]
			mv(&pw[0], &xq[0], &out[t*ldo], groups, &side[0], nb)
		}
		packSide.Put(sp)
	}
}

// fillSideQ4K lays out, per super-block, the activation scales of tokens t0..t0+n-1 and
// then each token's eight 32-value sums as four int16 pairs.
func fillSideQ4K(side []uint32, a *act, t0, n int) {
	nb := a.cols / qkK
	for b := 0; b < nb; b++ {
		s := side[b*5*n : (b+1)*5*n]
		for i := 0; i < n; i++ {
			s[i] = math.Float32bits(a.d[(t0+i)*nb+b])
			bs := a.bsums[((t0+i)*nb+b)*16 : ((t0+i)*nb+b+1)*16]
			for p := 0; p < 4; p++ {
				lo := uint16(bs[4*p] + bs[4*p+1])
				hi := uint16(bs[4*p+2] + bs[4*p+3])
				s[n+4*i+p] = uint32(lo) | uint32(hi)<<16
			}
		}
	}
}

// fillSideQ6K lays out, per super-block, the activation scales of tokens t0..t0+n-1 and
// then each token's sixteen 16-value sums.
func fillSideQ6K(side []uint32, a *act, t0, n int) {
	nb := a.cols / qkK
	for b := 0; b < nb; b++ {
		s := side[b*9*n : (b+1)*9*n]
		for i := 0; i < n; i++ {
			s[i] = math.Float32bits(a.d[(t0+i)*nb+b])
			bs := a.bsums[((t0+i)*nb+b)*16 : ((t0+i)*nb+b+1)*16]
			for p := 0; p < 8; p++ {
				s[n+8*i+p] = uint32(uint16(bs[2*p])) | uint32(uint16(bs[2*p+1]))<<16
			}
		}
	}
}

//go:noescape
func mmQ6Kx16T8AVX512(w *byte, xq *int8, ldx int, side *uint32, out *float32, ldo int, groups, nb int)

//go:noescape
func mvQ6Kx16AVX512(w *byte, xq *int8, out *float32, groups int, side *uint32, nb int)
