//go:build amd64 && !purego

#include "textflag.h"

// F32 weights in the interleaved layout of pack_f32.go (per group of sixteen rows, column
// by column, the sixteen rows' floats: 64 bytes, one cache line) against float32
// activations: the kernels of f16pack_avx512_amd64.s with plain loads in place of the
// conversion. A kernel takes two groups (32 rows) at a time: per column it loads the two
// weight vectors once and adds them, times the column's activation broadcast from memory,
// to every token's sums, so the sums of 32 rows stay in two registers per token and need
// no horizontal reduction. The second group is gstride bytes after the first (0 repeats
// the first); out holds each token's 32 sums contiguously, ldo floats apart.
//
// Registers: DX first group of the pair, R9 gstride, R11 pairs left, SI weights, DI token
// 0's activations and BX token 6's (R12 token stride, R13 3x, R14 5x), CX columns left,
// R10 the pair's output of token 0, R15 the output token stride, Z24/Z25 weights,
// Z26 the broadcast activation.

// TOK adds the column for one token: acc0 += x*w0, acc1 += x*w1.
#define TOK(addr, acc0, acc1) \
	VBROADCASTSS addr, Z26; \
	VFMADD231PS  Z26, Z24, acc0; \
	VFMADD231PS  Z26, Z25, acc1

// The weights are prefetched 3 KiB ahead, the same 48 columns as the F16 kernels: a
// chunk's first token tile streams them from memory.
#define WLOAD \
	PREFETCHT0 3072(SI); \
	PREFETCHT0 3072(SI)(R9*1); \
	VMOVUPS    (SI), Z24; \
	VMOVUPS    (SI)(R9*1), Z25

#define TOK4 \
	TOK((DI), Z0, Z1); \
	TOK((DI)(R12*1), Z2, Z3); \
	TOK((DI)(R12*2), Z4, Z5); \
	TOK((DI)(R13*1), Z6, Z7)

#define TOK8 \
	TOK4; \
	TOK((DI)(R12*4), Z8, Z9); \
	TOK((DI)(R14*1), Z10, Z11); \
	TOK((BX), Z12, Z13); \
	TOK((BX)(R12*1), Z14, Z15)

#define TOK12 \
	TOK8; \
	TOK((BX)(R12*2), Z16, Z17); \
	TOK((BX)(R13*1), Z18, Z19); \
	TOK((BX)(R12*4), Z20, Z21); \
	TOK((BX)(R14*1), Z22, Z23)

#define ZERO(a, b) VPXORD a, a, a; VPXORD b, b, b

#define ZERO4 ZERO(Z0, Z1); ZERO(Z2, Z3); ZERO(Z4, Z5); ZERO(Z6, Z7)
#define ZERO8 ZERO4; ZERO(Z8, Z9); ZERO(Z10, Z11); ZERO(Z12, Z13); ZERO(Z14, Z15)
#define ZERO12 ZERO8; ZERO(Z16, Z17); ZERO(Z18, Z19); ZERO(Z20, Z21); ZERO(Z22, Z23)

// PUT stores one token's 32 sums at AX and moves AX to the next token.
#define PUT(a, b) VMOVUPS a, (AX); VMOVUPS b, 64(AX); ADDQ R15, AX

#define PUT4 PUT(Z0, Z1); PUT(Z2, Z3); PUT(Z4, Z5); PUT(Z6, Z7)
#define PUT8 PUT4; PUT(Z8, Z9); PUT(Z10, Z11); PUT(Z12, Z13); PUT(Z14, Z15)
#define PUT12 PUT8; PUT(Z16, Z17); PUT(Z18, Z19); PUT(Z20, Z21); PUT(Z22, Z23)

#define MM_START \
	MOVQ w+0(FP), DX; \
	MOVQ gstride+8(FP), R9; \
	MOVQ ldx+24(FP), R12; \
	SHLQ $2, R12; \
	LEAQ (R12)(R12*2), R13; \
	LEAQ (R12)(R12*4), R14; \
	MOVQ out+32(FP), R10; \
	MOVQ ldo+40(FP), R15; \
	SHLQ $2, R15; \
	MOVQ pairs+48(FP), R11

// MM_BODY runs the pairs: zero the sums, one column per iteration, store.
#define MM_BODY(ZEROS, TOKS, PUTS) \
pair: \
	MOVQ DX, SI; \
	MOVQ x+16(FP), DI; \
	LEAQ (DI)(R12*2), BX; \
	LEAQ (BX)(R12*4), BX; \
	MOVQ n+56(FP), CX; \
	ZEROS; \
col: \
	WLOAD; \
	TOKS; \
	ADDQ $64, SI; \
	ADDQ $4, DI; \
	ADDQ $4, BX; \
	DECQ CX; \
	JNZ  col; \
	MOVQ R10, AX; \
	PUTS; \
	ADDQ $128, R10; \
	LEAQ (DX)(R9*2), DX; \
	DECQ R11; \
	JNZ  pair; \
	VZEROUPPER; \
	RET

// func mmF32x32T12AVX512(w *byte, gstride int, x *float32, ldx int, out *float32, ldo int, pairs, n int)
TEXT ·mmF32x32T12AVX512(SB), NOSPLIT, $0-64
	MM_START
	MM_BODY(ZERO12, TOK12, PUT12)

// func mmF32x32T8AVX512(w *byte, gstride int, x *float32, ldx int, out *float32, ldo int, pairs, n int)
TEXT ·mmF32x32T8AVX512(SB), NOSPLIT, $0-64
	MM_START
	MM_BODY(ZERO8, TOK8, PUT8)

// func mmF32x32T4AVX512(w *byte, gstride int, x *float32, ldx int, out *float32, ldo int, pairs, n int)
TEXT ·mmF32x32T4AVX512(SB), NOSPLIT, $0-64
	MM_START
	MM_BODY(ZERO4, TOK4, PUT4)

// One token (decode): four columns per iteration into separate sums (Z0..Z3 for the
// first group, Z4..Z7 for the second) so that eight FMA chains run at once, then the
// column tail one at a time. Each iteration reads four cache lines per group; all are
// prefetched 2 KiB ahead.
#define MV4(off, a, b, wa, wb, xr) \
	VBROADCASTSS off(DI), xr; \
	VMOVUPS      (off*16)(SI), wa; \
	VMOVUPS      (off*16)(SI)(R9*1), wb; \
	VFMADD231PS  xr, wa, a; \
	VFMADD231PS  xr, wb, b

// func mvF32x32AVX512(w *byte, gstride int, x *float32, out *float32, pairs, n int)
TEXT ·mvF32x32AVX512(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), DX
	MOVQ gstride+8(FP), R9
	MOVQ out+24(FP), R10
	MOVQ pairs+32(FP), R11

mvpair:
	MOVQ DX, SI
	MOVQ x+16(FP), DI
	MOVQ n+40(FP), CX
	ZERO4

mv4:
	CMPQ       CX, $4
	JL         mvtail
	PREFETCHT0 2048(SI)
	PREFETCHT0 2048(SI)(R9*1)
	PREFETCHT0 2112(SI)
	PREFETCHT0 2112(SI)(R9*1)
	PREFETCHT0 2176(SI)
	PREFETCHT0 2176(SI)(R9*1)
	PREFETCHT0 2240(SI)
	PREFETCHT0 2240(SI)(R9*1)
	MV4(0, Z0, Z4, Z8, Z12, Z16)
	MV4(4, Z1, Z5, Z9, Z13, Z17)
	MV4(8, Z2, Z6, Z10, Z14, Z18)
	MV4(12, Z3, Z7, Z11, Z15, Z19)
	ADDQ       $256, SI
	ADDQ       $16, DI
	SUBQ       $4, CX
	JMP        mv4

mvtail:
	TESTQ CX, CX
	JZ    mvdone
	MV4(0, Z0, Z4, Z8, Z12, Z16)
	ADDQ  $64, SI
	ADDQ  $4, DI
	DECQ  CX
	JMP   mvtail

mvdone:
	VADDPS  Z1, Z0, Z0
	VADDPS  Z3, Z2, Z2
	VADDPS  Z2, Z0, Z0
	VADDPS  Z5, Z4, Z4
	VADDPS  Z7, Z6, Z6
	VADDPS  Z6, Z4, Z4
	VMOVUPS Z0, (R10)
	VMOVUPS Z4, 64(R10)
	ADDQ    $128, R10
	LEAQ    (DX)(R9*2), DX
	DECQ    R11
	JNZ     mvpair
	VZEROUPPER
	RET
