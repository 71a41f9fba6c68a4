//go:build amd64 && !purego

#include "textflag.h"
#include "macros_amd64.h"

// Float kernels with 512-bit registers (AVX-512F). Tails use masked loads, which do not
// fault on the masked-off elements.

// TAILMASK sets K1 to the low CX bits (CX < 16). Clobbers AX.
#define TAILMASK \
	MOVQ   $1, AX; \
	SHLQ   CX, AX; \
	DECQ   AX; \
	KMOVW  AX, K1

// ZREDUCE folds Z0 to Y0 and then reduces it into the low lane of X0.
#define ZREDUCE \
	VEXTRACTF64X4 $1, Z0, Y1; \
	VADDPS        Y1, Y0, Y0; \
	HSUM8

// func dotF32AVX512(a, b *float32, n int) float32
TEXT ·dotF32AVX512(SB), NOSPLIT, $0-28
	MOVQ   a+0(FP), SI
	MOVQ   b+8(FP), DI
	MOVQ   n+16(FP), CX
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3

loop64:
	CMPQ        CX, $64
	JL          loop16
	VMOVUPS     (SI), Z4
	VMOVUPS     64(SI), Z5
	VMOVUPS     128(SI), Z6
	VMOVUPS     192(SI), Z7
	VFMADD231PS (DI), Z4, Z0
	VFMADD231PS 64(DI), Z5, Z1
	VFMADD231PS 128(DI), Z6, Z2
	VFMADD231PS 192(DI), Z7, Z3
	ADDQ        $256, SI
	ADDQ        $256, DI
	SUBQ        $64, CX
	JMP         loop64

loop16:
	CMPQ        CX, $16
	JL          tail
	VMOVUPS     (SI), Z4
	VFMADD231PS (DI), Z4, Z0
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $16, CX
	JMP         loop16

tail:
	TESTQ       CX, CX
	JZ          reduce
	TAILMASK
	VMOVUPS.Z   (SI), K1, Z4
	VMOVUPS.Z   (DI), K1, Z5
	VFMADD231PS Z5, Z4, Z1

reduce:
	VADDPS Z1, Z0, Z0
	VADDPS Z3, Z2, Z2
	VADDPS Z2, Z0, Z0
	ZREDUCE
	VZEROUPPER
	MOVSS  X0, ret+24(FP)
	RET

// func sumSqAVX512(x *float32, n int) float32
TEXT ·sumSqAVX512(SB), NOSPLIT, $0-20
	MOVQ   x+0(FP), SI
	MOVQ   n+8(FP), CX
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1

loop32:
	CMPQ        CX, $32
	JL          loop16
	VMOVUPS     (SI), Z4
	VMOVUPS     64(SI), Z5
	VFMADD231PS Z4, Z4, Z0
	VFMADD231PS Z5, Z5, Z1
	ADDQ        $128, SI
	SUBQ        $32, CX
	JMP         loop32

loop16:
	CMPQ        CX, $16
	JL          tail
	VMOVUPS     (SI), Z4
	VFMADD231PS Z4, Z4, Z0
	ADDQ        $64, SI
	SUBQ        $16, CX

tail:
	TESTQ       CX, CX
	JZ          reduce
	TAILMASK
	VMOVUPS.Z   (SI), K1, Z4
	VFMADD231PS Z4, Z4, Z1

reduce:
	VADDPS Z1, Z0, Z0
	ZREDUCE
	VZEROUPPER
	MOVSS  X0, ret+16(FP)
	RET

// func axpyAVX512(y *float32, a float32, x *float32, n int)
TEXT ·axpyAVX512(SB), NOSPLIT, $0-32
	MOVQ         y+0(FP), DI
	VBROADCASTSS a+8(FP), Z0
	MOVQ         x+16(FP), SI
	MOVQ         n+24(FP), CX

loop32:
	CMPQ        CX, $32
	JL          loop16
	VMOVUPS     (DI), Z1
	VMOVUPS     64(DI), Z2
	VFMADD231PS (SI), Z0, Z1
	VFMADD231PS 64(SI), Z0, Z2
	VMOVUPS     Z1, (DI)
	VMOVUPS     Z2, 64(DI)
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	JMP         loop32

loop16:
	CMPQ        CX, $16
	JL          tail
	VMOVUPS     (DI), Z1
	VFMADD231PS (SI), Z0, Z1
	VMOVUPS     Z1, (DI)
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $16, CX

tail:
	TESTQ       CX, CX
	JZ          done
	TAILMASK
	VMOVUPS.Z   (DI), K1, Z1
	VMOVUPS.Z   (SI), K1, Z2
	VFMADD231PS Z2, Z0, Z1
	VMOVUPS     Z1, K1, (DI)

done:
	VZEROUPPER
	RET
