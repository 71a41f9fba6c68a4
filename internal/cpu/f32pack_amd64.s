//go:build amd64 && !purego

#include "textflag.h"

// The interleaved F32 layout (pack_f16.go) with AVX2, the kernels of f16pack_amd64.s with
// plain loads in place of the conversion: per group of sixteen rows and per column, the
// two halves of the 64-byte weight vector are loaded once into Y12/Y13 (rows 0..7 and
// 8..15) and multiplied with the column's activation broadcast from memory for every
// token of the tile, so each token's sixteen sums stay in two registers (token t in
// Y(2t), Y(2t+1)). Groups follow each other in memory (n*64 bytes each).
//
// Registers: SI weights, DI token 0's activations (R12 token stride, R13 3x, R14 5x),
// CX columns left, R10 the group's output of token 0, R15 the output token stride,
// R11 groups left, Y14 the broadcast activation. The weights are prefetched 3 KiB ahead,
// the same 48 columns as the F16 kernels (a chunk's first token tile streams them from
// memory).

#define TOK(addr, acc0, acc1) \
	VBROADCASTSS addr, Y14; \
	VFMADD231PS  Y14, Y12, acc0; \
	VFMADD231PS  Y14, Y13, acc1

#define TOK4 \
	TOK((DI), Y0, Y1); \
	TOK((DI)(R12*1), Y2, Y3); \
	TOK((DI)(R12*2), Y4, Y5); \
	TOK((DI)(R13*1), Y6, Y7)

#define TOK6 \
	TOK4; \
	TOK((DI)(R12*4), Y8, Y9); \
	TOK((DI)(R14*1), Y10, Y11)

#define ZERO(a, b) VXORPS a, a, a; VXORPS b, b, b
#define ZERO4 ZERO(Y0, Y1); ZERO(Y2, Y3); ZERO(Y4, Y5); ZERO(Y6, Y7)
#define ZERO6 ZERO4; ZERO(Y8, Y9); ZERO(Y10, Y11)

#define PUT(a, b) VMOVUPS a, (AX); VMOVUPS b, 32(AX); ADDQ R15, AX
#define PUT4 PUT(Y0, Y1); PUT(Y2, Y3); PUT(Y4, Y5); PUT(Y6, Y7)
#define PUT6 PUT4; PUT(Y8, Y9); PUT(Y10, Y11)

#define MM_START \
	MOVQ w+0(FP), SI; \
	MOVQ ldx+16(FP), R12; \
	SHLQ $2, R12; \
	LEAQ (R12)(R12*2), R13; \
	LEAQ (R12)(R12*4), R14; \
	MOVQ out+24(FP), R10; \
	MOVQ ldo+32(FP), R15; \
	SHLQ $2, R15; \
	MOVQ groups+40(FP), R11

#define MM_BODY(ZEROS, TOKS, PUTS) \
group: \
	MOVQ x+8(FP), DI; \
	MOVQ n+48(FP), CX; \
	ZEROS; \
col: \
	PREFETCHT0 3072(SI); \
	VMOVUPS (SI), Y12; \
	VMOVUPS 32(SI), Y13; \
	TOKS; \
	ADDQ $64, SI; \
	ADDQ $4, DI; \
	DECQ CX; \
	JNZ  col; \
	MOVQ R10, AX; \
	PUTS; \
	ADDQ $64, R10; \
	DECQ R11; \
	JNZ  group; \
	VZEROUPPER; \
	RET

// func mmF32x16T6AVX2(w *byte, x *float32, ldx int, out *float32, ldo int, groups, n int)
TEXT ·mmF32x16T6AVX2(SB), NOSPLIT, $0-56
	MM_START
	MM_BODY(ZERO6, TOK6, PUT6)

// func mmF32x16T4AVX2(w *byte, x *float32, ldx int, out *float32, ldo int, groups, n int)
TEXT ·mmF32x16T4AVX2(SB), NOSPLIT, $0-56
	MM_START
	MM_BODY(ZERO4, TOK4, PUT4)

// One token: four columns per iteration into separate sums (Y0..Y3 rows 0..7, Y4..Y7
// rows 8..15), then the column tail one at a time. Each iteration reads four cache lines,
// prefetched 2 KiB ahead.
#define MV1(off, a, b) \
	VBROADCASTSS off(DI), Y14; \
	VMOVUPS      (off*16)(SI), Y12; \
	VMOVUPS      (off*16+32)(SI), Y13; \
	VFMADD231PS  Y14, Y12, a; \
	VFMADD231PS  Y14, Y13, b

// func mvF32x16AVX2(w *byte, x *float32, out *float32, groups, n int)
TEXT ·mvF32x16AVX2(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), SI
	MOVQ out+16(FP), R10
	MOVQ groups+24(FP), R11

mvgroup:
	MOVQ x+8(FP), DI
	MOVQ n+32(FP), CX
	ZERO4

mv4:
	CMPQ       CX, $4
	JL         mvtail
	PREFETCHT0 2048(SI)
	PREFETCHT0 2112(SI)
	PREFETCHT0 2176(SI)
	PREFETCHT0 2240(SI)
	MV1(0, Y0, Y4)
	MV1(4, Y1, Y5)
	MV1(8, Y2, Y6)
	MV1(12, Y3, Y7)
	ADDQ       $256, SI
	ADDQ       $16, DI
	SUBQ       $4, CX
	JMP        mv4

mvtail:
	TESTQ CX, CX
	JZ    mvdone
	MV1(0, Y0, Y4)
	ADDQ  $64, SI
	ADDQ  $4, DI
	DECQ  CX
	JMP   mvtail

mvdone:
	VADDPS  Y1, Y0, Y0
	VADDPS  Y3, Y2, Y2
	VADDPS  Y2, Y0, Y0
	VADDPS  Y5, Y4, Y4
	VADDPS  Y7, Y6, Y6
	VADDPS  Y6, Y4, Y4
	VMOVUPS Y0, (R10)
	VMOVUPS Y4, 32(R10)
	ADDQ    $64, R10
	DECQ    R11
	JNZ     mvgroup
	VZEROUPPER
	RET
