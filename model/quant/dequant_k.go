package quant

import (
	"encoding/binary"
	"math"
)

// The K-quant super-blocks of QK_K = 256 elements (ggml-common.h), byte offsets:
//
//	Q2_K  (84): scales[16] @0 (low nibble scale, high nibble min) | qs[64] @16 | d @80 | dmin @82
//	Q3_K (110): hmask[32] @0 | qs[64] @32 | scales[12] @96 (16 6-bit scales) | d @108
//	Q4_K (144): d @0 | dmin @2 | scales[12] @4 (8 6-bit scales + 8 6-bit mins) | qs[128] @16
//	Q5_K (176): d @0 | dmin @2 | scales[12] @4 | qh[32] @16 | qs[128] @48
//	Q6_K (210): ql[128] @0 | qh[64] @128 | scales[16] int8 @192 | d @208
//	Q8_K (292): d float32 @0 | qs[256] int8 @4 | bsums[16] int16 @260
//
// The loops follow ggml's dequantize_row_* element order and float32 operation order; the
// explicit float32() around products stops the compiler fusing them with the subtraction.

// scaleMinK4 unpacks the j-th (0..7) 6-bit scale and min of a Q4_K/Q5_K block, as ggml's
// get_scale_min_k4.
func scaleMinK4(j int, q *[12]byte) (sc, m uint8) {
	if j < 4 {
		return q[j] & 63, q[j+4] & 63
	}
	return q[j+4]&0x0f | (q[j-4]>>6)<<4, q[j+4]>>4 | (q[j]>>6)<<4
}

func dequantQ2_K(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := (*[84]byte)(src[84*i:])
		y := dst[QK_K*i : QK_K*(i+1)]
		d, dmin := halfAt(b[80:]), halfAt(b[82:])
		is := 0
		for n := 0; n < 2; n++ {
			q := (*[32]byte)(b[16+32*n:])
			for shift := uint(0); shift < 8; shift += 2 {
				for half := 0; half < 2; half++ {
					sc := b[is]
					is++
					dl, ml := d*float32(sc&0x0f), float32(dmin*float32(sc>>4))
					for l := 0; l < 16; l++ {
						y[l] = float32(dl*float32((q[16*half+l]>>shift)&3)) - ml
					}
					y = y[16:]
				}
			}
		}
	}
}

// q3Scales unpacks the 16 signed 6-bit scales of a Q3_K block (already minus 32).
func q3Scales(s *[12]byte) (out [16]int32) {
	for j := 0; j < 16; j++ {
		lo := s[j%8] & 0x0f
		if j >= 8 {
			lo = s[j-8] >> 4
		}
		hi := (s[8+j%4] >> (2 * (j / 4))) & 3
		out[j] = int32(lo|hi<<4) - 32
	}
	return out
}

func dequantQ3_K(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := (*[110]byte)(src[110*i:])
		y := dst[QK_K*i : QK_K*(i+1)]
		d := halfAt(b[108:])
		hm := (*[32]byte)(b[0:])
		scales := q3Scales((*[12]byte)(b[96:]))
		is, m := 0, uint8(1)
		for n := 0; n < 2; n++ {
			q := (*[32]byte)(b[32+32*n:])
			for shift := uint(0); shift < 8; shift += 2 {
				for half := 0; half < 2; half++ {
					dl := d * float32(scales[is])
					is++
					for l := 0; l < 16; l++ {
						v := int32((q[16*half+l] >> shift) & 3)
						if hm[16*half+l]&m == 0 {
							v -= 4
						}
						y[l] = dl * float32(v)
					}
					y = y[16:]
				}
				m <<= 1
			}
		}
	}
}

func dequantQ4_K(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := (*[144]byte)(src[144*i:])
		y := (*[QK_K]float32)(dst[QK_K*i:])
		d, dmin := halfAt(b[0:]), halfAt(b[2:])
		scales := (*[12]byte)(b[4:])
		for g := 0; g < 4; g++ {
			q := (*[32]byte)(b[16+32*g:])
			sc, m := scaleMinK4(2*g, scales)
			d1, m1 := d*float32(sc), float32(dmin*float32(m))
			sc, m = scaleMinK4(2*g+1, scales)
			d2, m2 := d*float32(sc), float32(dmin*float32(m))
			out := (*[64]float32)(y[64*g:])
			for l := 0; l < 32; l++ {
				out[l] = float32(d1*float32(q[l]&0x0f)) - m1
				out[l+32] = float32(d2*float32(q[l]>>4)) - m2
			}
		}
	}
}

func dequantQ5_K(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := (*[176]byte)(src[176*i:])
		y := (*[QK_K]float32)(dst[QK_K*i:])
		d, dmin := halfAt(b[0:]), halfAt(b[2:])
		scales := (*[12]byte)(b[4:])
		qh := (*[32]byte)(b[16:])
		for g := 0; g < 4; g++ {
			ql := (*[32]byte)(b[48+32*g:])
			sc, m := scaleMinK4(2*g, scales)
			d1, m1 := d*float32(sc), float32(dmin*float32(m))
			sc, m = scaleMinK4(2*g+1, scales)
			d2, m2 := d*float32(sc), float32(dmin*float32(m))
			out := (*[64]float32)(y[64*g:])
			// Bit 2g of qh[l] is the fifth bit of the low nibble, bit 2g+1 of the high one.
			for l := 0; l < 32; l++ {
				h := qh[l] >> (2 * g)
				lo := ql[l]&0x0f | (h&1)<<4
				hi := ql[l]>>4 | (h&2)<<3
				out[l] = float32(d1*float32(lo)) - m1
				out[l+32] = float32(d2*float32(hi)) - m2
			}
		}
	}
}

func dequantQ6_K(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := (*[210]byte)(src[210*i:])
		y := (*[QK_K]float32)(dst[QK_K*i:])
		d := halfAt(b[208:])
		for n := 0; n < 2; n++ {
			ql := (*[64]byte)(b[64*n:])
			qh := (*[32]byte)(b[128+32*n:])
			sc := (*[8]byte)(b[192+8*n:])
			out := (*[128]float32)(y[128*n:])
			for l := 0; l < 32; l++ {
				is := l / 16
				h := qh[l]
				q1 := int32(ql[l]&0x0f|(h&3)<<4) - 32
				q2 := int32(ql[l+32]&0x0f|(h>>2&3)<<4) - 32
				q3 := int32(ql[l]>>4|(h>>4&3)<<4) - 32
				q4 := int32(ql[l+32]>>4|(h>>6&3)<<4) - 32
				out[l] = d * float32(int8(sc[is])) * float32(q1)
				out[l+32] = d * float32(int8(sc[is+2])) * float32(q2)
				out[l+64] = d * float32(int8(sc[is+4])) * float32(q3)
				out[l+96] = d * float32(int8(sc[is+6])) * float32(q4)
			}
		}
	}
}

func dequantQ8_K(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := (*[292]byte)(src[292*i:])
		y := (*[QK_K]float32)(dst[QK_K*i:])
		d := math.Float32frombits(binary.LittleEndian.Uint32(b[0:]))
		for j := 0; j < QK_K; j++ {
			y[j] = d * float32(int8(b[4+j]))
		}
	}
}
