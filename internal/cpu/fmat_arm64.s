//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"

// Matrix-vector kernels over float weights (F32, F16, BF16) and one float32 activation
// row, NEON: out[r] = W[r]·x over n columns (a positive multiple of 4) of each row; the
// Go wrappers add the rest. Weights are widened to float32 in registers: F16 with FCVTL,
// BF16 by interleaving zero low halves (ZIP with V31 = 0).
//
// Registers: R0 weight row, R1 row stride, R3 out, R4 rows left; per row R6 weights,
// R7 x, R8 columns left; V16-V19 accumulators.

// Weight loaders: 16 (or 4) elements from R6 into V0-V3 (or V0) as float32.
#define LOAD16_F32 VLD1.P 64(R6), [V0.S4, V1.S4, V2.S4, V3.S4]
#define LOAD4_F32 VLD1.P 16(R6), [V0.S4]

#define LOAD16_F16 \
	VLD1.P 32(R6), [V8.H8, V9.H8]; \
	FCVTL4S(0, 8); \
	FCVTL24S(1, 8); \
	FCVTL4S(2, 9); \
	FCVTL24S(3, 9)

#define LOAD4_F16 \
	VLD1.P 8(R6), [V8.H4]; \
	FCVTL4S(0, 8)

#define LOAD16_BF16 \
	VLD1.P 32(R6), [V8.H8, V9.H8]; \
	VZIP1  V8.H8, V31.H8, V0.H8; \
	VZIP2  V8.H8, V31.H8, V1.H8; \
	VZIP1  V9.H8, V31.H8, V2.H8; \
	VZIP2  V9.H8, V31.H8, V3.H8

#define LOAD4_BF16 \
	VLD1.P 8(R6), [V8.H4]; \
	VZIP1  V8.H8, V31.H8, V0.H8

#define MV_PROLOGUE \
	MOVD w+0(FP), R0; \
	MOVD stride+8(FP), R1; \
	MOVD out+24(FP), R3; \
	MOVD rows+32(FP), R4; \
	VEOR V31.B16, V31.B16, V31.B16

#define MV_ROW_START \
	MOVD R0, R6; \
	MOVD x+16(FP), R7; \
	MOVD n+40(FP), R8; \
	VEOR V16.B16, V16.B16, V16.B16; \
	VEOR V17.B16, V17.B16, V17.B16; \
	VEOR V18.B16, V18.B16, V18.B16; \
	VEOR V19.B16, V19.B16, V19.B16

#define MV_STEP16(LOAD16) \
	LOAD16; \
	VLD1.P 64(R7), [V4.S4, V5.S4, V6.S4, V7.S4]; \
	VFMLA  V0.S4, V4.S4, V16.S4; \
	VFMLA  V1.S4, V5.S4, V17.S4; \
	VFMLA  V2.S4, V6.S4, V18.S4; \
	VFMLA  V3.S4, V7.S4, V19.S4; \
	SUB    $16, R8

#define MV_STEP4(LOAD4) \
	LOAD4; \
	VLD1.P 16(R7), [V4.S4]; \
	VFMLA  V0.S4, V4.S4, V16.S4; \
	SUB    $4, R8

#define MV_ROW_END \
	FADD4S(16, 16, 17); \
	FADD4S(18, 18, 19); \
	FADD4S(16, 16, 18); \
	FADDP4S(16, 16, 16); \
	FADDP2S(16, 16); \
	FMOVS.P F16, 4(R3); \
	ADD     R1, R0

// func mvF32NEON(w *byte, stride int, x *float32, out *float32, rows, n int)
TEXT ·mvF32NEON(SB), NOSPLIT, $0-48
	MV_PROLOGUE

f32row:
	MV_ROW_START

f32loop16:
	CMP $16, R8
	BLT f32loop4
	MV_STEP16(LOAD16_F32)
	B   f32loop16

f32loop4:
	CBZ R8, f32rowend
	MV_STEP4(LOAD4_F32)
	B   f32loop4

f32rowend:
	MV_ROW_END
	SUBS $1, R4
	BNE  f32row
	RET

// func mvF16NEON(w *byte, stride int, x *float32, out *float32, rows, n int)
TEXT ·mvF16NEON(SB), NOSPLIT, $0-48
	MV_PROLOGUE

f16row:
	MV_ROW_START

f16loop16:
	CMP $16, R8
	BLT f16loop4
	MV_STEP16(LOAD16_F16)
	B   f16loop16

f16loop4:
	CBZ R8, f16rowend
	MV_STEP4(LOAD4_F16)
	B   f16loop4

f16rowend:
	MV_ROW_END
	SUBS $1, R4
	BNE  f16row
	RET

// func mvBF16NEON(w *byte, stride int, x *float32, out *float32, rows, n int)
TEXT ·mvBF16NEON(SB), NOSPLIT, $0-48
	MV_PROLOGUE

bf16row:
	MV_ROW_START

bf16loop16:
	CMP $16, R8
	BLT bf16loop4
	MV_STEP16(LOAD16_BF16)
	B   bf16loop16

bf16loop4:
	CBZ R8, bf16rowend
	MV_STEP4(LOAD4_BF16)
	B   bf16loop4

bf16rowend:
	MV_ROW_END
	SUBS $1, R4
	BNE  bf16row
	RET
