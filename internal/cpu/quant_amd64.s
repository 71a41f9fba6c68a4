//go:build amd64 && !purego

#include "textflag.h"

// Activation quantisers, AVX2: float32 rows to int8 values with float32 scales. Values
// round to nearest even (VCVTPS2DQ under Go's default MXCSR).

DATA packPerm<>+0(SB)/8, $0x0000000400000000
DATA packPerm<>+8(SB)/8, $0x0000000500000001
DATA packPerm<>+16(SB)/8, $0x0000000600000002
DATA packPerm<>+24(SB)/8, $0x0000000700000003
GLOBL packPerm<>(SB), RODATA|NOPTR, $32

DATA absMask<>+0(SB)/4, $0x7fffffff
GLOBL absMask<>(SB), RODATA|NOPTR, $4

DATA f127<>+0(SB)/4, $127.0
GLOBL f127<>(SB), RODATA|NOPTR, $4

// AMAX32 sets Y5 to the lane-wise max |x| of the 32 floats at SI+off, max-ed into Y5.
#define AMAX32(off) \
	VANDPS off(SI), Y15, Y1; \
	VANDPS off+32(SI), Y15, Y2; \
	VANDPS off+64(SI), Y15, Y3; \
	VANDPS off+96(SI), Y15, Y4; \
	VMAXPS Y1, Y5, Y5; \
	VMAXPS Y2, Y5, Y5; \
	VMAXPS Y3, Y5, Y5; \
	VMAXPS Y4, Y5, Y5

// HMAX reduces Y5 to its maximum in the low lane of X5 (clobbers X6).
#define HMAX \
	VEXTRACTF128 $1, Y5, X6; \
	VMAXPS       X6, X5, X5; \
	VMOVHLPS     X5, X6, X6; \
	VMAXPS       X6, X5, X5; \
	VMOVSHDUP    X5, X6; \
	VMAXSS       X6, X5, X5

// QUANT32 writes round(x*Y7) for the 32 floats at SI+xoff as int8 to DI+qoff, leaving the
// int32 values in Y1..Y4 (elements 0-7, 8-15, 16-23, 24-31).
#define QUANT32(xoff, qoff) \
	VMULPS     xoff(SI), Y7, Y1; \
	VMULPS     xoff+32(SI), Y7, Y2; \
	VMULPS     xoff+64(SI), Y7, Y3; \
	VMULPS     xoff+96(SI), Y7, Y4; \
	VCVTPS2DQ  Y1, Y1; \
	VCVTPS2DQ  Y2, Y2; \
	VCVTPS2DQ  Y3, Y3; \
	VCVTPS2DQ  Y4, Y4; \
	VPACKSSDW  Y2, Y1, Y8; \
	VPACKSSDW  Y4, Y3, Y9; \
	VPACKSSWB  Y9, Y8, Y8; \
	VPERMD     Y8, Y14, Y8; \
	VMOVDQU    Y8, qoff(DI)

// SCALES: from amax in X5, store d = amax/127 at (BX) and broadcast 127/amax (0 when
// amax is 0) into Y7.
#define SCALES \
	VMOVSS       f127<>(SB), X6; \
	VDIVSS       X6, X5, X8; \
	VMOVSS       X8, (BX); \
	VXORPS       X9, X9, X9; \
	VCMPSS       $4, X9, X5, X10; \
	VDIVSS       X5, X6, X7; \
	VANDPS       X10, X7, X7; \
	VBROADCASTSS X7, Y7

// func quantQ8_0AVX2(x *float32, qs *int8, d *float32, nb int)
TEXT ·quantQ8_0AVX2(SB), NOSPLIT, $0-32
	MOVQ         x+0(FP), SI
	MOVQ         qs+8(FP), DI
	MOVQ         d+16(FP), BX
	MOVQ         nb+24(FP), CX
	VBROADCASTSS absMask<>(SB), Y15
	VMOVDQU      packPerm<>(SB), Y14

block:
	VXORPS Y5, Y5, Y5
	AMAX32(0)
	HMAX
	SCALES
	QUANT32(0, 0)
	ADDQ   $128, SI
	ADDQ   $32, DI
	ADDQ   $4, BX
	DECQ   CX
	JNZ    block
	VZEROUPPER
	RET

// BSUMS2 stores the sums of elements 0-15 and 16-31 of the last QUANT32 (int32 in
// Y1..Y4) as two int16 at DX+off.
#define BSUMS2(off) \
	VPADDD       Y2, Y1, Y1; \
	VPADDD       Y4, Y3, Y3; \
	VPHADDD      Y3, Y1, Y1; \
	VPHADDD      Y1, Y1, Y1; \
	VEXTRACTI128 $1, Y1, X2; \
	VPADDD       X2, X1, X1; \
	VPACKSSDW    X1, X1, X1; \
	VMOVD        X1, off(DX)

// func quantQ8KAVX2(x *float32, qs *int8, d *float32, bsums *int16, nb int)
TEXT ·quantQ8KAVX2(SB), NOSPLIT, $0-40
	MOVQ         x+0(FP), SI
	MOVQ         qs+8(FP), DI
	MOVQ         d+16(FP), BX
	MOVQ         bsums+24(FP), DX
	MOVQ         nb+32(FP), CX
	VBROADCASTSS absMask<>(SB), Y15
	VMOVDQU      packPerm<>(SB), Y14

block:
	VXORPS Y5, Y5, Y5
	AMAX32(0)
	AMAX32(128)
	AMAX32(256)
	AMAX32(384)
	AMAX32(512)
	AMAX32(640)
	AMAX32(768)
	AMAX32(896)
	HMAX
	SCALES
	QUANT32(0, 0)
	BSUMS2(0)
	QUANT32(128, 32)
	BSUMS2(4)
	QUANT32(256, 64)
	BSUMS2(8)
	QUANT32(384, 96)
	BSUMS2(12)
	QUANT32(512, 128)
	BSUMS2(16)
	QUANT32(640, 160)
	BSUMS2(20)
	QUANT32(768, 192)
	BSUMS2(24)
	QUANT32(896, 224)
	BSUMS2(28)
	ADDQ   $1024, SI
	ADDQ   $256, DI
	ADDQ   $4, BX
	ADDQ   $32, DX
	DECQ   CX
	JNZ    block
	VZEROUPPER
	RET
