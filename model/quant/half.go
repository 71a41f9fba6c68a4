package quant

import "math"

// F16ToF32 converts an IEEE 754 binary16 value to float32 exactly. Subnormal halves become
// normal floats; a NaN keeps its sign and payload and comes back quiet, as the F16C
// instruction and ggml's scalar conversion both give.
func F16ToF32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f:
		if mant == 0 {
			return math.Float32frombits(sign | 0x7f800000)
		}
		return math.Float32frombits(sign | 0x7fc00000 | mant<<13)
	case exp == 0:
		if mant == 0 {
			return math.Float32frombits(sign)
		}
		// Subnormal: shift the leading one up to the implicit bit position.
		e := uint32(113)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (mant&0x3ff)<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
}

// F32ToF16 converts a float32 to binary16 with round-to-nearest-even, giving the same bits
// as ggml's GGML_FP32_TO_FP16 on F16C hardware (vcvtps2ph): values from 65520 up become
// infinity, tiny values round into subnormals or to a signed zero, and a NaN keeps its sign
// and the top of its payload with the quiet bit set. (ggml's portable scalar fallback agrees
// on every non-NaN input and on the default NaN.)
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant != 0 {
			return sign | 0x7e00 | uint16(mant>>13)
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15 // rebiased exponent
	if e >= 31 {
		return sign | 0x7c00
	}
	if e <= 0 {
		return sign | f16Subnormal(mant|0x800000, e)
	}
	h := uint32(e)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
		h++ // a carry into the exponent is the right answer, up to infinity
	}
	return sign | uint16(h)
}

// f16Subnormal rounds the 24-bit significand m (leading one included) of a float whose
// rebiased half exponent e is <= 0 to a count of 2^-24 units, nearest even.
func f16Subnormal(m uint32, e int32) uint16 {
	if e < -10 {
		return 0 // below half the smallest subnormal
	}
	shift := uint32(14 - e) // 14..24
	h := m >> shift
	rem := m & (1<<shift - 1)
	half := uint32(1) << (shift - 1)
	if rem > half || (rem == half && h&1 == 1) {
		h++ // may reach 0x400, the smallest normal: the encoding stays right
	}
	return uint16(h)
}

// BF16ToF32 converts a bfloat16 to float32 (exact: the bits are the top half of the float).
func BF16ToF32(b uint16) float32 {
	return math.Float32frombits(uint32(b) << 16)
}

// F32ToBF16 converts a float32 to bfloat16 as ggml_compute_fp32_to_bf16: round to nearest
// even (subnormals kept), NaN made quiet with its sign and top payload bits kept.
func F32ToBF16(f float32) uint16 {
	u := math.Float32bits(f)
	if u&0x7fffffff > 0x7f800000 {
		return uint16(u>>16) | 64
	}
	return uint16((u + 0x7fff + (u>>16)&1) >> 16)
}
