package quant

import "encoding/binary"

// The 32-element block formats (ggml-common.h):
//
//	Q4_0 (18 bytes): d f16 | qs[16]          x = (nibble - 8) * d
//	Q4_1 (20 bytes): d f16, m f16 | qs[16]   x = nibble * d + m
//	Q5_0 (22 bytes): d f16 | qh u32 | qs[16] x = (nibble | bit<<4 - 16) * d
//	Q5_1 (24 bytes): d, m f16 | qh u32 | qs[16]
//	Q8_0 (34 bytes): d f16 | qs[32] int8     x = q * d
//
// Byte j of qs holds element j in its low nibble and element j+16 in its high nibble; bit j
// of qh is the fifth bit of element j. Each product is rounded to float32 before the add
// (explicit conversions), as ggml's C evaluates it, so no fused multiply-add changes bits.

const qk = 32

func dequantQ4_0(src []byte, dst []float32) {
	for i := 0; i < len(dst)/qk; i++ {
		b := (*[18]byte)(src[18*i:])
		y := (*[qk]float32)(dst[qk*i:])
		d := halfAt(b[0:])
		for j := 0; j < 16; j++ {
			q := b[2+j]
			y[j] = float32(int32(q&0x0f)-8) * d
			y[j+16] = float32(int32(q>>4)-8) * d
		}
	}
}

func dequantQ4_1(src []byte, dst []float32) {
	for i := 0; i < len(dst)/qk; i++ {
		b := (*[20]byte)(src[20*i:])
		y := (*[qk]float32)(dst[qk*i:])
		d, m := halfAt(b[0:]), halfAt(b[2:])
		for j := 0; j < 16; j++ {
			q := b[4+j]
			y[j] = float32(float32(q&0x0f)*d) + m
			y[j+16] = float32(float32(q>>4)*d) + m
		}
	}
}

func dequantQ5_0(src []byte, dst []float32) {
	for i := 0; i < len(dst)/qk; i++ {
		b := (*[22]byte)(src[22*i:])
		y := (*[qk]float32)(dst[qk*i:])
		d := halfAt(b[0:])
		qh := binary.LittleEndian.Uint32(b[2:])
		for j := 0; j < 16; j++ {
			q := b[6+j]
			h0 := (qh >> j << 4) & 0x10
			h1 := (qh >> (j + 12)) & 0x10
			y[j] = float32(int32(uint32(q&0x0f)|h0)-16) * d
			y[j+16] = float32(int32(uint32(q>>4)|h1)-16) * d
		}
	}
}

func dequantQ5_1(src []byte, dst []float32) {
	for i := 0; i < len(dst)/qk; i++ {
		b := (*[24]byte)(src[24*i:])
		y := (*[qk]float32)(dst[qk*i:])
		d, m := halfAt(b[0:]), halfAt(b[2:])
		qh := binary.LittleEndian.Uint32(b[4:])
		for j := 0; j < 16; j++ {
			q := b[8+j]
			h0 := (qh >> j << 4) & 0x10
			h1 := (qh >> (j + 12)) & 0x10
			y[j] = float32(float32(uint32(q&0x0f)|h0)*d) + m
			y[j+16] = float32(float32(uint32(q>>4)|h1)*d) + m
		}
	}
}

func dequantQ8_0(src []byte, dst []float32) {
	for i := 0; i < len(dst)/qk; i++ {
		b := (*[34]byte)(src[34*i:])
		y := (*[qk]float32)(dst[qk*i:])
		d := halfAt(b[0:])
		for j := 0; j < qk; j++ {
			y[j] = float32(int8(b[2+j])) * d
		}
	}
}
