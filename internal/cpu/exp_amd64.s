//go:build amd64 && !purego

#include "textflag.h"

// Vector exp for softmax and SiLU, AVX2+FMA: exp(x) = 2^n * e^r with n = round(x/ln2),
// r = x - n*ln2 (split in two parts), e^r from Cephes' degree-6 polynomial (about 1 ulp).
// Inputs are clamped to [-87.3, 88.37]; below -87.3 the result is exactly 0.

// Each constant fills 32 bytes so that it can be a memory operand:
// hi, lo, log2e, C1, C2, p5..p0, 1.0 at offsets 0, 32, ..., 352.
DATA expC<>+0(SB)/8, $0x42b0c0a542b0c0a5 // expHi
DATA expC<>+8(SB)/8, $0x42b0c0a542b0c0a5
DATA expC<>+16(SB)/8, $0x42b0c0a542b0c0a5
DATA expC<>+24(SB)/8, $0x42b0c0a542b0c0a5
DATA expC<>+32(SB)/8, $0xc2aeac50c2aeac50 // expLo
DATA expC<>+40(SB)/8, $0xc2aeac50c2aeac50
DATA expC<>+48(SB)/8, $0xc2aeac50c2aeac50
DATA expC<>+56(SB)/8, $0xc2aeac50c2aeac50
DATA expC<>+64(SB)/8, $0x3fb8aa3b3fb8aa3b // expLog2e
DATA expC<>+72(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA expC<>+80(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA expC<>+88(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA expC<>+96(SB)/8, $0x3f3180003f318000 // expC1
DATA expC<>+104(SB)/8, $0x3f3180003f318000
DATA expC<>+112(SB)/8, $0x3f3180003f318000
DATA expC<>+120(SB)/8, $0x3f3180003f318000
DATA expC<>+128(SB)/8, $0xb95e8083b95e8083 // expC2
DATA expC<>+136(SB)/8, $0xb95e8083b95e8083
DATA expC<>+144(SB)/8, $0xb95e8083b95e8083
DATA expC<>+152(SB)/8, $0xb95e8083b95e8083
DATA expC<>+160(SB)/8, $0x3950696739506967 // expP5
DATA expC<>+168(SB)/8, $0x3950696739506967
DATA expC<>+176(SB)/8, $0x3950696739506967
DATA expC<>+184(SB)/8, $0x3950696739506967
DATA expC<>+192(SB)/8, $0x3ab743ce3ab743ce // expP4
DATA expC<>+200(SB)/8, $0x3ab743ce3ab743ce
DATA expC<>+208(SB)/8, $0x3ab743ce3ab743ce
DATA expC<>+216(SB)/8, $0x3ab743ce3ab743ce
DATA expC<>+224(SB)/8, $0x3c0889083c088908 // expP3
DATA expC<>+232(SB)/8, $0x3c0889083c088908
DATA expC<>+240(SB)/8, $0x3c0889083c088908
DATA expC<>+248(SB)/8, $0x3c0889083c088908
DATA expC<>+256(SB)/8, $0x3d2aa9c13d2aa9c1 // expP2
DATA expC<>+264(SB)/8, $0x3d2aa9c13d2aa9c1
DATA expC<>+272(SB)/8, $0x3d2aa9c13d2aa9c1
DATA expC<>+280(SB)/8, $0x3d2aa9c13d2aa9c1
DATA expC<>+288(SB)/8, $0x3e2aaaaa3e2aaaaa // expP1
DATA expC<>+296(SB)/8, $0x3e2aaaaa3e2aaaaa
DATA expC<>+304(SB)/8, $0x3e2aaaaa3e2aaaaa
DATA expC<>+312(SB)/8, $0x3e2aaaaa3e2aaaaa
DATA expC<>+320(SB)/8, $0x3f0000003f000000 // expP0
DATA expC<>+328(SB)/8, $0x3f0000003f000000
DATA expC<>+336(SB)/8, $0x3f0000003f000000
DATA expC<>+344(SB)/8, $0x3f0000003f000000
DATA expC<>+352(SB)/8, $0x3f8000003f800000 // expOne
DATA expC<>+360(SB)/8, $0x3f8000003f800000
DATA expC<>+368(SB)/8, $0x3f8000003f800000
DATA expC<>+376(SB)/8, $0x3f8000003f800000
GLOBL expC<>(SB), RODATA|NOPTR, $384

// EXP_CONSTS loads the clamp bounds, log2(e), ln2's high part and 1.0 into Y15..Y12, Y6.
#define EXP_CONSTS \
	VMOVUPS expC<>+0(SB), Y15; \
	VMOVUPS expC<>+32(SB), Y14; \
	VMOVUPS expC<>+64(SB), Y13; \
	VMOVUPS expC<>+96(SB), Y12; \
	VMOVUPS expC<>+352(SB), Y6

// EXP8 sets r = exp(r) for eight floats; clobbers t1, t2, t3, t4.
#define EXP8(r, t1, t2, t3, t4) \
	VCMPPS       $1, Y14, r, t3; \
	VMINPS       Y15, r, r; \
	VMAXPS       Y14, r, r; \
	VMULPS       Y13, r, t1; \
	VROUNDPS     $0, t1, t1; \
	VFNMADD231PS Y12, t1, r; \
	VFNMADD231PS expC<>+128(SB), t1, r; \
	VMOVUPS      expC<>+160(SB), t2; \
	VFMADD213PS  expC<>+192(SB), r, t2; \
	VFMADD213PS  expC<>+224(SB), r, t2; \
	VFMADD213PS  expC<>+256(SB), r, t2; \
	VFMADD213PS  expC<>+288(SB), r, t2; \
	VFMADD213PS  expC<>+320(SB), r, t2; \
	VMULPS       r, r, t4; \
	VFMADD213PS  r, t4, t2; \
	VADDPS       Y6, t2, t2; \
	VCVTPS2DQ    t1, t1; \
	VPSLLD       $23, t1, t1; \
	VPADDD       t1, t2, r; \
	VANDNPS      r, t3, r

// func expSumAVX2(x *float32, m float32, n int) float32
// x[i] = exp(x[i] - m); returns the sum. n is a multiple of 8.
TEXT ·expSumAVX2(SB), NOSPLIT, $0-28
	MOVQ         x+0(FP), SI
	VBROADCASTSS m+8(FP), Y4
	MOVQ         n+16(FP), CX
	EXP_CONSTS
	VXORPS       Y3, Y3, Y3

loop:
	VMOVUPS (SI), Y0
	VSUBPS  Y4, Y0, Y0
	EXP8(Y0, Y1, Y2, Y5, Y7)
	VMOVUPS Y0, (SI)
	VADDPS  Y0, Y3, Y3
	ADDQ    $32, SI
	SUBQ    $8, CX
	JNZ     loop
	VEXTRACTF128 $1, Y3, X0
	VADDPS       X3, X0, X0
	VMOVHLPS     X0, X1, X1
	VADDPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VADDSS       X1, X0, X0
	VZEROUPPER
	MOVSS        X0, ret+24(FP)
	RET

// func swigluAVX2(out, gate, up *float32, n int)
// out[i] = gate[i] / (1 + exp(-gate[i])) * up[i]; n is a multiple of 8.
TEXT ·swigluAVX2(SB), NOSPLIT, $0-32
	MOVQ   out+0(FP), DI
	MOVQ   gate+8(FP), SI
	MOVQ   up+16(FP), DX
	MOVQ   n+24(FP), CX
	EXP_CONSTS
	VXORPS Y4, Y4, Y4

loop:
	VMOVUPS (SI), Y3
	VSUBPS  Y3, Y4, Y0
	EXP8(Y0, Y1, Y2, Y5, Y7)
	VADDPS  Y6, Y0, Y0
	VDIVPS  Y0, Y3, Y3
	VMULPS  (DX), Y3, Y3
	VMOVUPS Y3, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	SUBQ    $8, CX
	JNZ     loop
	VZEROUPPER
	RET
