package quant

import (
	"encoding/binary"
	"math"
)

// K-quant reference quantisers (quantize_row_q{2,3,4,5,6,8}_K_ref). Block layouts are
// described in dequant_k.go. Each works on one 256-element super-block at a time with the
// same float32 operation order as ggml; see kquant_search.go for the scale searches.

// quantQ4_K and quantQ5_K share everything but the level count and the search grid.
func quantQ4_K(src []float32, dst []byte) {
	for i := 0; i < len(src)/QK_K; i++ {
		x := (*[QK_K]float32)(src[QK_K*i:])
		b := (*[144]byte)(dst[144*i:])
		var L [QK_K]uint8
		quantScalesMinsK(x, b[0:16], &L, 15, -1, 0.1, 20)
		for g := 0; g < 4; g++ {
			q := (*[32]byte)(b[16+32*g:])
			for l := 0; l < 32; l++ {
				q[l] = L[64*g+l] | L[64*g+l+32]<<4
			}
		}
	}
}

func quantQ5_K(src []float32, dst []byte) {
	for i := 0; i < len(src)/QK_K; i++ {
		x := (*[QK_K]float32)(src[QK_K*i:])
		b := (*[176]byte)(dst[176*i:])
		var L [QK_K]uint8
		quantScalesMinsK(x, b[0:16], &L, 31, -0.5, 0.1, 15)
		qh := (*[32]byte)(b[16:])
		clear(qh[:])
		m1, m2 := uint8(1), uint8(2)
		for g := 0; g < 4; g++ {
			ql := (*[32]byte)(b[48+32*g:])
			for j := 0; j < 32; j++ {
				l1, l2 := L[64*g+j], L[64*g+j+32]
				if l1 > 15 {
					l1 -= 16
					qh[j] |= m1
				}
				if l2 > 15 {
					l2 -= 16
					qh[j] |= m2
				}
				ql[j] = l1 | l2<<4
			}
			m1 <<= 2
			m2 <<= 2
		}
	}
}

// quantScalesMinsK fills head (d, dmin and the 12 packed scale bytes of a Q4_K/Q5_K
// block) and the final levels L (0..nmax) for x.
func quantScalesMinsK(x *[QK_K]float32, head []byte, L *[QK_K]uint8, nmax int32, rmin, rdelta float32, nstep int32) {
	var scales, mins [8]float32
	var weights [32]float32
	var laux [32]uint8
	var maxScale, maxMin float32
	for j := 0; j < 8; j++ {
		xs := x[32*j : 32*j+32]
		var sumX2 float32
		for _, v := range xs {
			sumX2 += float32(v * v)
		}
		avX := float32(math.Sqrt(float64(sumX2 / 32)))
		for l, v := range xs {
			weights[l] = avX + abs32(v)
		}
		scales[j], mins[j] = makeQKX2(nmax, xs, weights[:], L[32*j:32*j+32], laux[:], rmin, rdelta, nstep, false)
		if scales[j] > maxScale {
			maxScale = scales[j]
		}
		if mins[j] > maxMin {
			maxMin = mins[j]
		}
	}
	packScalesK(head[4:16], scales, mins, maxScale, maxMin)
	putHalf(head[0:], maxScale/63)
	putHalf(head[2:], maxMin/63)
	d, dmin := halfAt(head[0:]), halfAt(head[2:])
	sm := (*[12]byte)(head[4:16])
	for j := 0; j < 8; j++ {
		sc, m := scaleMinK4(j, sm)
		dl := d * float32(sc)
		if dl == 0 {
			continue
		}
		dm := float32(dmin * float32(m))
		for ii := 32 * j; ii < 32*j+32; ii++ {
			L[ii] = uint8(clampInt(nearestInt((x[ii]+dm)/dl), 0, nmax))
		}
	}
}

// packScalesK quantises the 8 sub-block scales and mins to 6 bits against their maxima and
// packs them as get_scale_min_k4 reads them back.
func packScalesK(out []byte, scales, mins [8]float32, maxScale, maxMin float32) {
	var invScale, invMin float32
	if maxScale > 0 {
		invScale = 63 / maxScale
	}
	if maxMin > 0 {
		invMin = 63 / maxMin
	}
	s := (*[12]byte)(out)
	for j := 0; j < 8; j++ {
		ls := min(63, uint8(nearestInt(invScale*scales[j])))
		lm := min(63, uint8(nearestInt(invMin*mins[j])))
		if j < 4 {
			s[j] = ls
			s[j+4] = lm
		} else {
			s[j+4] = ls&0x0f | (lm&0x0f)<<4
			s[j-4] |= (ls >> 4) << 6
			s[j] |= (lm >> 4) << 6
		}
	}
}

func quantQ6_K(src []float32, dst []byte) {
	for i := 0; i < len(src)/QK_K; i++ {
		x := (*[QK_K]float32)(src[QK_K*i:])
		b := (*[210]byte)(dst[210*i:])
		var L [QK_K]int8
		var scales [16]float32
		var maxScale, maxAbs float32
		for ib := 0; ib < 16; ib++ {
			scales[ib] = makeQX(32, x[16*ib:16*ib+16], L[16*ib:])
			if a := abs32(scales[ib]); a > maxAbs {
				maxAbs, maxScale = a, scales[ib]
			}
		}
		if maxAbs < groupMaxEps {
			clear(b[:])
			continue
		}
		iscale := -128 / maxScale
		putHalf(b[208:], 1/iscale)
		d := halfAt(b[208:])
		for ib := 0; ib < 16; ib++ {
			b[192+ib] = uint8(int8(min(127, nearestInt(iscale*scales[ib]))))
		}
		for j := 0; j < 16; j++ {
			dl := d * float32(int8(b[192+j]))
			if dl == 0 {
				continue
			}
			for ii := 16 * j; ii < 16*j+16; ii++ {
				L[ii] = int8(clampInt(nearestInt(x[ii]/dl), -32, 31) + 32)
			}
		}
		packQ6(b, &L)
	}
}

// packQ6 stores the 6-bit levels: low nibbles in ql, top two bits in qh.
func packQ6(b *[210]byte, L *[QK_K]int8) {
	for n := 0; n < 2; n++ {
		ql := (*[64]byte)(b[64*n:])
		qh := (*[32]byte)(b[128+32*n:])
		lv := (*[128]int8)(L[128*n:])
		for l := 0; l < 32; l++ {
			q1, q2, q3, q4 := uint8(lv[l]), uint8(lv[l+32]), uint8(lv[l+64]), uint8(lv[l+96])
			ql[l] = q1&0x0f | (q3&0x0f)<<4
			ql[l+32] = q2&0x0f | (q4&0x0f)<<4
			qh[l] = q1>>4 | (q2>>4)<<2 | (q3>>4)<<4 | (q4>>4)<<6
		}
	}
}

// QuantizeQ8K quantises src (a multiple of 256 elements) into Q8_K blocks without checks,
// as quantize_row_q8_K_ref: d = max/-127 as float32, q = min(127, nearest(x/d)), and bsums
// the sums of each 16 quants. An all-zero block gets d = 0, zero quants and zero sums.
// It is the activation quantiser of the K-quant dot kernels.
func QuantizeQ8K(src []float32, dst []byte) {
	for i := 0; i < len(src)/QK_K; i++ {
		x := (*[QK_K]float32)(src[QK_K*i:])
		b := (*[292]byte)(dst[292*i:])
		amax, vmax := signedMax(x[:])
		if amax == 0 {
			clear(b[:])
			continue
		}
		iscale := -127 / vmax
		for j, v := range x {
			b[4+j] = uint8(int8(min(127, nearestInt(iscale*v))))
		}
		for j := 0; j < 16; j++ {
			var sum int32
			for _, q := range b[4+16*j : 4+16*j+16] {
				sum += int32(int8(q))
			}
			binary.LittleEndian.PutUint16(b[260+2*j:], uint16(int16(sum)))
		}
		binary.LittleEndian.PutUint32(b[0:], math.Float32bits(1/iscale))
	}
}
