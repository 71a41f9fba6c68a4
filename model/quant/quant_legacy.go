package quant

import (
	"encoding/binary"
	"math"
)

// The 32-element quantisers follow ggml's quantize_row_*_ref step by step, in float32, so
// the bytes are identical: the same scale (rounded to f16 only when stored), the same
// reciprocal, the same truncating conversions.

// absMax returns the element of x with the largest magnitude (the first one on ties), as
// the Q4_0/Q5_0 reference scans it.
func absMax(x []float32) (amax, vmax float32) {
	for _, v := range x {
		if a := abs32(v); amax < a {
			amax, vmax = a, v
		}
	}
	return amax, vmax
}

// minMax returns the smallest and largest element, starting from ±FLT_MAX as ggml does.
func minMax(x []float32) (lo, hi float32) {
	lo, hi = math.MaxFloat32, -math.MaxFloat32
	for _, v := range x {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi
}

func abs32(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }

// inverse is ggml's `id = d ? 1.0f/d : 0.0f`.
func inverse(d float32) float32 {
	if d != 0 {
		return 1 / d
	}
	return 0
}

func quantQ4_0(src []float32, dst []byte) {
	for i := 0; i < len(src)/qk; i++ {
		x := (*[qk]float32)(src[qk*i:])
		b := (*[18]byte)(dst[18*i:])
		_, vmax := absMax(x[:])
		d := vmax / -8
		id := inverse(d)
		putHalf(b[0:], d)
		for j := 0; j < 16; j++ {
			// C converts x0 + 8.5f to int8_t by truncation, then takes MIN(15, .).
			xi0 := min(15, int32(float32(x[j]*id)+8.5))
			xi1 := min(15, int32(float32(x[j+16]*id)+8.5))
			b[2+j] = uint8(xi0) | uint8(xi1)<<4
		}
	}
}

func quantQ4_1(src []float32, dst []byte) {
	for i := 0; i < len(src)/qk; i++ {
		x := (*[qk]float32)(src[qk*i:])
		b := (*[20]byte)(dst[20*i:])
		lo, hi := minMax(x[:])
		d := (hi - lo) / 15
		id := inverse(d)
		putHalf(b[0:], d)
		putHalf(b[2:], lo)
		for j := 0; j < 16; j++ {
			xi0 := min(15, int32(float32((x[j]-lo)*id)+0.5))
			xi1 := min(15, int32(float32((x[j+16]-lo)*id)+0.5))
			b[4+j] = uint8(xi0) | uint8(xi1)<<4
		}
	}
}

func quantQ5_0(src []float32, dst []byte) {
	for i := 0; i < len(src)/qk; i++ {
		x := (*[qk]float32)(src[qk*i:])
		b := (*[22]byte)(dst[22*i:])
		_, vmax := absMax(x[:])
		d := vmax / -16
		id := inverse(d)
		putHalf(b[0:], d)
		var qh uint32
		for j := 0; j < 16; j++ {
			xi0 := uint8(min(31, int32(float32(x[j]*id)+16.5)))
			xi1 := uint8(min(31, int32(float32(x[j+16]*id)+16.5)))
			b[6+j] = xi0&0x0f | (xi1&0x0f)<<4
			qh |= uint32(xi0&0x10) >> 4 << j
			qh |= uint32(xi1&0x10) >> 4 << (j + 16)
		}
		binary.LittleEndian.PutUint32(b[2:], qh)
	}
}

func quantQ5_1(src []float32, dst []byte) {
	for i := 0; i < len(src)/qk; i++ {
		x := (*[qk]float32)(src[qk*i:])
		b := (*[24]byte)(dst[24*i:])
		lo, hi := minMax(x[:])
		d := (hi - lo) / 31
		id := inverse(d)
		putHalf(b[0:], d)
		putHalf(b[2:], lo)
		var qh uint32
		for j := 0; j < 16; j++ {
			// No MIN here in ggml: the value is at most 31.5 before truncation.
			xi0 := uint8(int32(float32((x[j]-lo)*id) + 0.5))
			xi1 := uint8(int32(float32((x[j+16]-lo)*id) + 0.5))
			b[8+j] = xi0&0x0f | (xi1&0x0f)<<4
			qh |= uint32(xi0&0x10) >> 4 << j
			qh |= uint32(xi1&0x10) >> 4 << (j + 16)
		}
		binary.LittleEndian.PutUint32(b[4:], qh)
	}
}

// QuantizeQ8_0 quantises src (a multiple of 32 elements) into Q8_0 blocks in dst without
// checks, as quantize_row_q8_0_ref: d = amax/127, q = roundf(x/d) (half away from zero).
// It is the activation quantiser of the Q4_0/Q5_0/Q8_0 dot kernels.
func QuantizeQ8_0(src []float32, dst []byte) {
	for i := 0; i < len(src)/qk; i++ {
		x := (*[qk]float32)(src[qk*i:])
		b := (*[34]byte)(dst[34*i:])
		var amax float32
		for _, v := range x {
			if a := abs32(v); !(amax > a) { // C's MAX(amax, a)
				amax = a
			}
		}
		d := amax / 127
		id := inverse(d)
		putHalf(b[0:], d)
		for j, v := range x {
			b[2+j] = uint8(int8(math.Round(float64(v * id))))
		}
	}
}
