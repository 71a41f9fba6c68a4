//go:build amd64 && !purego

#include "textflag.h"

// Q8_0 and Q4_0 weights repacked sixteen rows side by side (see pack.go), against Q8_0
// activations with AVX-512 VNNI. Lane r of a 512-bit register holds four consecutive
// weight bytes of row r, so one VPDPBUSD with four broadcast activation bytes adds four
// products to each of sixteen rows; eight of them cover a block of 32. The weights are
// VPDPBUSD's unsigned operand (Q8_0 stored as w+128, Q4_0 as its nibbles); the offset
// comes back through the int32 accumulator's start value, -c times the activation
// block's sum (c = 128 or 8), taken from the side data.
//
// Side data per block for a tile of T tokens: T float32 activation scales, then T int32
// start values. Registers: Z0..Z7 the block's weights, Z8 its sixteen row scales, Z9/Z10
// scale products, Z11/Z12 int32 accumulators, Z13 nibble mask, Z14 nibble scratch,
// Z16..Z23 token sums.

// Block loaders: Z8 = row scales, Z0..Z7 = weight columns 4k..4k+3 for k = 0..7.
#define LOAD_Q8 \
	VCVTPH2PS (SI), Z8; \
	VMOVDQU64 32(SI), Z0; \
	VMOVDQU64 96(SI), Z1; \
	VMOVDQU64 160(SI), Z2; \
	VMOVDQU64 224(SI), Z3; \
	VMOVDQU64 288(SI), Z4; \
	VMOVDQU64 352(SI), Z5; \
	VMOVDQU64 416(SI), Z6; \
	VMOVDQU64 480(SI), Z7

#define NIB(off, lo, hi) \
	VMOVDQU64 off(SI), Z14; \
	VPSRLW    $4, Z14, hi; \
	VPANDD    Z13, Z14, lo; \
	VPANDD    Z13, hi, hi

#define LOAD_Q4 \
	VCVTPH2PS (SI), Z8; \
	NIB(32, Z0, Z4); \
	NIB(96, Z1, Z5); \
	NIB(160, Z2, Z6); \
	NIB(224, Z3, Z7)

// Weight prefetch four blocks ahead (544-byte Q8_0 and 288-byte Q4_0 block groups): the
// kernels stream the weights from memory in decoding.
#define PREFETCH_Q8 \
	PREFETCHT0 2176(SI); \
	PREFETCHT0 2240(SI); \
	PREFETCHT0 2304(SI); \
	PREFETCHT0 2368(SI); \
	PREFETCHT0 2432(SI); \
	PREFETCHT0 2496(SI); \
	PREFETCHT0 2560(SI); \
	PREFETCHT0 2624(SI)

#define PREFETCH_Q4 \
	PREFETCHT0 1152(SI); \
	PREFETCHT0 1216(SI); \
	PREFETCHT0 1280(SI); \
	PREFETCHT0 1344(SI)

// TOK adds one token's block to sum: x is the token's block address expression,
// dx/st the offsets of its scale and start value in the side data at BX.
#define TOK(x, dx, st, acc, sc, sum) \
	VPBROADCASTD  st(BX), acc; \
	VPDPBUSD.BCST 0 x, Z0, acc; \
	VPDPBUSD.BCST 4 x, Z1, acc; \
	VPDPBUSD.BCST 8 x, Z2, acc; \
	VPDPBUSD.BCST 12 x, Z3, acc; \
	VPDPBUSD.BCST 16 x, Z4, acc; \
	VPDPBUSD.BCST 20 x, Z5, acc; \
	VPDPBUSD.BCST 24 x, Z6, acc; \
	VPDPBUSD.BCST 28 x, Z7, acc; \
	VMULPS.BCST   dx(BX), Z8, sc; \
	VCVTDQ2PS     acc, acc; \
	VFMADD231PS   acc, sc, sum

// Eight tokens: token t's activations at DI + t*R12 (t < 4) and R9 + (t-4)*R12, with
// R13 = 3*R12; its output row at R10 + t*R14 (R15 = 3*R14).
#define TOKENS8 \
	TOK((DI), 0, 32, Z11, Z9, Z16); \
	TOK((DI)(R12*1), 4, 36, Z12, Z10, Z17); \
	TOK((DI)(R12*2), 8, 40, Z11, Z9, Z18); \
	TOK((DI)(R13*1), 12, 44, Z12, Z10, Z19); \
	TOK((R9), 16, 48, Z11, Z9, Z20); \
	TOK((R9)(R12*1), 20, 52, Z12, Z10, Z21); \
	TOK((R9)(R12*2), 24, 56, Z11, Z9, Z22); \
	TOK((R9)(R13*1), 28, 60, Z12, Z10, Z23)

#define MM8_START \
	MOVQ         w+0(FP), SI; \
	MOVQ         ldx+16(FP), R12; \
	LEAQ         (R12)(R12*2), R13; \
	MOVQ         out+32(FP), R10; \
	MOVQ         ldo+40(FP), R14; \
	SHLQ         $2, R14; \
	LEAQ         (R14)(R14*2), R15; \
	MOVQ         groups+48(FP), R11; \
	MOVL         $0x0f0f0f0f, AX; \
	VPBROADCASTD AX, Z13

#define MM8_GROUP_START \
	MOVQ   xq+8(FP), DI; \
	LEAQ   (DI)(R12*4), R9; \
	MOVQ   side+24(FP), BX; \
	MOVQ   nb+56(FP), CX; \
	VPXORD Z16, Z16, Z16; \
	VPXORD Z17, Z17, Z17; \
	VPXORD Z18, Z18, Z18; \
	VPXORD Z19, Z19, Z19; \
	VPXORD Z20, Z20, Z20; \
	VPXORD Z21, Z21, Z21; \
	VPXORD Z22, Z22, Z22; \
	VPXORD Z23, Z23, Z23

#define MM8_GROUP_END \
	VMOVUPS Z16, (R10); \
	VMOVUPS Z17, (R10)(R14*1); \
	VMOVUPS Z18, (R10)(R14*2); \
	VMOVUPS Z19, (R10)(R15*1); \
	LEAQ    (R10)(R14*4), AX; \
	VMOVUPS Z20, (AX); \
	VMOVUPS Z21, (AX)(R14*1); \
	VMOVUPS Z22, (AX)(R14*2); \
	VMOVUPS Z23, (AX)(R15*1); \
	ADDQ    $64, R10

// One token: two accumulators halve the VPDPBUSD chain; the weights are prefetched ahead
// since decoding streams them from memory.
#define TOK1 \
	VPBROADCASTD  4(BX), Z11; \
	VPXORD        Z12, Z12, Z12; \
	VPDPBUSD.BCST 0(DI), Z0, Z11; \
	VPDPBUSD.BCST 4(DI), Z1, Z12; \
	VPDPBUSD.BCST 8(DI), Z2, Z11; \
	VPDPBUSD.BCST 12(DI), Z3, Z12; \
	VPDPBUSD.BCST 16(DI), Z4, Z11; \
	VPDPBUSD.BCST 20(DI), Z5, Z12; \
	VPDPBUSD.BCST 24(DI), Z6, Z11; \
	VPDPBUSD.BCST 28(DI), Z7, Z12; \
	VPADDD        Z12, Z11, Z11; \
	VMULPS.BCST   (BX), Z8, Z9; \
	VCVTDQ2PS     Z11, Z11; \
	VFMADD231PS   Z11, Z9, Z16

#define MV_START \
	MOVQ         w+0(FP), SI; \
	MOVQ         out+16(FP), R10; \
	MOVQ         groups+24(FP), R11; \
	MOVL         $0x0f0f0f0f, AX; \
	VPBROADCASTD AX, Z13

#define MV_GROUP_START \
	MOVQ   xq+8(FP), DI; \
	MOVQ   side+32(FP), BX; \
	MOVQ   nb+40(FP), CX; \
	VPXORD Z16, Z16, Z16

// func mmQ8x16T8AVX512(w *byte, xq *int8, ldx int, side *byte, out *float32, ldo int, groups, nb int)
TEXT ·mmQ8x16T8AVX512(SB), NOSPLIT, $0-64
	MM8_START

group:
	MM8_GROUP_START

block:
	PREFETCH_Q8
	LOAD_Q8
	TOKENS8
	ADDQ $544, SI
	ADDQ $32, DI
	ADDQ $32, R9
	ADDQ $64, BX
	DECQ CX
	JNZ  block
	MM8_GROUP_END
	DECQ R11
	JNZ  group
	VZEROUPPER
	RET

// func mmQ4x16T8AVX512(w *byte, xq *int8, ldx int, side *byte, out *float32, ldo int, groups, nb int)
TEXT ·mmQ4x16T8AVX512(SB), NOSPLIT, $0-64
	MM8_START

group:
	MM8_GROUP_START

block:
	PREFETCH_Q4
	LOAD_Q4
	TOKENS8
	ADDQ $288, SI
	ADDQ $32, DI
	ADDQ $32, R9
	ADDQ $64, BX
	DECQ CX
	JNZ  block
	MM8_GROUP_END
	DECQ R11
	JNZ  group
	VZEROUPPER
	RET

// func mvQ8x16AVX512(w *byte, xq *int8, out *float32, groups int, side *byte, nb int)
TEXT ·mvQ8x16AVX512(SB), NOSPLIT, $0-48
	MV_START

group:
	MV_GROUP_START

block:
	PREFETCH_Q8
	LOAD_Q8
	TOK1
	ADDQ       $544, SI
	ADDQ       $32, DI
	ADDQ       $8, BX
	DECQ       CX
	JNZ        block
	VMOVUPS    Z16, (R10)
	ADDQ       $64, R10
	DECQ       R11
	JNZ        group
	VZEROUPPER
	RET

// func mvQ4x16AVX512(w *byte, xq *int8, out *float32, groups int, side *byte, nb int)
TEXT ·mvQ4x16AVX512(SB), NOSPLIT, $0-48
	MV_START

group:
	MV_GROUP_START

block:
	PREFETCH_Q4
	LOAD_Q4
	TOK1
	ADDQ       $288, SI
	ADDQ       $32, DI
	ADDQ       $8, BX
	DECQ       CX
	JNZ        block
	VMOVUPS    Z16, (R10)
	ADDQ       $64, R10
	DECQ       R11
	JNZ        group
	VZEROUPPER
	RET
