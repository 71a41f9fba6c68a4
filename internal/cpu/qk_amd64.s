//go:build amd64 && !purego

#include "textflag.h"
#include "macros_amd64.h"

// Q4_K and Q6_K weights against Q8_K activations (256 int8 values, a float32 scale and
// sixteen int16 sums of 16 values per block), AVX2.
//
// Q4_K block (144 bytes): f16 d, f16 dmin, 12 bytes packing eight 6-bit scales and mins,
// 128 bytes of nibbles: for chunk j of 64 elements, the low nibbles of bytes 32j..32j+31
// are elements 64j..64j+31 (sub-block 2j) and the high nibbles the next 32 (sub-block
// 2j+1). Value = d*scale*q - dmin*min.
//
// Q6_K block (210 bytes): ql[128] low nibbles, qh[64] high 2 bits, 16 int8 scales, f16 d.
// Each half n of 128 elements uses ql[64n..], qh[32n..] and scales[8n..]:
// element l+32k (l < 32, quarter k) = (nibble | 2 bits) - 32 with scale 2k + l/16.

// q4kShuf: mask k broadcasts int16 lane k (bytes 2k, 2k+1) of each 128-bit lane.
// q6kShuf: mask k takes int16 lane 2k in the low 128 bits and 2k+1 in the high 128 bits.
DATA q4kShuf<>+0(SB)/8, $0x0100010001000100
DATA q4kShuf<>+8(SB)/8, $0x0100010001000100
DATA q4kShuf<>+16(SB)/8, $0x0100010001000100
DATA q4kShuf<>+24(SB)/8, $0x0100010001000100
DATA q4kShuf<>+32(SB)/8, $0x0302030203020302
DATA q4kShuf<>+40(SB)/8, $0x0302030203020302
DATA q4kShuf<>+48(SB)/8, $0x0302030203020302
DATA q4kShuf<>+56(SB)/8, $0x0302030203020302
DATA q4kShuf<>+64(SB)/8, $0x0504050405040504
DATA q4kShuf<>+72(SB)/8, $0x0504050405040504
DATA q4kShuf<>+80(SB)/8, $0x0504050405040504
DATA q4kShuf<>+88(SB)/8, $0x0504050405040504
DATA q4kShuf<>+96(SB)/8, $0x0706070607060706
DATA q4kShuf<>+104(SB)/8, $0x0706070607060706
DATA q4kShuf<>+112(SB)/8, $0x0706070607060706
DATA q4kShuf<>+120(SB)/8, $0x0706070607060706
DATA q4kShuf<>+128(SB)/8, $0x0908090809080908
DATA q4kShuf<>+136(SB)/8, $0x0908090809080908
DATA q4kShuf<>+144(SB)/8, $0x0908090809080908
DATA q4kShuf<>+152(SB)/8, $0x0908090809080908
DATA q4kShuf<>+160(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA q4kShuf<>+168(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA q4kShuf<>+176(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA q4kShuf<>+184(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA q4kShuf<>+192(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA q4kShuf<>+200(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA q4kShuf<>+208(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA q4kShuf<>+216(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA q4kShuf<>+224(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA q4kShuf<>+232(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA q4kShuf<>+240(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA q4kShuf<>+248(SB)/8, $0x0f0e0f0e0f0e0f0e
GLOBL q4kShuf<>(SB), RODATA|NOPTR, $256

DATA q6kShuf<>+0(SB)/8, $0x0100010001000100
DATA q6kShuf<>+8(SB)/8, $0x0100010001000100
DATA q6kShuf<>+16(SB)/8, $0x0302030203020302
DATA q6kShuf<>+24(SB)/8, $0x0302030203020302
DATA q6kShuf<>+32(SB)/8, $0x0504050405040504
DATA q6kShuf<>+40(SB)/8, $0x0504050405040504
DATA q6kShuf<>+48(SB)/8, $0x0706070607060706
DATA q6kShuf<>+56(SB)/8, $0x0706070607060706
DATA q6kShuf<>+64(SB)/8, $0x0908090809080908
DATA q6kShuf<>+72(SB)/8, $0x0908090809080908
DATA q6kShuf<>+80(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA q6kShuf<>+88(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA q6kShuf<>+96(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA q6kShuf<>+104(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA q6kShuf<>+112(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA q6kShuf<>+120(SB)/8, $0x0f0e0f0e0f0e0f0e
GLOBL q6kShuf<>(SB), RODATA|NOPTR, $128

DATA mask0F<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA mask0F<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA mask0F<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA mask0F<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL mask0F<>(SB), RODATA|NOPTR, $32

DATA mask30<>+0(SB)/8, $0x3030303030303030
DATA mask30<>+8(SB)/8, $0x3030303030303030
DATA mask30<>+16(SB)/8, $0x3030303030303030
DATA mask30<>+24(SB)/8, $0x3030303030303030
GLOBL mask30<>(SB), RODATA|NOPTR, $32

DATA ones16<>+0(SB)/8, $0x0001000100010001
DATA ones16<>+8(SB)/8, $0x0001000100010001
DATA ones16<>+16(SB)/8, $0x0001000100010001
DATA ones16<>+24(SB)/8, $0x0001000100010001
GLOBL ones16<>(SB), RODATA|NOPTR, $32

// Q4K_SCALES unpacks the block's scales into Y5 (eight int16 in each 128-bit lane) and
// its mins into Y6 (eight int32). Clobbers AX, R8, R9, R12, R13.
#define Q4K_SCALES \
	MOVL        4(SI), AX; \
	MOVL        8(SI), R8; \
	MOVL        12(SI), R9; \
	MOVL        AX, R12; \
	ANDL        $0x3f3f3f3f, R12; \
	MOVL        R9, R13; \
	ANDL        $0x0f0f0f0f, R13; \
	SHRL        $2, AX; \
	ANDL        $0x30303030, AX; \
	ORL         AX, R13; \
	SHLQ        $32, R13; \
	ORQ         R13, R12; \
	VMOVQ       R12, X5; \
	MOVL        R8, R12; \
	ANDL        $0x3f3f3f3f, R12; \
	SHRL        $4, R9; \
	ANDL        $0x0f0f0f0f, R9; \
	SHRL        $2, R8; \
	ANDL        $0x30303030, R8; \
	ORL         R8, R9; \
	SHLQ        $32, R9; \
	ORQ         R9, R12; \
	VMOVQ       R12, X6; \
	VPMOVZXBW   X5, X5; \
	VINSERTI128 $1, X5, Y5, Y5; \
	VPMOVZXBD   X6, Y6

// Q4K_CHUNK adds chunk j (64 elements) of the block to the int32 sums in acc:
// woff = 16+32j, xoff = 64j, soff = 64j (mask offset of sub-block 2j).
#define Q4K_CHUNK(woff, xoff, soff, acc) \
	VMOVDQU    woff(SI), Y11; \
	VPSRLW     $4, Y11, Y12; \
	VPAND      Y14, Y11, Y11; \
	VPAND      Y14, Y12, Y12; \
	VPMADDUBSW xoff(DI), Y11, Y11; \
	VPMADDUBSW xoff+32(DI), Y12, Y12; \
	VPSHUFB    q4kShuf<>+soff(SB), Y5, Y13; \
	VPMADDWD   Y13, Y11, Y11; \
	VPSHUFB    q4kShuf<>+soff+32(SB), Y5, Y13; \
	VPMADDWD   Y13, Y12, Y12; \
	VPADDD     Y11, acc, acc; \
	VPADDD     Y12, acc, acc

// Q6K_HALF adds half n of the block to the int32 sums in Y10: woff = 64n, hoff = 128+32n,
// xoff = 128n; perm selects the half's scales (0x44 or 0xEE) from Y5 into Y6.
#define Q6K_HALF(woff, hoff, xoff, perm) \
	VPERMQ     $perm, Y5, Y6; \
	VMOVDQU    woff(SI), Y8; \
	VMOVDQU    woff+32(SI), Y9; \
	VMOVDQU    hoff(SI), Y11; \
	VPAND      Y14, Y8, Y12; \
	VPSLLW     $4, Y11, Y13; \
	VPAND      mask30<>(SB), Y13, Y13; \
	VPOR       Y13, Y12, Y12; \
	VPMADDUBSW xoff(DI), Y12, Y12; \
	VPSHUFB    q6kShuf<>+0(SB), Y6, Y13; \
	VPMADDWD   Y13, Y12, Y12; \
	VPADDD     Y12, Y10, Y10; \
	VPAND      Y14, Y9, Y12; \
	VPSLLW     $2, Y11, Y13; \
	VPAND      mask30<>(SB), Y13, Y13; \
	VPOR       Y13, Y12, Y12; \
	VPMADDUBSW xoff+32(DI), Y12, Y12; \
	VPSHUFB    q6kShuf<>+32(SB), Y6, Y13; \
	VPMADDWD   Y13, Y12, Y12; \
	VPADDD     Y12, Y10, Y10; \
	VPSRLW     $4, Y8, Y12; \
	VPAND      Y14, Y12, Y12; \
	VPAND      mask30<>(SB), Y11, Y13; \
	VPOR       Y13, Y12, Y12; \
	VPMADDUBSW xoff+64(DI), Y12, Y12; \
	VPSHUFB    q6kShuf<>+64(SB), Y6, Y13; \
	VPMADDWD   Y13, Y12, Y12; \
	VPADDD     Y12, Y10, Y10; \
	VPSRLW     $4, Y9, Y12; \
	VPAND      Y14, Y12, Y12; \
	VPSRLW     $2, Y11, Y13; \
	VPAND      mask30<>(SB), Y13, Y13; \
	VPOR       Y13, Y12, Y12; \
	VPMADDUBSW xoff+96(DI), Y12, Y12; \
	VPSHUFB    q6kShuf<>+96(SB), Y6, Y13; \
	VPMADDWD   Y13, Y12, Y12; \
	VPADDD     Y12, Y10, Y10

// MVK_PROLOGUE: SI weights (rows follow each other), R10 out, R11 rows left,
// Y14 nibble mask, Y15 int16 ones.
#define MVK_PROLOGUE \
	MOVQ     w+0(FP), SI; \
	MOVQ     out+32(FP), R10; \
	MOVQ     rows+40(FP), R11; \
	VMOVDQU  mask0F<>(SB), Y14; \
	VPCMPEQW Y15, Y15, Y15; \
	VPSRLW   $15, Y15, Y15

// MVK_ROW_START: DI x values, BX x scales, DX x sums, CX blocks left; Y0/Y1 accumulate.
#define MVK_ROW_START \
	MOVQ   xq+8(FP), DI; \
	MOVQ   xd+16(FP), BX; \
	MOVQ   xs+24(FP), DX; \
	MOVQ   nb+48(FP), CX; \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y1, Y1, Y1

#define MVK_ROW_END \
	VSUBPS Y1, Y0, Y0; \
	HSUM8; \
	MOVSS  X0, (R10); \
	ADDQ   $4, R10

// ---- Four tokens per pass (prefill) ----
// Q4_K and Q6_K against four tokens per pass over a weight row (prefill), AVX2. The block
// layouts are described in qk_amd64.s; the constants live there too.
//
// Registers: SI weights, DI token 0's x values (token t at DI + t*R12, R13 = 3*R12),
// BX = block*4 (offset into each token's scales), R8 = block*32 (offset into its sums),
// CX blocks left, R10 out, R11 rows left; AX, DX, R9, R14, R15 are scratch. The tokens'
// scale and sum arrays are separate arguments, read per block. Y0..Y3 accumulate.

// XTt(off) is the address of token t's x values at byte offset off.
#define XT0(off) off(DI)
#define XT1(off) off(DI)(R12*1)
#define XT2(off) off(DI)(R12*2)
#define XT3(off) off(DI)(R13*1)

#define MMK_PROLOGUE \
	MOVQ w+0(FP), SI; \
	MOVQ out+80(FP), R10; \
	MOVQ rows+96(FP), R11

#define MMK_ROW_START \
	MOVQ   xq+8(FP), DI; \
	MOVQ   nb+104(FP), R12; \
	MOVQ   R12, CX; \
	SHLQ   $8, R12; \
	LEAQ   (R12)(R12*2), R13; \
	XORQ   BX, BX; \
	XORQ   R8, R8; \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y1, Y1, Y1; \
	VXORPS Y2, Y2, Y2; \
	VXORPS Y3, Y3, Y3

#define MMK_ROW_END \
	MOVQ   ldo+88(FP), R14; \
	SHLQ   $2, R14; \
	LEAQ   (R14)(R14*2), R15; \
	HSUM4x8; \
	STORE4; \
	ADDQ   $4, R10

#define MMK_NEXT_BLOCK(BYTES) \
	ADDQ $BYTES, SI; \
	ADDQ $256, DI; \
	ADDQ $4, BX; \
	ADDQ $32, R8; \
	DECQ CX

// Q4K_SCALES4 unpacks the scales into Y5 (int16, both lanes) and mins into Y6 (int32)
// with four scratch registers.
#define Q4K_SCALES4 \
	MOVL        4(SI), AX; \
	MOVL        8(SI), DX; \
	MOVL        12(SI), R9; \
	MOVL        AX, R14; \
	ANDL        $0x3f3f3f3f, R14; \
	VMOVD       R14, X5; \
	SHRL        $2, AX; \
	ANDL        $0x30303030, AX; \
	MOVL        R9, R14; \
	ANDL        $0x0f0f0f0f, R14; \
	ORL         R14, AX; \
	VPINSRD     $1, AX, X5, X5; \
	MOVL        DX, R14; \
	ANDL        $0x3f3f3f3f, R14; \
	VMOVD       R14, X6; \
	SHRL        $4, R9; \
	ANDL        $0x0f0f0f0f, R9; \
	SHRL        $2, DX; \
	ANDL        $0x30303030, DX; \
	ORL         DX, R9; \
	VPINSRD     $1, R9, X6, X6; \
	VPMOVZXBW   X5, X5; \
	VINSERTI128 $1, X5, Y5, Y5; \
	VPMOVZXBD   X6, Y6

// Q4K_TOKEN_CHUNK: one token's sub-block products for chunk j (Y11 low nibbles with
// scales Y13, Y12 high nibbles with scales Y14) into its int32 sums.
#define Q4K_TOKEN_CHUNK(xlo, xhi, sumi) \
	VPMADDUBSW xlo, Y11, Y15; \
	VPMADDWD   Y13, Y15, Y15; \
	VPADDD     Y15, sumi, sumi; \
	VPMADDUBSW xhi, Y12, Y15; \
	VPMADDWD   Y14, Y15, Y15; \
	VPADDD     Y15, sumi, sumi

#define Q4K_CHUNK4(woff, xoff, soff) \
	VMOVDQU    woff(SI), Y11; \
	VPSRLW     $4, Y11, Y12; \
	VPAND      mask0F<>(SB), Y11, Y11; \
	VPAND      mask0F<>(SB), Y12, Y12; \
	VPSHUFB    q4kShuf<>+soff(SB), Y5, Y13; \
	VPSHUFB    q4kShuf<>+soff+32(SB), Y5, Y14; \
	Q4K_TOKEN_CHUNK(XT0(xoff), XT0(xoff+32), Y7); \
	Q4K_TOKEN_CHUNK(XT1(xoff), XT1(xoff+32), Y8); \
	Q4K_TOKEN_CHUNK(XT2(xoff), XT2(xoff+32), Y9); \
	Q4K_TOKEN_CHUNK(XT3(xoff), XT3(xoff+32), Y10)

// Q4K_FINISH: acc += dx * (d*sumi - dmin*(mins . pair sums)) for one token, with Y11 = d,
// Y12 = dmin, Y13 = int16 ones.
#define Q4K_FINISH(xd, xs, sumi, acc) \
	VCVTDQ2PS    sumi, sumi; \
	VMULPS       Y11, sumi, sumi; \
	MOVQ         xs, AX; \
	VPMADDWD     (AX)(R8*1), Y13, Y15; \
	VPMULLD      Y6, Y15, Y15; \
	VCVTDQ2PS    Y15, Y15; \
	VFNMADD231PS Y12, Y15, sumi; \
	MOVQ         xd, AX; \
	VBROADCASTSS (AX)(BX*1), Y15; \
	VFMADD231PS  Y15, sumi, acc

// Q6K_QUARTER: decode quarter k of half n (ql at qoff, qh at hoff, shift of qh into bits
// 4-5 given by HI) and add its products for the four tokens (x at xoff).
#define Q6K_Q1(qoff, hoff) \
	VMOVDQU qoff(SI), Y10; \
	VPAND   mask0F<>(SB), Y10, Y10; \
	VMOVDQU hoff(SI), Y13; \
	VPSLLW  $4, Y13, Y13; \
	VPAND   mask30<>(SB), Y13, Y13; \
	VPOR    Y13, Y10, Y11

#define Q6K_Q2(qoff, hoff) \
	VMOVDQU qoff+32(SI), Y10; \
	VPAND   mask0F<>(SB), Y10, Y10; \
	VMOVDQU hoff(SI), Y13; \
	VPSLLW  $2, Y13, Y13; \
	VPAND   mask30<>(SB), Y13, Y13; \
	VPOR    Y13, Y10, Y11

#define Q6K_Q3(qoff, hoff) \
	VMOVDQU qoff(SI), Y10; \
	VPSRLW  $4, Y10, Y10; \
	VPAND   mask0F<>(SB), Y10, Y10; \
	VMOVDQU hoff(SI), Y13; \
	VPAND   mask30<>(SB), Y13, Y13; \
	VPOR    Y13, Y10, Y11

#define Q6K_Q4(qoff, hoff) \
	VMOVDQU qoff+32(SI), Y10; \
	VPSRLW  $4, Y10, Y10; \
	VPAND   mask0F<>(SB), Y10, Y10; \
	VMOVDQU hoff(SI), Y13; \
	VPSRLW  $2, Y13, Y13; \
	VPAND   mask30<>(SB), Y13, Y13; \
	VPOR    Y13, Y10, Y11

#define Q6K_TOKEN(xaddr, sumi) \
	VPMADDUBSW xaddr, Y11, Y14; \
	VPMADDWD   Y12, Y14, Y14; \
	VPADDD     Y14, sumi, sumi

#define Q6K_QUARTER(DECODE, qoff, hoff, xoff, soff) \
	DECODE(qoff, hoff); \
	VPSHUFB q6kShuf<>+soff(SB), Y9, Y12; \
	Q6K_TOKEN(XT0(xoff), Y4); \
	Q6K_TOKEN(XT1(xoff), Y5); \
	Q6K_TOKEN(XT2(xoff), Y6); \
	Q6K_TOKEN(XT3(xoff), Y7)

#define Q6K_HALF4(qoff, hoff, xoff, perm) \
	VPERMQ $perm, Y8, Y9; \
	Q6K_QUARTER(Q6K_Q1, qoff, hoff, xoff, 0); \
	Q6K_QUARTER(Q6K_Q2, qoff, hoff, xoff+32, 32); \
	Q6K_QUARTER(Q6K_Q3, qoff, hoff, xoff+64, 64); \
	Q6K_QUARTER(Q6K_Q4, qoff, hoff, xoff+96, 96)

// Q6K_INIT sets a token's sums to -32 * sum(scale * bsum) (the -32 offset of every value).
#define Q6K_INIT(xs, sumi) \
	MOVQ     xs, AX; \
	VPMADDWD (AX)(R8*1), Y8, sumi; \
	VPSLLD   $5, sumi, sumi; \
	VPSUBD   sumi, Y15, sumi

// Q6K_FINISH: acc += d * dx * sumi, with Y13 = d.
#define Q6K_FINISH(xd, sumi, acc) \
	VCVTDQ2PS    sumi, sumi; \
	MOVQ         xd, AX; \
	VBROADCASTSS (AX)(BX*1), Y14; \
	VMULPS       Y13, Y14, Y14; \
	VFMADD231PS  Y14, sumi, acc

// func mvQ4KAVX2(w *byte, xq *int8, xd *float32, xs *int16, out *float32, rows, nb int)
TEXT ·mvQ4KAVX2(SB), NOSPLIT, $0-56
	MVK_PROLOGUE

row:
	MVK_ROW_START

block:
	PREFETCHT0   2048(SI)
	PREFETCHT0   2112(SI)
	PREFETCHT0   2176(SI)
	Q4K_SCALES
	VPMADDWD     (DX), Y15, Y7
	VPMULLD      Y6, Y7, Y7
	VCVTDQ2PS    Y7, Y7
	VBROADCASTSS (BX), Y9
	VPBROADCASTW 2(SI), X8
	VCVTPH2PS    X8, Y8
	VMULPS       Y9, Y8, Y8
	VFMADD231PS  Y8, Y7, Y1
	VPXOR        Y10, Y10, Y10
	Q4K_CHUNK(16, 0, 0, Y10)
	Q4K_CHUNK(48, 64, 64, Y10)
	Q4K_CHUNK(80, 128, 128, Y10)
	Q4K_CHUNK(112, 192, 192, Y10)
	VCVTDQ2PS    Y10, Y10
	VPBROADCASTW (SI), X8
	VCVTPH2PS    X8, Y8
	VMULPS       Y9, Y8, Y8
	VFMADD231PS  Y8, Y10, Y0
	ADDQ         $144, SI
	ADDQ         $256, DI
	ADDQ         $4, BX
	ADDQ         $32, DX
	DECQ         CX
	JNZ          block
	MVK_ROW_END
	DECQ         R11
	JNZ          row
	VZEROUPPER
	RET

// func mvQ6KAVX2(w *byte, xq *int8, xd *float32, xs *int16, out *float32, rows, nb int)
TEXT ·mvQ6KAVX2(SB), NOSPLIT, $0-56
	MVK_PROLOGUE

row:
	MVK_ROW_START

block:
	PREFETCHT0   2048(SI)
	PREFETCHT0   2112(SI)
	PREFETCHT0   2176(SI)
	PREFETCHT0   2240(SI)
	VPMOVSXBW    192(SI), Y5
	VPMADDWD     (DX), Y5, Y7
	VPSLLD       $5, Y7, Y7
	VPXOR        Y10, Y10, Y10
	VPSUBD       Y7, Y10, Y10
	Q6K_HALF(0, 128, 0, 0x44)
	Q6K_HALF(64, 160, 128, 0xEE)
	VCVTDQ2PS    Y10, Y10
	VBROADCASTSS (BX), Y9
	VPBROADCASTW 208(SI), X8
	VCVTPH2PS    X8, Y8
	VMULPS       Y9, Y8, Y8
	VFMADD231PS  Y8, Y10, Y0
	ADDQ         $210, SI
	ADDQ         $256, DI
	ADDQ         $4, BX
	ADDQ         $32, DX
	DECQ         CX
	JNZ          block
	MVK_ROW_END
	DECQ         R11
	JNZ          row
	VZEROUPPER
	RET

// func mmQ4Kx4AVX2(w *byte, xq *int8, xd0, xd1, xd2, xd3 *float32, xs0, xs1, xs2, xs3 *int16, out *float32, ldo, rows, nb int)
TEXT ·mmQ4Kx4AVX2(SB), NOSPLIT, $0-112
	MMK_PROLOGUE

row:
	MMK_ROW_START

block:
	Q4K_SCALES4
	VPXOR        Y7, Y7, Y7
	VPXOR        Y8, Y8, Y8
	VPXOR        Y9, Y9, Y9
	VPXOR        Y10, Y10, Y10
	Q4K_CHUNK4(16, 0, 0)
	Q4K_CHUNK4(48, 64, 64)
	Q4K_CHUNK4(80, 128, 128)
	Q4K_CHUNK4(112, 192, 192)
	VPBROADCASTW (SI), X11
	VCVTPH2PS    X11, Y11
	VPBROADCASTW 2(SI), X12
	VCVTPH2PS    X12, Y12
	VMOVDQU      ones16<>(SB), Y13
	Q4K_FINISH(xd0+16(FP), xs0+48(FP), Y7, Y0)
	Q4K_FINISH(xd1+24(FP), xs1+56(FP), Y8, Y1)
	Q4K_FINISH(xd2+32(FP), xs2+64(FP), Y9, Y2)
	Q4K_FINISH(xd3+40(FP), xs3+72(FP), Y10, Y3)
	MMK_NEXT_BLOCK(144)
	JNZ          block
	MMK_ROW_END
	DECQ         R11
	JNZ          row
	VZEROUPPER
	RET

// func mmQ6Kx4AVX2(w *byte, xq *int8, xd0, xd1, xd2, xd3 *float32, xs0, xs1, xs2, xs3 *int16, out *float32, ldo, rows, nb int)
TEXT ·mmQ6Kx4AVX2(SB), NOSPLIT, $0-112
	MMK_PROLOGUE

row:
	MMK_ROW_START

block:
	VPMOVSXBW    192(SI), Y8
	VPXOR        Y15, Y15, Y15
	Q6K_INIT(xs0+48(FP), Y4)
	Q6K_INIT(xs1+56(FP), Y5)
	Q6K_INIT(xs2+64(FP), Y6)
	Q6K_INIT(xs3+72(FP), Y7)
	Q6K_HALF4(0, 128, 0, 0x44)
	Q6K_HALF4(64, 160, 128, 0xEE)
	VPBROADCASTW 208(SI), X13
	VCVTPH2PS    X13, Y13
	Q6K_FINISH(xd0+16(FP), Y4, Y0)
	Q6K_FINISH(xd1+24(FP), Y5, Y1)
	Q6K_FINISH(xd2+32(FP), Y6, Y2)
	Q6K_FINISH(xd3+40(FP), Y7, Y3)
	MMK_NEXT_BLOCK(210)
	JNZ          block
	MMK_ROW_END
	DECQ         R11
	JNZ          row
	VZEROUPPER
	RET
