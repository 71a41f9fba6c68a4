//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"

// Q4_K and Q6_K weights against Q8_K activations (256 int8 values, one float32 scale
// and 16 sums of 16 values per super-block), NEON, one token. Per super-block, the
// integer dot product of every sub-block (32 values for Q4_K, 16 for Q6_K) is reduced
// into int32 lanes, multiplied by the sub-block scales in vector registers and summed;
// the super-block's float scales are applied once, into a float accumulator.
//
// Q4_K block: f16 d, f16 dmin, 12 bytes of packed six-bit scales and mins (8 each),
// 128 bytes of nibbles; bytes 32j..32j+31 hold elements 64j..64j+31 in their low
// nibbles and 64j+32..64j+63 in their high ones. Value = d*sc*q - dmin*m, so the mins
// meet the activations' 16-value sums instead of the values.
// Q6_K block: 128 bytes low nibbles (ql), 64 bytes high bit pairs (qh), 16 int8 scales,
// f16 d; each half of 128 elements reads 64 ql, 32 qh and 8 scales, and element l of
// quarter k (32 values each) is (ql nibble | qh bits 2k..2k+1 << 4) - 32.
//
// Registers: R0 weights (rows follow each other), R1 x values, R2 x scales, R8 x sums,
// R3 out, R4 rows left, R5 blocks left; F28 the row's float accumulator; V16-V23
// sub-block integer sums; V29 = 0x0f, V30 = 0x30, V31 = 32 bytes; R12-R14 the masks
// 0x3f, 0x0f, 0x30 in every byte for unpacking the Q4_K scales.

// Q4K_HEAD reads a Q4_K block's header: d, dmin into R6, R7; the eight scales as int32
// into V26 (0-3) and V27 (4-7); the mins times the activations' pair sums, summed, into
// lane 0 of V12 (int32).
#define Q4K_HEAD \
	MOVHU  (R0), R6; \
	MOVHU  2(R0), R7; \
	MOVWU  4(R0), R9; \
	MOVWU  8(R0), R10; \
	MOVWU  12(R0), R11; \
	ADD    $16, R0; \
	AND    R12, R9, R15; \
	AND    R13, R11, R19; \
	LSR    $2, R9, R22; \
	AND    R14, R22, R22; \
	ORR    R22, R19, R19; \
	AND    R12, R10, R20; \
	LSR    $4, R11, R21; \
	AND    R13, R21, R21; \
	LSR    $2, R10, R23; \
	AND    R14, R23, R23; \
	ORR    R23, R21, R21; \
	ORR    R19<<32, R15, R15; \
	ORR    R21<<32, R20, R20; \
	FMOVD  R15, F24; \
	FMOVD  R20, F25; \
	UXTL8H(24, 24); \
	UXTL4S(26, 24); \
	UXTL24S(27, 24); \
	UXTL8H(25, 25); \
	VLD1.P 32(R8), [V0.H8, V1.H8]; \
	ADDP8H(0, 0, 1); \
	SMULL4S(12, 0, 25); \
	SMLAL24S(12, 0, 25); \
	VADDV  V12.S4, V12

// Q4K_SUB: the next 32 weight bytes against the next 64 x values; low nibbles into lo,
// high nibbles into hi (V8-V11 scratch).
#define Q4K_SUB(lo, hi, IDOT) \
	VLD1.P 32(R0), [V0.B16, V1.B16]; \
	VAND   V29.B16, V0.B16, V2.B16; \
	VAND   V29.B16, V1.B16, V3.B16; \
	VUSHR  $4, V0.B16, V0.B16; \
	VUSHR  $4, V1.B16, V1.B16; \
	VLD1.P 64(R1), [V4.B16, V5.B16, V6.B16, V7.B16]; \
	IDOT(lo, 2, 3, 4, 5, 8, 9, 10, 11); \
	IDOT(hi, 0, 1, 6, 7, 8, 9, 10, 11)

// Q4K_TAIL: sumi = sum of scale * sub-block sum; acc += xd * (d*sumi - dmin*summ).
#define Q4K_TAIL \
	ADDP4S(16, 16, 17); \
	ADDP4S(18, 18, 19); \
	ADDP4S(20, 20, 21); \
	ADDP4S(22, 22, 23); \
	ADDP4S(16, 16, 18); \
	ADDP4S(20, 20, 22); \
	MUL4S(16, 16, 26); \
	MLA4S(16, 20, 27); \
	VADDV   V16.S4, V16; \
	SCVTF4S(16, 16); \
	SCVTF4S(12, 12); \
	FMOVS   R6, F14; \
	FCVTSH(14, 14); \
	FMOVS   R7, F15; \
	FCVTSH(15, 15); \
	FMOVS.P 4(R2), F30; \
	FMULS   F14, F16, F16; \
	FMULS   F15, F12, F12; \
	FSUBS   F12, F16, F16; \
	FMULS   F30, F16, F16; \
	FADDS   F16, F28, F28

#define Q4K_BLOCK(IDOT) \
	Q4K_HEAD; \
	Q4K_SUB(16, 17, IDOT); \
	Q4K_SUB(18, 19, IDOT); \
	Q4K_SUB(20, 21, IDOT); \
	Q4K_SUB(22, 23, IDOT); \
	Q4K_TAIL

// Q6K_DOT: V8, V9 hold 32 low nibbles and V12, V13 their high bits at bits 4-5; the
// six-bit values minus 32 against the next 32 x values, 16 each into acc0, acc1.
#define Q6K_DOT(acc0, acc1, IDOT16) \
	VORR   V12.B16, V8.B16, V8.B16; \
	VORR   V13.B16, V9.B16, V9.B16; \
	VSUB   V31.B16, V8.B16, V8.B16; \
	VSUB   V31.B16, V9.B16, V9.B16; \
	VLD1.P 32(R1), [V10.B16, V11.B16]; \
	IDOT16(acc0, 8, 10, 24, 25); \
	IDOT16(acc1, 9, 11, 26, 27)

// Q6K_HALF: one half block (ql from R0, qh from R9) into the 8 group sums V16-V23,
// pairwise added so V16, V18, V20, V22 hold groups (0,1), (2,3), (4,5), (6,7).
#define Q6K_HALF(IDOT16) \
	VLD1.P 64(R0), [V0.B16, V1.B16, V2.B16, V3.B16]; \
	VLD1.P 32(R9), [V4.B16, V5.B16]; \
	VAND   V29.B16, V0.B16, V8.B16; \
	VAND   V29.B16, V1.B16, V9.B16; \
	VSHL   $4, V4.B16, V12.B16; \
	VSHL   $4, V5.B16, V13.B16; \
	VAND   V30.B16, V12.B16, V12.B16; \
	VAND   V30.B16, V13.B16, V13.B16; \
	Q6K_DOT(16, 17, IDOT16); \
	VAND   V29.B16, V2.B16, V8.B16; \
	VAND   V29.B16, V3.B16, V9.B16; \
	VSHL   $2, V4.B16, V12.B16; \
	VSHL   $2, V5.B16, V13.B16; \
	VAND   V30.B16, V12.B16, V12.B16; \
	VAND   V30.B16, V13.B16, V13.B16; \
	Q6K_DOT(18, 19, IDOT16); \
	VUSHR  $4, V0.B16, V8.B16; \
	VUSHR  $4, V1.B16, V9.B16; \
	VAND   V30.B16, V4.B16, V12.B16; \
	VAND   V30.B16, V5.B16, V13.B16; \
	Q6K_DOT(20, 21, IDOT16); \
	VUSHR  $4, V2.B16, V8.B16; \
	VUSHR  $4, V3.B16, V9.B16; \
	VUSHR  $2, V4.B16, V12.B16; \
	VUSHR  $2, V5.B16, V13.B16; \
	VAND   V30.B16, V12.B16, V12.B16; \
	VAND   V30.B16, V13.B16, V13.B16; \
	Q6K_DOT(22, 23, IDOT16); \
	ADDP4S(16, 16, 17); \
	ADDP4S(18, 18, 19); \
	ADDP4S(20, 20, 21); \
	ADDP4S(22, 22, 23)

// Q6K_BLOCK: group sums of the first half into V14, V15 and of the second into V16,
// V20; times the 16 scales (widened to int32 in V0-V3), summed; acc += xd * d * sumi.
#define Q6K_BLOCK(IDOT16) \
	ADD     $128, R0, R9; \
	Q6K_HALF(IDOT16); \
	ADDP4S(14, 16, 18); \
	ADDP4S(15, 20, 22); \
	Q6K_HALF(IDOT16); \
	ADDP4S(16, 16, 18); \
	ADDP4S(20, 20, 22); \
	VLD1.P  16(R9), [V6.B16]; \
	MOVHU   (R9), R6; \
	ADD     $2, R9, R0; \
	SXTL8H(7, 6); \
	SXTL28H(6, 6); \
	SXTL4S(0, 7); \
	SXTL24S(1, 7); \
	SXTL4S(2, 6); \
	SXTL24S(3, 6); \
	MUL4S(14, 14, 0); \
	MLA4S(14, 15, 1); \
	MLA4S(14, 16, 2); \
	MLA4S(14, 20, 3); \
	VADDV   V14.S4, V14; \
	SCVTF4S(14, 14); \
	FMOVS   R6, F12; \
	FCVTSH(12, 12); \
	FMOVS.P 4(R2), F13; \
	FMULS   F13, F12, F12; \
	FMULS   F12, F14, F14; \
	FADDS   F14, F28, F28

#define MV_QK_PROLOGUE \
	MOVD  w+0(FP), R0; \
	MOVD  out+32(FP), R3; \
	MOVD  rows+40(FP), R4; \
	VMOVI $15, V29.B16; \
	VMOVI $48, V30.B16; \
	VMOVI $32, V31.B16; \
	MOVD  $0x3f3f3f3f, R12; \
	MOVD  $0x0f0f0f0f, R13; \
	MOVD  $0x30303030, R14

#define MV_QK_ROW_START \
	MOVD xq+8(FP), R1; \
	MOVD xd+16(FP), R2; \
	MOVD bsums+24(FP), R8; \
	MOVD nb+48(FP), R5; \
	MOVI0(28)

// func mvQ4KSDOT(w *byte, xq *int8, xd *float32, bsums *int16, out *float32, rows, nb int)
TEXT ·mvQ4KSDOT(SB), NOSPLIT, $0-56
	MV_QK_PROLOGUE

q4kdrow:
	MV_QK_ROW_START

q4kdblock:
	Q4K_BLOCK(IDOT_SDOT)
	SUBS    $1, R5
	BNE     q4kdblock
	FMOVS.P F28, 4(R3)
	SUBS    $1, R4
	BNE     q4kdrow
	RET

// func mvQ4KNEON(w *byte, xq *int8, xd *float32, bsums *int16, out *float32, rows, nb int)
TEXT ·mvQ4KNEON(SB), NOSPLIT, $0-56
	MV_QK_PROLOGUE

q4krow:
	MV_QK_ROW_START

q4kblock:
	Q4K_BLOCK(IDOT_SMULL)
	SUBS    $1, R5
	BNE     q4kblock
	FMOVS.P F28, 4(R3)
	SUBS    $1, R4
	BNE     q4krow
	RET

// func mvQ6KSDOT(w *byte, xq *int8, xd *float32, bsums *int16, out *float32, rows, nb int)
TEXT ·mvQ6KSDOT(SB), NOSPLIT, $0-56
	MV_QK_PROLOGUE

q6kdrow:
	MV_QK_ROW_START

q6kdblock:
	Q6K_BLOCK(IDOT16_SDOT)
	SUBS    $1, R5
	BNE     q6kdblock
	FMOVS.P F28, 4(R3)
	SUBS    $1, R4
	BNE     q6kdrow
	RET

// func mvQ6KNEON(w *byte, xq *int8, xd *float32, bsums *int16, out *float32, rows, nb int)
TEXT ·mvQ6KNEON(SB), NOSPLIT, $0-56
	MV_QK_PROLOGUE

q6krow:
	MV_QK_ROW_START

q6kblock:
	Q6K_BLOCK(IDOT16_SMULL)
	SUBS    $1, R5
	BNE     q6kblock
	FMOVS.P F28, 4(R3)
	SUBS    $1, R4
	BNE     q6krow
	RET
