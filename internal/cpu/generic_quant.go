package cpu

import (
	"encoding/binary"
	"math"
)

const (
	qk8     = 32  // elements per Q8_0/Q4_0 block
	qkK     = 256 // elements per K-quant super-block
	q8Bytes = 34  // bytes per Q8_0 weight block: f16 d, 32 int8
	q4Bytes = 18  // bytes per Q4_0 weight block: f16 d, 16 bytes of nibbles
	q4KSize = 144 // bytes per Q4_K block: f16 d, f16 dmin, 12 scale bytes, 128 nibble bytes
	q6KSize = 210 // bytes per Q6_K block: 128 ql, 64 qh, 16 int8 scales, f16 d
)

// quantQ8_0Generic quantises x to blocks of 32 int8 with a float32 scale each:
// d = amax/127, q = round(x/d), as ggml's quantize_row_q8_0 (but d kept in float32).
func quantQ8_0Generic(x []float32, qs []int8, d []float32) {
	for b := 0; b < len(x)/qk8; b++ {
		blk := x[b*qk8 : (b+1)*qk8]
		var amax float32
		for _, v := range blk {
			amax = max(amax, abs32(v))
		}
		scale := amax / 127
		var inv float32
		if scale != 0 {
			inv = 1 / scale
		}
		d[b] = scale
		q := qs[b*qk8 : (b+1)*qk8]
		for i, v := range blk {
			q[i] = int8(math.Round(float64(v * inv)))
		}
	}
}

// quantQ8KGeneric quantises x to Q8_K super-blocks as ggml's quantize_row_q8_K_ref: the
// value of largest magnitude maps to -127; bsums holds the sum of each 16 values.
func quantQ8KGeneric(x []float32, qs []int8, d []float32, bsums []int16) {
	for b := 0; b < len(x)/qkK; b++ {
		blk := x[b*qkK : (b+1)*qkK]
		q := qs[b*qkK : (b+1)*qkK]
		var amax, vmax float32
		for _, v := range blk {
			if a := abs32(v); a > amax {
				amax, vmax = a, v
			}
		}
		if amax == 0 {
			d[b] = 0
			clear(q)
			clear(bsums[b*16 : (b+1)*16])
			continue
		}
		iscale := -127 / vmax
		for i, v := range blk {
			q[i] = int8(min(127, math.RoundToEven(float64(iscale*v))))
		}
		for j := 0; j < 16; j++ {
			var s int16
			for _, v := range q[j*16 : (j+1)*16] {
				s += int16(v)
			}
			bsums[b*16+j] = s
		}
		d[b] = 1 / iscale
	}
}

func abs32(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }

// matQuant runs a quantised product with a per-row dot function over one token's
// quantised activations (qs, d and, for Q8_K, bsums).
func matQuant(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int, blk int,
	dot func(row []byte, qs []int8, d []float32, bsums []int16) float32) {
	cols := a.cols
	nb := cols / blk
	rowBytes := len(w) / max(rows, 1)
	for r := 0; r < rows; r++ {
		row := w[r*rowBytes : (r+1)*rowBytes]
		for t := 0; t < nt; t++ {
			tok := t0 + t
			var bs []int16
			if a.bsums != nil {
				bs = a.bsums[tok*cols/16 : (tok+1)*cols/16]
			}
			out[t*ldo+r] = dot(row, a.qs[tok*cols:(tok+1)*cols], a.d[tok*nb:(tok+1)*nb], bs)
		}
	}
}

func matQ8_0Generic(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int) {
	matQuant(w, rows, a, t0, nt, out, ldo, qk8, dotQ8_0Generic)
}

func matQ4_0Generic(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int) {
	matQuant(w, rows, a, t0, nt, out, ldo, qk8, dotQ4_0Generic)
}

func matQ4KGeneric(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int) {
	matQuant(w, rows, a, t0, nt, out, ldo, qkK, dotQ4KGeneric)
}

func matQ6KGeneric(w []byte, rows int, a *act, t0, nt int, out []float32, ldo int) {
	matQuant(w, rows, a, t0, nt, out, ldo, qkK, dotQ6KGeneric)
}

func dotQ8_0Generic(row []byte, qs []int8, d []float32, _ []int16) float32 {
	var sum float32
	for b := range d {
		blk := row[b*q8Bytes : (b+1)*q8Bytes]
		x := qs[b*qk8 : (b+1)*qk8]
		var s int32
		for i, v := range blk[2:] {
			s += int32(int8(v)) * int32(x[i])
		}
		sum += halfAt(blk) * d[b] * float32(s)
	}
	return sum
}

func dotQ4_0Generic(row []byte, qs []int8, d []float32, _ []int16) float32 {
	var sum float32
	for b := range d {
		blk := row[b*q4Bytes : (b+1)*q4Bytes]
		x := qs[b*qk8 : (b+1)*qk8]
		var s int32
		for i, v := range blk[2:] {
			s += (int32(v&0xf) - 8) * int32(x[i])
			s += (int32(v>>4) - 8) * int32(x[i+16])
		}
		sum += halfAt(blk) * d[b] * float32(s)
	}
	return sum
}

// kScales unpacks the 12 packed bytes of a Q4_K/Q5_K block into 8 six-bit scales and mins.
func kScales(p []byte) (sc, m [8]uint8) {
	u0 := binary.LittleEndian.Uint32(p[0:])
	u1 := binary.LittleEndian.Uint32(p[4:])
	u2 := binary.LittleEndian.Uint32(p[8:])
	lo := [2]uint32{u0 & 0x3f3f3f3f, u2&0x0f0f0f0f | (u0>>2)&0x30303030}
	mn := [2]uint32{u1 & 0x3f3f3f3f, (u2>>4)&0x0f0f0f0f | (u1>>2)&0x30303030}
	for j := 0; j < 8; j++ {
		sc[j] = uint8(lo[j/4] >> (8 * (j % 4)))
		m[j] = uint8(mn[j/4] >> (8 * (j % 4)))
	}
	return sc, m
}

func dotQ4KGeneric(row []byte, qs []int8, d []float32, bsums []int16) float32 {
	var sum float32
	for b := range d {
		blk := row[b*q4KSize : (b+1)*q4KSize]
		x := qs[b*qkK : (b+1)*qkK]
		bs := bsums[b*16 : (b+1)*16]
		sc, m := kScales(blk[4:16])
		var sumi, summ int32
		for j := 0; j < 4; j++ {
			q := blk[16+32*j : 16+32*(j+1)]
			var lo, hi int32
			for i, v := range q {
				lo += int32(v&0xf) * int32(x[64*j+i])
				hi += int32(v>>4) * int32(x[64*j+32+i])
			}
			sumi += int32(sc[2*j])*lo + int32(sc[2*j+1])*hi
		}
		for j := 0; j < 8; j++ {
			summ += int32(m[j]) * (int32(bs[2*j]) + int32(bs[2*j+1]))
		}
		sum += d[b] * (halfAt(blk)*float32(sumi) - halfAt(blk[2:])*float32(summ))
	}
	return sum
}

func dotQ6KGeneric(row []byte, qs []int8, d []float32, _ []int16) float32 {
	var sum float32
	for b := range d {
		blk := row[b*q6KSize : (b+1)*q6KSize]
		x := qs[b*qkK : (b+1)*qkK]
		var sumi int32
		for n := 0; n < 2; n++ {
			ql := blk[64*n : 64*n+64]
			qh := blk[128+32*n : 128+32*n+32]
			sc := blk[192+8*n : 192+8*n+8]
			xs := x[128*n : 128*n+128]
			var part [8]int32 // per 16-element group: 4 quarters x 2 halves
			for l := 0; l < 32; l++ {
				h := qh[l]
				q1 := int32(ql[l]&0xf|(h&3)<<4) - 32
				q2 := int32(ql[l+32]&0xf|(h>>2&3)<<4) - 32
				q3 := int32(ql[l]>>4|(h>>4&3)<<4) - 32
				q4 := int32(ql[l+32]>>4|(h>>6&3)<<4) - 32
				g := l / 16
				part[g] += q1 * int32(xs[l])
				part[2+g] += q2 * int32(xs[l+32])
				part[4+g] += q3 * int32(xs[l+64])
				part[6+g] += q4 * int32(xs[l+96])
			}
			for i, p := range part {
				sumi += int32(int8(sc[i])) * p
			}
		}
		sum += d[b] * halfAt(blk[208:]) * float32(sumi)
	}
	return sum
}
