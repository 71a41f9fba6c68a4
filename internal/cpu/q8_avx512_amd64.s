//go:build amd64 && !purego

#include "textflag.h"
#include "macros_amd64.h"

// Q8_0 and Q4_0 weights against Q8_0 activations with AVX-512 VNNI: two blocks per 512-bit
// register, VPDPBUSD for the byte products. VPDPBUSD multiplies unsigned by signed bytes,
// so |w| is the unsigned operand and x is negated where w < 0 (mask K1).
//
// Constant registers: Z28 bytes of 8, Z29 bytes of 0x0f, Z30 zero, Z31 the lane index
// that spreads two block scales over eight lanes each.

DATA pairIdx<>+0(SB)/8, $0
DATA pairIdx<>+8(SB)/8, $0
DATA pairIdx<>+16(SB)/8, $0
DATA pairIdx<>+24(SB)/8, $0
DATA pairIdx<>+32(SB)/8, $0x0000000100000001
DATA pairIdx<>+40(SB)/8, $0x0000000100000001
DATA pairIdx<>+48(SB)/8, $0x0000000100000001
DATA pairIdx<>+56(SB)/8, $0x0000000100000001
GLOBL pairIdx<>(SB), RODATA|NOPTR, $64

#define CONSTS512 \
	MOVL         $0x08080808, AX; \
	VPBROADCASTD AX, Z28; \
	MOVL         $0x0f0f0f0f, AX; \
	VPBROADCASTD AX, Z29; \
	VPXORD       Z30, Z30, Z30; \
	VMOVDQU32    pairIdx<>(SB), Z31

// Two-block weight decoders at SI: Z14 = |w|, K1 = (w < 0), Z15 = the two block scales
// (eight lanes each). Clobber Z12, Z13.
#define W2_Q8 \
	VMOVDQU      2(SI), Y12; \
	VINSERTI64X4 $1, 36(SI), Z12, Z12; \
	VPABSB       Z12, Z14; \
	VPMOVB2M     Z12, K1; \
	VPBROADCASTW (SI), X15; \
	VPBROADCASTW 34(SI), X13; \
	VINSERTI128  $1, X13, Y15, Y15; \
	VCVTPH2PS    Y15, Z15

#define W2_Q4 \
	VMOVDQU      2(SI), X12; \
	VINSERTI128  $1, 20(SI), Y12, Y12; \
	VPSRLW       $4, Y12, Y13; \
	VINSERTI64X4 $1, Y13, Z12, Z12; \
	VSHUFI64X2   $0xd8, Z12, Z12, Z12; \
	VPANDD       Z29, Z12, Z12; \
	VPSUBB       Z28, Z12, Z12; \
	VPABSB       Z12, Z14; \
	VPMOVB2M     Z12, K1; \
	VPBROADCASTW (SI), X15; \
	VPBROADCASTW 18(SI), X13; \
	VINSERTI128  $1, X13, Y15, Y15; \
	VCVTPH2PS    Y15, Z15

// One-block decoders: the same in the low 256 bits.
#define W1_Q8 \
	VMOVDQU      2(SI), Y12; \
	VPABSB       Y12, Y14; \
	VPMOVB2M     Y12, K1; \
	VPBROADCASTW (SI), X15; \
	VCVTPH2PS    X15, Y15

#define W1_Q4 \
	VMOVDQU      2(SI), X12; \
	VPSRLW       $4, X12, X13; \
	VINSERTI128  $1, X13, Y12, Y12; \
	VPANDD       Y29, Y12, Y12; \
	VPSUBB       Y28, Y12, Y12; \
	VPABSB       Y12, Y14; \
	VPMOVB2M     Y12, K1; \
	VPBROADCASTW (SI), X15; \
	VCVTPH2PS    X15, Y15

// TOK2 adds one token's two-block product to acc (x at xaddr, its two scales at daddr).
#define TOK2(xaddr, daddr, acc) \
	VMOVDQU64   xaddr, Z16; \
	VPSUBB      Z16, Z30, K1, Z16; \
	VPXORD      Z17, Z17, Z17; \
	VPDPBUSD    Z16, Z14, Z17; \
	VCVTDQ2PS   Z17, Z17; \
	VMOVQ       daddr, X18; \
	VPERMPS     Z18, Z31, Z18; \
	VMULPS      Z15, Z18, Z18; \
	VFMADD231PS Z18, Z17, acc

// TOK1 adds one token's one-block product to acc.
#define TOK1(xaddr, daddr, acc) \
	VMOVDQU64    xaddr, Y16; \
	VPSUBB       Y16, Y30, K1, Y16; \
	VPXORD       Y17, Y17, Y17; \
	VPDPBUSD     Y16, Y14, Y17; \
	VCVTDQ2PS    Y17, Y17; \
	VBROADCASTSS daddr, Y18; \
	VMULPS       Y15, Y18, Y18; \
	VMULPS       Y18, Y17, Y17; \
	VADDPS       Z17, acc, acc

#define ZREDUCE \
	VEXTRACTF64X4 $1, Z0, Y1; \
	VADDPS        Y1, Y0, Y0; \
	HSUM8

#define MV512_ROW_START \
	MOVQ   xq+8(FP), DI; \
	MOVQ   xd+16(FP), BX; \
	MOVQ   nb+40(FP), CX; \
	VXORPS Z0, Z0, Z0; \
	VXORPS Z1, Z1, Z1

#define MV512_ROW_END \
	VADDPS Z1, Z0, Z0; \
	ZREDUCE; \
	MOVSS  X0, (R10); \
	ADDQ   $4, R10

// x4: token t's values at DI + t*R12 (R13 = 3*R12), scales at BX + t*DX (AX = 3*DX),
// outputs at R10 + t*R14 (R15 = 3*R14); Z0..Z3 accumulate.
#define MM512_PROLOGUE \
	CONSTS512; \
	MOVQ w+0(FP), SI; \
	MOVQ out+24(FP), R10; \
	MOVQ ldo+32(FP), R14; \
	SHLQ $2, R14; \
	LEAQ (R14)(R14*2), R15; \
	MOVQ rows+40(FP), R11; \
	MOVQ nb+48(FP), DX; \
	MOVQ DX, R12; \
	SHLQ $5, R12; \
	LEAQ (R12)(R12*2), R13; \
	SHLQ $2, DX; \
	LEAQ (DX)(DX*2), AX

#define MM512_ROW_START \
	MOVQ   xq+8(FP), DI; \
	MOVQ   xd+16(FP), BX; \
	MOVQ   nb+48(FP), CX; \
	VXORPS Z0, Z0, Z0; \
	VXORPS Z1, Z1, Z1; \
	VXORPS Z2, Z2, Z2; \
	VXORPS Z3, Z3, Z3

#define MM512_TOKENS(TOK, step) \
	TOK((DI), (BX), Z0); \
	TOK((DI)(R12*1), (BX)(DX*1), Z1); \
	TOK((DI)(R12*2), (BX)(DX*2), Z2); \
	TOK((DI)(R13*1), (BX)(AX*1), Z3)

#define MM512_ROW_END \
	VEXTRACTF64X4 $1, Z0, Y8; \
	VADDPS        Y8, Y0, Y0; \
	VEXTRACTF64X4 $1, Z1, Y8; \
	VADDPS        Y8, Y1, Y1; \
	VEXTRACTF64X4 $1, Z2, Y8; \
	VADDPS        Y8, Y2, Y2; \
	VEXTRACTF64X4 $1, Z3, Y8; \
	VADDPS        Y8, Y3, Y3; \
	HSUM4x8; \
	STORE4; \
	ADDQ          $4, R10

// func mvQ8_0AVX512(w *byte, xq *int8, xd *float32, out *float32, rows, nb int)
TEXT ·mvQ8_0AVX512(SB), NOSPLIT, $0-48
	CONSTS512
	MOVQ w+0(FP), SI
	MOVQ out+24(FP), R10
	MOVQ rows+32(FP), R11

row:
	MV512_ROW_START

loop2:
	CMPQ       CX, $2
	JL         tail
	PREFETCHT0 2048(SI)
	W2_Q8
	TOK2((DI), (BX), Z0)
	ADDQ $68, SI
	ADDQ $64, DI
	ADDQ $8, BX
	SUBQ $2, CX
	JMP  loop2

tail:
	TESTQ CX, CX
	JZ    done
	W1_Q8
	TOK1((DI), (BX), Z1)
	ADDQ  $34, SI

done:
	MV512_ROW_END
	DECQ R11
	JNZ  row
	VZEROUPPER
	RET

// Q4_0 decode: four blocks per pass. The nibbles (0..15) are VPDPBUSD's unsigned operand
// as they are; the -8 offset is an int32 bias per lane, -8 times the sum of the x bytes
// that lane meets, which the accumulator starts from. x, the bias and the x scales come
// pre-arranged per group of four blocks (prepQ4_0AVX512), so one pass needs one byte
// gather (VPERMT2B) for the four blocks' nibbles and one word gather (VPERMW) for their
// scales. Lane j of a pass belongs to block j/4.
//
// Side layout per group of four blocks (256 bytes): xlo (the first 16 values of each
// block), xhi (the last 16), bias (16 int32), dx (16 float32, block scale per lane).

DATA q4GatherIdx<>+0(SB)/8, $0x0908070605040302
DATA q4GatherIdx<>+8(SB)/8, $0x11100f0e0d0c0b0a
DATA q4GatherIdx<>+16(SB)/8, $0x1b1a191817161514
DATA q4GatherIdx<>+24(SB)/8, $0x232221201f1e1d1c
DATA q4GatherIdx<>+32(SB)/8, $0x2d2c2b2a29282726
DATA q4GatherIdx<>+40(SB)/8, $0x3534333231302f2e
DATA q4GatherIdx<>+48(SB)/8, $0x3f3e3d3c3b3a3938
DATA q4GatherIdx<>+56(SB)/8, $0x7f7e7d7c7b7a7978
GLOBL q4GatherIdx<>(SB), RODATA|NOPTR, $64

DATA q4ScaleIdx<>+0(SB)/8, $0x0000000000000000
DATA q4ScaleIdx<>+8(SB)/8, $0x0009000900090009
DATA q4ScaleIdx<>+16(SB)/8, $0x0012001200120012
DATA q4ScaleIdx<>+24(SB)/8, $0x001b001b001b001b
DATA q4ScaleIdx<>+32(SB)/8, $0
DATA q4ScaleIdx<>+40(SB)/8, $0
DATA q4ScaleIdx<>+48(SB)/8, $0
DATA q4ScaleIdx<>+56(SB)/8, $0
GLOBL q4ScaleIdx<>(SB), RODATA|NOPTR, $64

DATA q4DxIdx<>+0(SB)/8, $0
DATA q4DxIdx<>+8(SB)/8, $0
DATA q4DxIdx<>+16(SB)/8, $0x0000000100000001
DATA q4DxIdx<>+24(SB)/8, $0x0000000100000001
DATA q4DxIdx<>+32(SB)/8, $0x0000000200000002
DATA q4DxIdx<>+40(SB)/8, $0x0000000200000002
DATA q4DxIdx<>+48(SB)/8, $0x0000000300000003
DATA q4DxIdx<>+56(SB)/8, $0x0000000300000003
GLOBL q4DxIdx<>(SB), RODATA|NOPTR, $64

// Q4GROUP adds four blocks' product to acc: weights at woff(SI), side data at soff(DX).
#define Q4GROUP(woff, soff, acc) \
	PREFETCHT0  2048+woff(SI); \
	VMOVDQU64   woff(SI), Z12; \
	VPERMW      woff(SI), Z26, Z15; \
	VPERMT2B    8+woff(SI), Z27, Z12; \
	VPSRLW      $4, Z12, Z13; \
	VPANDD      Z29, Z12, Z12; \
	VPANDD      Z29, Z13, Z13; \
	VMOVDQU32   128+soff(DX), Z17; \
	VPDPBUSD    soff(DX), Z12, Z17; \
	VPDPBUSD    64+soff(DX), Z13, Z17; \
	VCVTDQ2PS   Z17, Z17; \
	VMULPS      192+soff(DX), Z17, Z17; \
	VCVTPH2PS   Y15, Z15; \
	VFMADD231PS Z15, Z17, acc

// func prepQ4_0AVX512(xq *int8, xd *float32, side *byte, ng int)
TEXT ·prepQ4_0AVX512(SB), NOSPLIT, $0-32
	MOVQ         xq+0(FP), DI
	MOVQ         xd+8(FP), BX
	MOVQ         side+16(FP), R8
	MOVQ         ng+24(FP), CX
	MOVL         $0x08080808, AX
	VPBROADCASTD AX, Z28
	VPXORD       Z30, Z30, Z30
	VMOVDQU32    q4DxIdx<>(SB), Z31

prep:
	VMOVDQU64  (DI), Z0
	VMOVDQU64  64(DI), Z1
	VSHUFI64X2 $0x88, Z1, Z0, Z2
	VSHUFI64X2 $0xdd, Z1, Z0, Z3
	VMOVDQU64  Z2, (R8)
	VMOVDQU64  Z3, 64(R8)
	VPXORD     Z4, Z4, Z4
	VPDPBUSD   Z2, Z28, Z4
	VPDPBUSD   Z3, Z28, Z4
	VPSUBD     Z4, Z30, Z4
	VMOVDQU32  Z4, 128(R8)
	VMOVUPS    (BX), X5
	VPERMPS    Z5, Z31, Z5
	VMOVUPS    Z5, 192(R8)
	ADDQ       $128, DI
	ADDQ       $16, BX
	ADDQ       $256, R8
	DECQ       CX
	JNZ        prep
	VZEROUPPER
	RET

// func mvQ4_0AVX512(w *byte, xq *int8, xd *float32, side *byte, out *float32, rows, nb int)
TEXT ·mvQ4_0AVX512(SB), NOSPLIT, $0-56
	CONSTS512
	VMOVDQU64 q4GatherIdx<>(SB), Z27
	VMOVDQU64 q4ScaleIdx<>(SB), Z26
	MOVQ      w+0(FP), SI
	MOVQ      out+32(FP), R10
	MOVQ      rows+40(FP), R11
	MOVQ      nb+48(FP), R12
	MOVQ      R12, R13
	SHRQ      $2, R13
	MOVQ      R13, R9
	SHLQ      $7, R9
	MOVQ      R13, R8
	SHLQ      $4, R8

row:
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	MOVQ   side+24(FP), DX
	MOVQ   R13, CX

loop8:
	CMPQ CX, $2
	JL   loop4
	Q4GROUP(0, 0, Z0)
	Q4GROUP(72, 256, Z1)
	ADDQ $144, SI
	ADDQ $512, DX
	SUBQ $2, CX
	JMP  loop8

loop4:
	TESTQ CX, CX
	JZ    tail4
	Q4GROUP(0, 0, Z0)
	ADDQ  $72, SI
	ADDQ  $256, DX

tail4:
	// The last nb%4 blocks one at a time from the plain activations.
	MOVQ xq+8(FP), DI
	MOVQ xd+16(FP), BX
	ADDQ R9, DI
	ADDQ R8, BX
	MOVQ R12, CX
	ANDQ $3, CX
	JZ   done

tail1:
	W1_Q4
	TOK1((DI), (BX), Z1)
	ADDQ $18, SI
	ADDQ $32, DI
	ADDQ $4, BX
	DECQ CX
	JNZ  tail1

done:
	MV512_ROW_END
	DECQ R11
	JNZ  row
	VZEROUPPER
	RET

// func mmQ8_0x4AVX512(w *byte, xq *int8, xd *float32, out *float32, ldo int, rows, nb int)
TEXT ·mmQ8_0x4AVX512(SB), NOSPLIT, $0-56
	MM512_PROLOGUE

row:
	MM512_ROW_START

loop2:
	CMPQ CX, $2
	JL   tail
	W2_Q8
	MM512_TOKENS(TOK2, 0)
	ADDQ $68, SI
	ADDQ $64, DI
	ADDQ $8, BX
	SUBQ $2, CX
	JMP  loop2

tail:
	TESTQ CX, CX
	JZ    done
	W1_Q8
	MM512_TOKENS(TOK1, 0)
	ADDQ  $34, SI

done:
	MM512_ROW_END
	DECQ R11
	JNZ  row
	VZEROUPPER
	RET

// Q4_0 prefill: four tokens per pass over a weight row, each with its own side data
// (prepQ4_0AVX512) at side + t*R8 (R9 = 3*R8). The nibbles and scales of four blocks
// are unpacked once (Q4W) and shared by the four tokens (Q4TOK); nb%4 leftover blocks
// take the signed one-block path from the plain activations.

// Q4W unpacks four blocks at SI: Z12 low nibbles, Z13 high nibbles, Z15 scales per lane.
#define Q4W \
	PREFETCHT0 2048(SI); \
	VMOVDQU64  (SI), Z12; \
	VPERMW     (SI), Z26, Z15; \
	VPERMT2B   8(SI), Z27, Z12; \
	VPSRLW     $4, Z12, Z13; \
	VPANDD     Z29, Z12, Z12; \
	VPANDD     Z29, Z13, Z13; \
	VCVTPH2PS  Y15, Z15

// Q4TOK adds one token's four-block product to acc from its side data (xlo, xhi, bias, dx).
#define Q4TOK(xlo, xhi, bias, dx, t, acc) \
	VMOVDQU32   bias, t; \
	VPDPBUSD    xlo, Z12, t; \
	VPDPBUSD    xhi, Z13, t; \
	VCVTDQ2PS   t, t; \
	VMULPS      dx, t, t; \
	VFMADD231PS Z15, t, acc

// func mmQ4_0x4AVX512(w *byte, xq *int8, xd *float32, side *byte, out *float32, ldo int, rows, nb int)
TEXT ·mmQ4_0x4AVX512(SB), NOSPLIT, $0-64
	CONSTS512
	VMOVDQU64 q4GatherIdx<>(SB), Z27
	VMOVDQU64 q4ScaleIdx<>(SB), Z26
	MOVQ      w+0(FP), SI
	MOVQ      out+32(FP), R10
	MOVQ      ldo+40(FP), R14
	SHLQ      $2, R14
	LEAQ      (R14)(R14*2), R15
	MOVQ      rows+48(FP), R11
	MOVQ      nb+56(FP), DX
	MOVQ      DX, R12
	SHLQ      $5, R12
	LEAQ      (R12)(R12*2), R13
	MOVQ      DX, R8
	ANDQ      $-4, R8
	SHLQ      $6, R8
	LEAQ      (R8)(R8*2), R9
	SHLQ      $2, DX
	LEAQ      (DX)(DX*2), AX

row:
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	MOVQ   side+24(FP), DI
	MOVQ   nb+56(FP), CX
	SHRQ   $2, CX
	JZ     tail4

loop4:
	Q4W
	Q4TOK((DI), 64(DI), 128(DI), 192(DI), Z16, Z0)
	Q4TOK((DI)(R8*1), 64(DI)(R8*1), 128(DI)(R8*1), 192(DI)(R8*1), Z17, Z1)
	Q4TOK((DI)(R8*2), 64(DI)(R8*2), 128(DI)(R8*2), 192(DI)(R8*2), Z18, Z2)
	Q4TOK((DI)(R9*1), 64(DI)(R9*1), 128(DI)(R9*1), 192(DI)(R9*1), Z19, Z3)
	ADDQ $72, SI
	ADDQ $256, DI
	DECQ CX
	JNZ  loop4

tail4:
	MOVQ nb+56(FP), CX
	MOVQ CX, BX
	ANDQ $-4, BX
	MOVQ BX, DI
	SHLQ $5, DI
	ADDQ xq+8(FP), DI
	SHLQ $2, BX
	ADDQ xd+16(FP), BX
	ANDQ $3, CX
	JZ   done

tail1:
	W1_Q4
	MM512_TOKENS(TOK1, 0)
	ADDQ $18, SI
	ADDQ $32, DI
	ADDQ $4, BX
	DECQ CX
	JNZ  tail1

done:
	MM512_ROW_END
	DECQ R11
	JNZ  row
	VZEROUPPER
	RET
