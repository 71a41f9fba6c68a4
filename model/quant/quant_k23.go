package quant

// quantQ2_K is quantize_row_q2_K_ref: 16 groups of 16 with an asymmetric 2-bit fit each
// (|x|-weighted, absolute error), group scales and mins quantised to 4 bits.
func quantQ2_K(src []float32, dst []byte) {
	for i := 0; i < len(src)/QK_K; i++ {
		x := (*[QK_K]float32)(src[QK_K*i:])
		b := (*[84]byte)(dst[84*i:])
		var L [QK_K]uint8
		var laux [16]uint8
		var weights, scales, mins [16]float32
		var maxScale, maxMin float32
		for j := 0; j < 16; j++ {
			xs := x[16*j : 16*j+16]
			for l, v := range xs {
				weights[l] = abs32(v)
			}
			scales[j], mins[j] = makeQKX2(3, xs, weights[:], L[16*j:16*j+16], laux[:], -0.5, 0.1, 15, true)
			if scales[j] > maxScale {
				maxScale = scales[j]
			}
			if mins[j] > maxMin {
				maxMin = mins[j]
			}
		}
		sc := b[0:16]
		clear(sc)
		putHalf(b[80:], 0)
		putHalf(b[82:], 0)
		if maxScale > 0 {
			iscale := 15 / maxScale
			for j := range sc {
				sc[j] = uint8(nearestInt(iscale * scales[j]))
			}
			putHalf(b[80:], maxScale/15)
		}
		if maxMin > 0 {
			iscale := 15 / maxMin
			for j := range sc {
				sc[j] |= uint8(nearestInt(iscale*mins[j]) << 4)
			}
			putHalf(b[82:], maxMin/15)
		}
		d, dmin := halfAt(b[80:]), halfAt(b[82:])
		for j := 0; j < 16; j++ {
			dl := d * float32(sc[j]&0x0f)
			if dl == 0 {
				continue
			}
			dm := float32(dmin * float32(sc[j]>>4))
			for ii := 16 * j; ii < 16*j+16; ii++ {
				L[ii] = uint8(clampInt(nearestInt((x[ii]+dm)/dl), 0, 3))
			}
		}
		pack2Bit((*[64]byte)(b[16:]), &L)
	}
}

// pack2Bit stores the low two bits of 256 levels, four per byte: byte l of each 32-byte half
// holds elements l, l+32, l+64, l+96 of that 128-element half.
func pack2Bit(qs *[64]byte, L *[QK_K]uint8) {
	for n := 0; n < 2; n++ {
		for l := 0; l < 32; l++ {
			j := 128*n + l
			qs[32*n+l] = L[j] | L[j+32]<<2 | L[j+64]<<4 | L[j+96]<<6
		}
	}
}

// quantQ3_K is quantize_row_q3_K_ref: 16 groups of 16 with a symmetric 3-bit fit each
// (x²-weighted, refined), group scales quantised to signed 6 bits.
func quantQ3_K(src []float32, dst []byte) {
	for i := 0; i < len(src)/QK_K; i++ {
		x := (*[QK_K]float32)(src[QK_K*i:])
		b := (*[110]byte)(dst[110*i:])
		var Ls [QK_K]int8
		var scales [16]float32
		var maxScale, amax float32
		for j := 0; j < 16; j++ {
			scales[j] = makeQ3(4, x[16*j:16*j+16], Ls[16*j:])
			if a := abs32(scales[j]); a > amax {
				amax, maxScale = a, scales[j]
			}
		}
		packed := (*[12]byte)(b[96:])
		clear(packed[:])
		putHalf(b[108:], 0)
		if maxScale != 0 {
			iscale := -32 / maxScale
			for j := 0; j < 16; j++ {
				l := uint8(clampInt(int32(int8(nearestInt(iscale*scales[j]))), -32, 31) + 32)
				if j < 8 {
					packed[j] = l & 0x0f
				} else {
					packed[j-8] |= (l & 0x0f) << 4
				}
				packed[8+j%4] |= (l >> 4) << (2 * (j / 4))
			}
			putHalf(b[108:], 1/iscale)
		}
		d := halfAt(b[108:])
		gs := q3Scales(packed)
		for j := 0; j < 16; j++ {
			dl := d * float32(gs[j])
			if dl == 0 {
				continue
			}
			for ii := 16 * j; ii < 16*j+16; ii++ {
				Ls[ii] = int8(clampInt(nearestInt(x[ii]/dl), -4, 3) + 4)
			}
		}
		packQ3(b, &Ls)
	}
}

// packQ3 stores 3-bit levels (0..7): the high bit in hmask (bit k of byte m is element
// 32k+m), the low two bits as in Q2_K.
func packQ3(b *[110]byte, Ls *[QK_K]int8) {
	hmask := (*[32]byte)(b[0:])
	clear(hmask[:])
	var L [QK_K]uint8
	for j, v := range Ls {
		l := uint8(v)
		if l > 3 {
			hmask[j%32] |= 1 << (j / 32)
			l -= 4
		}
		L[j] = l
	}
	pack2Bit((*[64]byte)(b[32:]), &L)
}
