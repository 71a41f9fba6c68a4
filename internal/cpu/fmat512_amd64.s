//go:build amd64 && !purego

#include "textflag.h"

// Float weights (F32, F16, BF16) against float32 activations with AVX-512: a tile of four
// weight rows by six tokens keeps 24 sums in Z0..Z23, so each weight vector is loaded (and
// converted) once for six tokens and each activation vector once for four rows. The
// kernels cover n columns (a positive multiple of 8) of groups*4 rows; the Go wrapper adds
// the rest. Token t's sums for rows 0..3 are Z(4t)..Z(4t+3).
//
// Registers: SI row 0 of the group (R9 = row stride, R8 = 3*stride), DI token 0
// (R12 = token stride, R13 = 3*, R14 = 5*), Z24..Z27 weights, Z28 activations,
// R10 output of token 0, R15 output token stride.

#define WF32(a, r) VMOVUPS a, r
#define WF16(a, r) VCVTPH2PS a, r
#define WBF16(a, r) VPMOVZXWD a, r; VPSLLD $16, r, r

#define WF32Y(a, r) VMOVUPS a, r
#define WF16Y(a, r) VCVTPH2PS a, r
#define WBF16Y(a, r) VPMOVZXWD a, r; VPSLLD $16, r, r

#define FMA4(acc0, acc1, acc2, acc3) \
	VFMADD231PS Z28, Z24, acc0; \
	VFMADD231PS Z28, Z25, acc1; \
	VFMADD231PS Z28, Z26, acc2; \
	VFMADD231PS Z28, Z27, acc3

// STEP16 adds 16 columns; STEP8 the last 8 (the ymm loads zero the upper lanes).
#define STEP16(LOAD, WSTEP) \
	LOAD((SI), Z24); \
	LOAD((SI)(R9*1), Z25); \
	LOAD((SI)(R9*2), Z26); \
	LOAD((SI)(R8*1), Z27); \
	VMOVUPS (DI), Z28; \
	FMA4(Z0, Z1, Z2, Z3); \
	VMOVUPS (DI)(R12*1), Z28; \
	FMA4(Z4, Z5, Z6, Z7); \
	VMOVUPS (DI)(R12*2), Z28; \
	FMA4(Z8, Z9, Z10, Z11); \
	VMOVUPS (DI)(R13*1), Z28; \
	FMA4(Z12, Z13, Z14, Z15); \
	VMOVUPS (DI)(R12*4), Z28; \
	FMA4(Z16, Z17, Z18, Z19); \
	VMOVUPS (DI)(R14*1), Z28; \
	FMA4(Z20, Z21, Z22, Z23); \
	ADDQ    $WSTEP, SI; \
	ADDQ    $64, DI; \
	SUBQ    $16, CX

#define STEP8(LOAD, WSTEP) \
	LOAD((SI), Y24); \
	LOAD((SI)(R9*1), Y25); \
	LOAD((SI)(R9*2), Y26); \
	LOAD((SI)(R8*1), Y27); \
	VMOVUPS (DI), Y28; \
	FMA4(Z0, Z1, Z2, Z3); \
	VMOVUPS (DI)(R12*1), Y28; \
	FMA4(Z4, Z5, Z6, Z7); \
	VMOVUPS (DI)(R12*2), Y28; \
	FMA4(Z8, Z9, Z10, Z11); \
	VMOVUPS (DI)(R13*1), Y28; \
	FMA4(Z12, Z13, Z14, Z15); \
	VMOVUPS (DI)(R12*4), Y28; \
	FMA4(Z16, Z17, Z18, Z19); \
	VMOVUPS (DI)(R14*1), Y28; \
	FMA4(Z20, Z21, Z22, Z23)

// RED4 sums each of Z(a..d) (registers below 16) into Xa = [a, b, c, d] and stores it at
// (AX), then moves AX to the next token's output.
#define HALVE(z, y) \
	VEXTRACTF64X4 $1, z, Y24; \
	VADDPS        Y24, y, y

#define RED4(za, ya, xa, zb, yb, zc, yc, zd, yd) \
	HALVE(za, ya); \
	HALVE(zb, yb); \
	HALVE(zc, yc); \
	HALVE(zd, yd); \
	VHADDPS        yb, ya, ya; \
	VHADDPS        yd, yc, yc; \
	VHADDPS        yc, ya, ya; \
	VEXTRACTF32X4  $1, ya, X24; \
	VADDPS         X24, xa, xa; \
	VMOVUPS        xa, (AX); \
	ADDQ           R15, AX

#define ZERO24 \
	VPXORD Z0, Z0, Z0; VPXORD Z1, Z1, Z1; VPXORD Z2, Z2, Z2; VPXORD Z3, Z3, Z3; \
	VPXORD Z4, Z4, Z4; VPXORD Z5, Z5, Z5; VPXORD Z6, Z6, Z6; VPXORD Z7, Z7, Z7; \
	VPXORD Z8, Z8, Z8; VPXORD Z9, Z9, Z9; VPXORD Z10, Z10, Z10; VPXORD Z11, Z11, Z11; \
	VPXORD Z12, Z12, Z12; VPXORD Z13, Z13, Z13; VPXORD Z14, Z14, Z14; VPXORD Z15, Z15, Z15; \
	VPXORD Z16, Z16, Z16; VPXORD Z17, Z17, Z17; VPXORD Z18, Z18, Z18; VPXORD Z19, Z19, Z19; \
	VPXORD Z20, Z20, Z20; VPXORD Z21, Z21, Z21; VPXORD Z22, Z22, Z22; VPXORD Z23, Z23, Z23

#define STORE_TILE \
	MOVQ      R10, AX; \
	RED4(Z0, Y0, X0, Z1, Y1, Z2, Y2, Z3, Y3); \
	RED4(Z4, Y4, X4, Z5, Y5, Z6, Y6, Z7, Y7); \
	RED4(Z8, Y8, X8, Z9, Y9, Z10, Y10, Z11, Y11); \
	RED4(Z12, Y12, X12, Z13, Y13, Z14, Y14, Z15, Y15); \
	VMOVAPS   Z16, Z0; VMOVAPS Z17, Z1; VMOVAPS Z18, Z2; VMOVAPS Z19, Z3; \
	RED4(Z0, Y0, X0, Z1, Y1, Z2, Y2, Z3, Y3); \
	VMOVAPS   Z20, Z0; VMOVAPS Z21, Z1; VMOVAPS Z22, Z2; VMOVAPS Z23, Z3; \
	RED4(Z0, Y0, X0, Z1, Y1, Z2, Y2, Z3, Y3); \
	ADDQ      $16, R10

#define MM46_START \
	MOVQ w+0(FP), DX; \
	MOVQ stride+8(FP), R9; \
	LEAQ (R9)(R9*2), R8; \
	MOVQ ldx+24(FP), R12; \
	SHLQ $2, R12; \
	LEAQ (R12)(R12*2), R13; \
	LEAQ (R12)(R12*4), R14; \
	MOVQ out+32(FP), R10; \
	MOVQ ldo+40(FP), R15; \
	SHLQ $2, R15; \
	MOVQ groups+48(FP), R11

#define MM46_GROUP_START \
	MOVQ DX, SI; \
	MOVQ x+16(FP), DI; \
	MOVQ n+56(FP), CX; \
	ZERO24

#define MM46_BODY(LOAD, LOADY, WSTEP) \
group: \
	MM46_GROUP_START; \
loop16: \
	CMPQ CX, $16; \
	JL   tail8; \
	STEP16(LOAD, WSTEP); \
	JMP  loop16; \
tail8: \
	TESTQ CX, CX; \
	JZ    done; \
	STEP8(LOADY, WSTEP); \
done: \
	STORE_TILE; \
	LEAQ (DX)(R9*4), DX; \
	DECQ R11; \
	JNZ  group; \
	VZEROUPPER; \
	RET

// func mmF32x4x6AVX512(w *byte, stride int, x *float32, ldx int, out *float32, ldo int, groups, n int)
TEXT ·mmF32x4x6AVX512(SB), NOSPLIT, $0-64
	MM46_START
	MM46_BODY(WF32, WF32Y, 64)

// func mmF16x4x6AVX512(w *byte, stride int, x *float32, ldx int, out *float32, ldo int, groups, n int)
TEXT ·mmF16x4x6AVX512(SB), NOSPLIT, $0-64
	MM46_START
	MM46_BODY(WF16, WF16Y, 32)

// func mmBF16x4x6AVX512(w *byte, stride int, x *float32, ldx int, out *float32, ldo int, groups, n int)
TEXT ·mmBF16x4x6AVX512(SB), NOSPLIT, $0-64
	MM46_START
	MM46_BODY(WBF16, WBF16Y, 32)
