//go:build amd64 && !purego

#include "textflag.h"

// Q4_K weights repacked sixteen rows side by side (pack_k.go) against Q8_K activations with
// AVX-512 VNNI. For each sub-block j of 32 columns, eight VPDPBUSD (nibbles unsigned, four
// broadcast activation bytes signed) give sixteen rows' integer sums, which VPMULLD scales
// by the rows' 6-bit sub-block scales and VPADDD adds into the token's super-block sum.
// The mins come from VPDPWSSD over the rows' (m, m) pairs and the token's pairs of 32-value
// activation sums. At the end of a super-block, token t's sum gains
// dx*(d*sumi - dmin*summ).
//
// Packed super-block (2496 bytes per group): d[16] f16 at 0, dmin[16] f16 at 32, scale
// bytes at 64+16j+r, min pairs at 192+64p+4r (int16 m[2p], m[2p+1]), nibbles at
// 448+512p+64k+4r+i (low: sub-block 2p, high: 2p+1, column 4k+i).
//
// Side data per super-block for T tokens: dx[T] float32, then per token four int16 pairs
// of activation sums (16 bytes). Registers: Z0..Z7 weights, Z8..Z15 integer sums per token,
// Z16..Z23 float sums per token, Z24 scales, Z25/Z26 scratch sums, Z27 nibble mask,
// Z28..Z30 scratch.

#define LOADW0 \
	VPMOVZXBD 64(SI), Z24; \
	VMOVDQU64 448(SI), Z28; \
	VPANDD Z27, Z28, Z0; \
	VMOVDQU64 512(SI), Z28; \
	VPANDD Z27, Z28, Z1; \
	VMOVDQU64 576(SI), Z28; \
	VPANDD Z27, Z28, Z2; \
	VMOVDQU64 640(SI), Z28; \
	VPANDD Z27, Z28, Z3; \
	VMOVDQU64 704(SI), Z28; \
	VPANDD Z27, Z28, Z4; \
	VMOVDQU64 768(SI), Z28; \
	VPANDD Z27, Z28, Z5; \
	VMOVDQU64 832(SI), Z28; \
	VPANDD Z27, Z28, Z6; \
	VMOVDQU64 896(SI), Z28; \
	VPANDD Z27, Z28, Z7;

#define LOADW1 \
	VPMOVZXBD 80(SI), Z24; \
	VMOVDQU64 448(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z0; \
	VMOVDQU64 512(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z1; \
	VMOVDQU64 576(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z2; \
	VMOVDQU64 640(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z3; \
	VMOVDQU64 704(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z4; \
	VMOVDQU64 768(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z5; \
	VMOVDQU64 832(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z6; \
	VMOVDQU64 896(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z7;

#define LOADW2 \
	VPMOVZXBD 96(SI), Z24; \
	VMOVDQU64 960(SI), Z28; \
	VPANDD Z27, Z28, Z0; \
	VMOVDQU64 1024(SI), Z28; \
	VPANDD Z27, Z28, Z1; \
	VMOVDQU64 1088(SI), Z28; \
	VPANDD Z27, Z28, Z2; \
	VMOVDQU64 1152(SI), Z28; \
	VPANDD Z27, Z28, Z3; \
	VMOVDQU64 1216(SI), Z28; \
	VPANDD Z27, Z28, Z4; \
	VMOVDQU64 1280(SI), Z28; \
	VPANDD Z27, Z28, Z5; \
	VMOVDQU64 1344(SI), Z28; \
	VPANDD Z27, Z28, Z6; \
	VMOVDQU64 1408(SI), Z28; \
	VPANDD Z27, Z28, Z7;

#define LOADW3 \
	VPMOVZXBD 112(SI), Z24; \
	VMOVDQU64 960(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z0; \
	VMOVDQU64 1024(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z1; \
	VMOVDQU64 1088(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z2; \
	VMOVDQU64 1152(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z3; \
	VMOVDQU64 1216(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z4; \
	VMOVDQU64 1280(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z5; \
	VMOVDQU64 1344(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z6; \
	VMOVDQU64 1408(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z7;

#define LOADW4 \
	VPMOVZXBD 128(SI), Z24; \
	VMOVDQU64 1472(SI), Z28; \
	VPANDD Z27, Z28, Z0; \
	VMOVDQU64 1536(SI), Z28; \
	VPANDD Z27, Z28, Z1; \
	VMOVDQU64 1600(SI), Z28; \
	VPANDD Z27, Z28, Z2; \
	VMOVDQU64 1664(SI), Z28; \
	VPANDD Z27, Z28, Z3; \
	VMOVDQU64 1728(SI), Z28; \
	VPANDD Z27, Z28, Z4; \
	VMOVDQU64 1792(SI), Z28; \
	VPANDD Z27, Z28, Z5; \
	VMOVDQU64 1856(SI), Z28; \
	VPANDD Z27, Z28, Z6; \
	VMOVDQU64 1920(SI), Z28; \
	VPANDD Z27, Z28, Z7;

#define LOADW5 \
	VPMOVZXBD 144(SI), Z24; \
	VMOVDQU64 1472(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z0; \
	VMOVDQU64 1536(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z1; \
	VMOVDQU64 1600(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z2; \
	VMOVDQU64 1664(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z3; \
	VMOVDQU64 1728(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z4; \
	VMOVDQU64 1792(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z5; \
	VMOVDQU64 1856(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z6; \
	VMOVDQU64 1920(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z7;

#define LOADW6 \
	VPMOVZXBD 160(SI), Z24; \
	VMOVDQU64 1984(SI), Z28; \
	VPANDD Z27, Z28, Z0; \
	VMOVDQU64 2048(SI), Z28; \
	VPANDD Z27, Z28, Z1; \
	VMOVDQU64 2112(SI), Z28; \
	VPANDD Z27, Z28, Z2; \
	VMOVDQU64 2176(SI), Z28; \
	VPANDD Z27, Z28, Z3; \
	VMOVDQU64 2240(SI), Z28; \
	VPANDD Z27, Z28, Z4; \
	VMOVDQU64 2304(SI), Z28; \
	VPANDD Z27, Z28, Z5; \
	VMOVDQU64 2368(SI), Z28; \
	VPANDD Z27, Z28, Z6; \
	VMOVDQU64 2432(SI), Z28; \
	VPANDD Z27, Z28, Z7;

#define LOADW7 \
	VPMOVZXBD 176(SI), Z24; \
	VMOVDQU64 1984(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z0; \
	VMOVDQU64 2048(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z1; \
	VMOVDQU64 2112(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z2; \
	VMOVDQU64 2176(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z3; \
	VMOVDQU64 2240(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z4; \
	VMOVDQU64 2304(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z5; \
	VMOVDQU64 2368(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z6; \
	VMOVDQU64 2432(SI), Z28; \
	VPSRLW $4, Z28, Z28; \
	VPANDD Z27, Z28, Z7;

// QT adds token x's sub-block (at byte offset off) times the scales into isum.
#define QT(off, x, acc, isum) \
	VPXORD        acc, acc, acc; \
	VPDPBUSD.BCST off+0 x, Z0, acc; \
	VPDPBUSD.BCST off+4 x, Z1, acc; \
	VPDPBUSD.BCST off+8 x, Z2, acc; \
	VPDPBUSD.BCST off+12 x, Z3, acc; \
	VPDPBUSD.BCST off+16 x, Z4, acc; \
	VPDPBUSD.BCST off+20 x, Z5, acc; \
	VPDPBUSD.BCST off+24 x, Z6, acc; \
	VPDPBUSD.BCST off+28 x, Z7, acc; \
	VPMULLD       Z24, acc, acc; \
	VPADDD        acc, isum, isum

// FIN folds token t's super-block into its float sum: Z0..Z3 hold the min pairs, Z4/Z5
// the rows' d and dmin; dx at dxoff(BX), sum pairs at pairoff(BX).
#define FIN(dxoff, pairoff, isum, fsum) \
	VPXORD        Z25, Z25, Z25; \
	VPDPWSSD.BCST pairoff+0(BX), Z0, Z25; \
	VPDPWSSD.BCST pairoff+4(BX), Z1, Z25; \
	VPDPWSSD.BCST pairoff+8(BX), Z2, Z25; \
	VPDPWSSD.BCST pairoff+12(BX), Z3, Z25; \
	VCVTDQ2PS     isum, isum; \
	VMULPS.BCST   dxoff(BX), Z4, Z28; \
	VFMADD231PS   isum, Z28, fsum; \
	VCVTDQ2PS     Z25, Z25; \
	VMULPS.BCST   dxoff(BX), Z5, Z29; \
	VFNMADD231PS  Z25, Z29, fsum

#define LOADFIN \
	VMOVDQU64 192(SI), Z0; \
	VMOVDQU64 256(SI), Z1; \
	VMOVDQU64 320(SI), Z2; \
	VMOVDQU64 384(SI), Z3; \
	VCVTPH2PS (SI), Z4; \
	VCVTPH2PS 32(SI), Z5

#define SUB8_0 \
	LOADW0; \
	QT(0, (DI), Z25, Z8); \
	QT(0, (DI)(R12*1), Z26, Z9); \
	QT(0, (DI)(R12*2), Z25, Z10); \
	QT(0, (DI)(R13*1), Z26, Z11); \
	QT(0, (R9), Z25, Z12); \
	QT(0, (R9)(R12*1), Z26, Z13); \
	QT(0, (R9)(R12*2), Z25, Z14); \
	QT(0, (R9)(R13*1), Z26, Z15);

#define SUB8_1 \
	LOADW1; \
	QT(32, (DI), Z25, Z8); \
	QT(32, (DI)(R12*1), Z26, Z9); \
	QT(32, (DI)(R12*2), Z25, Z10); \
	QT(32, (DI)(R13*1), Z26, Z11); \
	QT(32, (R9), Z25, Z12); \
	QT(32, (R9)(R12*1), Z26, Z13); \
	QT(32, (R9)(R12*2), Z25, Z14); \
	QT(32, (R9)(R13*1), Z26, Z15);

#define SUB8_2 \
	LOADW2; \
	QT(64, (DI), Z25, Z8); \
	QT(64, (DI)(R12*1), Z26, Z9); \
	QT(64, (DI)(R12*2), Z25, Z10); \
	QT(64, (DI)(R13*1), Z26, Z11); \
	QT(64, (R9), Z25, Z12); \
	QT(64, (R9)(R12*1), Z26, Z13); \
	QT(64, (R9)(R12*2), Z25, Z14); \
	QT(64, (R9)(R13*1), Z26, Z15);

#define SUB8_3 \
	LOADW3; \
	QT(96, (DI), Z25, Z8); \
	QT(96, (DI)(R12*1), Z26, Z9); \
	QT(96, (DI)(R12*2), Z25, Z10); \
	QT(96, (DI)(R13*1), Z26, Z11); \
	QT(96, (R9), Z25, Z12); \
	QT(96, (R9)(R12*1), Z26, Z13); \
	QT(96, (R9)(R12*2), Z25, Z14); \
	QT(96, (R9)(R13*1), Z26, Z15);

#define SUB8_4 \
	LOADW4; \
	QT(128, (DI), Z25, Z8); \
	QT(128, (DI)(R12*1), Z26, Z9); \
	QT(128, (DI)(R12*2), Z25, Z10); \
	QT(128, (DI)(R13*1), Z26, Z11); \
	QT(128, (R9), Z25, Z12); \
	QT(128, (R9)(R12*1), Z26, Z13); \
	QT(128, (R9)(R12*2), Z25, Z14); \
	QT(128, (R9)(R13*1), Z26, Z15);

#define SUB8_5 \
	LOADW5; \
	QT(160, (DI), Z25, Z8); \
	QT(160, (DI)(R12*1), Z26, Z9); \
	QT(160, (DI)(R12*2), Z25, Z10); \
	QT(160, (DI)(R13*1), Z26, Z11); \
	QT(160, (R9), Z25, Z12); \
	QT(160, (R9)(R12*1), Z26, Z13); \
	QT(160, (R9)(R12*2), Z25, Z14); \
	QT(160, (R9)(R13*1), Z26, Z15);

#define SUB8_6 \
	LOADW6; \
	QT(192, (DI), Z25, Z8); \
	QT(192, (DI)(R12*1), Z26, Z9); \
	QT(192, (DI)(R12*2), Z25, Z10); \
	QT(192, (DI)(R13*1), Z26, Z11); \
	QT(192, (R9), Z25, Z12); \
	QT(192, (R9)(R12*1), Z26, Z13); \
	QT(192, (R9)(R12*2), Z25, Z14); \
	QT(192, (R9)(R13*1), Z26, Z15);

#define SUB8_7 \
	LOADW7; \
	QT(224, (DI), Z25, Z8); \
	QT(224, (DI)(R12*1), Z26, Z9); \
	QT(224, (DI)(R12*2), Z25, Z10); \
	QT(224, (DI)(R13*1), Z26, Z11); \
	QT(224, (R9), Z25, Z12); \
	QT(224, (R9)(R12*1), Z26, Z13); \
	QT(224, (R9)(R12*2), Z25, Z14); \
	QT(224, (R9)(R13*1), Z26, Z15);

#define FIN8 \
	LOADFIN; \
	FIN(0, 32, Z8, Z16); \
	FIN(4, 48, Z9, Z17); \
	FIN(8, 64, Z10, Z18); \
	FIN(12, 80, Z11, Z19); \
	FIN(16, 96, Z12, Z20); \
	FIN(20, 112, Z13, Z21); \
	FIN(24, 128, Z14, Z22); \
	FIN(28, 144, Z15, Z23);

#define ZERO_ISUM8 \
	VPXORD Z8, Z8, Z8; VPXORD Z9, Z9, Z9; VPXORD Z10, Z10, Z10; VPXORD Z11, Z11, Z11; VPXORD Z12, Z12, Z12; VPXORD Z13, Z13, Z13; VPXORD Z14, Z14, Z14; VPXORD Z15, Z15, Z15

#define ZERO_FSUM8 \
	VPXORD Z16, Z16, Z16; VPXORD Z17, Z17, Z17; VPXORD Z18, Z18, Z18; VPXORD Z19, Z19, Z19; VPXORD Z20, Z20, Z20; VPXORD Z21, Z21, Z21; VPXORD Z22, Z22, Z22; VPXORD Z23, Z23, Z23

// func mmQ4Kx16T8AVX512(w *byte, xq *int8, ldx int, side *uint32, out *float32, ldo int, groups, nb int)
TEXT ·mmQ4Kx16T8AVX512(SB), NOSPLIT, $0-64
	MOVQ         w+0(FP), SI
	MOVQ         ldx+16(FP), R12
	LEAQ         (R12)(R12*2), R13
	MOVQ         out+32(FP), R10
	MOVQ         ldo+40(FP), R14
	SHLQ         $2, R14
	LEAQ         (R14)(R14*2), R15
	MOVQ         groups+48(FP), R11
	MOVL         $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z27

group:
	MOVQ xq+8(FP), DI
	LEAQ (DI)(R12*4), R9
	MOVQ side+24(FP), BX
	MOVQ nb+56(FP), CX
	ZERO_FSUM8

block:
	ZERO_ISUM8
	SUB8_0
	SUB8_1
	SUB8_2
	SUB8_3
	SUB8_4
	SUB8_5
	SUB8_6
	SUB8_7
	FIN8
	ADDQ $2496, SI
	ADDQ $256, DI
	ADDQ $256, R9
	ADDQ $160, BX
	DECQ CX
	JNZ  block
	VMOVUPS Z16, (R10)
	VMOVUPS Z17, (R10)(R14*1)
	VMOVUPS Z18, (R10)(R14*2)
	VMOVUPS Z19, (R10)(R15*1)
	LEAQ    (R10)(R14*4), AX
	VMOVUPS Z20, (AX)
	VMOVUPS Z21, (AX)(R14*1)
	VMOVUPS Z22, (AX)(R14*2)
	VMOVUPS Z23, (AX)(R15*1)
	ADDQ    $64, R10
	DECQ    R11
	JNZ     group
	VZEROUPPER
	RET

// func mvQ4Kx16AVX512(w *byte, xq *int8, out *float32, groups int, side *uint32, nb int)
TEXT ·mvQ4Kx16AVX512(SB), NOSPLIT, $0-48
	MOVQ         w+0(FP), SI
	MOVQ         out+16(FP), R10
	MOVQ         groups+24(FP), R11
	MOVL         $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z27

group1:
	MOVQ   xq+8(FP), DI
	MOVQ   side+32(FP), BX
	MOVQ   nb+40(FP), CX
	VPXORD Z16, Z16, Z16

block1:
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	PREFETCHT0 4992(SI)
	PREFETCHT0 5056(SI)
	PREFETCHT0 5120(SI)
	PREFETCHT0 5184(SI)
	PREFETCHT0 5248(SI)
	LOADW0
	QT(0, (DI), Z25, Z8)
	PREFETCHT0 5312(SI)
	PREFETCHT0 5376(SI)
	PREFETCHT0 5440(SI)
	PREFETCHT0 5504(SI)
	PREFETCHT0 5568(SI)
	LOADW1
	QT(32, (DI), Z26, Z9)
	PREFETCHT0 5632(SI)
	PREFETCHT0 5696(SI)
	PREFETCHT0 5760(SI)
	PREFETCHT0 5824(SI)
	PREFETCHT0 5888(SI)
	LOADW2
	QT(64, (DI), Z25, Z8)
	PREFETCHT0 5952(SI)
	PREFETCHT0 6016(SI)
	PREFETCHT0 6080(SI)
	PREFETCHT0 6144(SI)
	PREFETCHT0 6208(SI)
	LOADW3
	QT(96, (DI), Z26, Z9)
	PREFETCHT0 6272(SI)
	PREFETCHT0 6336(SI)
	PREFETCHT0 6400(SI)
	PREFETCHT0 6464(SI)
	PREFETCHT0 6528(SI)
	LOADW4
	QT(128, (DI), Z25, Z8)
	PREFETCHT0 6592(SI)
	PREFETCHT0 6656(SI)
	PREFETCHT0 6720(SI)
	PREFETCHT0 6784(SI)
	PREFETCHT0 6848(SI)
	LOADW5
	QT(160, (DI), Z26, Z9)
	PREFETCHT0 6912(SI)
	PREFETCHT0 6976(SI)
	PREFETCHT0 7040(SI)
	PREFETCHT0 7104(SI)
	PREFETCHT0 7168(SI)
	LOADW6
	QT(192, (DI), Z25, Z8)
	PREFETCHT0 7232(SI)
	PREFETCHT0 7296(SI)
	PREFETCHT0 7360(SI)
	PREFETCHT0 7424(SI)
	PREFETCHT0 7488(SI)
	LOADW7
	QT(224, (DI), Z26, Z9)
	VPADDD     Z9, Z8, Z8
	LOADFIN
	FIN(0, 4, Z8, Z16)
	ADDQ       $2496, SI
	ADDQ       $256, DI
	ADDQ       $20, BX
	DECQ       CX
	JNZ        block1
	VMOVUPS    Z16, (R10)
	ADDQ       $64, R10
	DECQ       R11
	JNZ        group1
	VZEROUPPER
	RET
