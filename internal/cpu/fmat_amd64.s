//go:build amd64 && !purego

#include "textflag.h"
#include "macros_amd64.h"

// Matrix kernels over float weights (F32, F16, BF16) and float32 activations, AVX2+FMA+F16C.
// They cover n columns (a positive multiple of 8) of each row; the Go wrappers add the rest.
// The mv kernels take one token, the mm x4 kernels four tokens per pass over a weight row.

// Weight loaders: 8 elements at byte offset off of SI into a YMM register as float32.
#define LOADF32(off, r) VMOVUPS off(SI), r
#define LOADF16(off, r) VCVTPH2PS off(SI), r
#define LOADBF16(off, r) VPMOVZXWD off(SI), r; VPSLLD $16, r, r

// MV_PROLOGUE loads the mv arguments: R8 weight row, R9 row stride, R10 out, R11 rows.
#define MV_PROLOGUE \
	MOVQ w+0(FP), R8; \
	MOVQ stride+8(FP), R9; \
	MOVQ out+24(FP), R10; \
	MOVQ rows+32(FP), R11

#define MV_ROW_START \
	MOVQ   R8, SI; \
	MOVQ   x+16(FP), DI; \
	MOVQ   n+40(FP), CX; \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y1, Y1, Y1

#define MV_STEP16(LOAD, WSTEP) \
	PREFETCHT0  2048(SI); \
	LOAD(0, Y4); \
	LOAD(WSTEP, Y5); \
	VFMADD231PS (DI), Y4, Y0; \
	VFMADD231PS 32(DI), Y5, Y1; \
	ADDQ        $(2*WSTEP), SI; \
	ADDQ        $64, DI; \
	SUBQ        $16, CX

#define MV_STEP8(LOAD, WSTEP) \
	LOAD(0, Y4); \
	VFMADD231PS (DI), Y4, Y0; \
	ADDQ        $WSTEP, SI; \
	ADDQ        $32, DI; \
	SUBQ        $8, CX

#define MV_ROW_END \
	VADDPS Y1, Y0, Y0; \
	HSUM8; \
	MOVSS  X0, (R10); \
	ADDQ   $4, R10; \
	ADDQ   R9, R8

// MM_PROLOGUE loads the x4 arguments: R12/R13 = 1x/3x the x token stride in bytes,
// R14/R15 = 1x/3x the out token stride in bytes.
#define MM_PROLOGUE \
	MOVQ w+0(FP), R8; \
	MOVQ stride+8(FP), R9; \
	MOVQ ldx+24(FP), R12; \
	SHLQ $2, R12; \
	LEAQ (R12)(R12*2), R13; \
	MOVQ out+32(FP), R10; \
	MOVQ ldo+40(FP), R14; \
	SHLQ $2, R14; \
	LEAQ (R14)(R14*2), R15; \
	MOVQ rows+48(FP), R11

#define MM_ROW_START \
	MOVQ   R8, SI; \
	MOVQ   x+16(FP), DI; \
	MOVQ   n+56(FP), CX; \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y1, Y1, Y1; \
	VXORPS Y2, Y2, Y2; \
	VXORPS Y3, Y3, Y3; \
	VXORPS Y4, Y4, Y4; \
	VXORPS Y5, Y5, Y5; \
	VXORPS Y6, Y6, Y6; \
	VXORPS Y7, Y7, Y7

#define MM_STEP16(LOAD, WSTEP) \
	LOAD(0, Y8); \
	LOAD(WSTEP, Y9); \
	VFMADD231PS (DI), Y8, Y0; \
	VFMADD231PS 32(DI), Y9, Y4; \
	VFMADD231PS (DI)(R12*1), Y8, Y1; \
	VFMADD231PS 32(DI)(R12*1), Y9, Y5; \
	VFMADD231PS (DI)(R12*2), Y8, Y2; \
	VFMADD231PS 32(DI)(R12*2), Y9, Y6; \
	VFMADD231PS (DI)(R13*1), Y8, Y3; \
	VFMADD231PS 32(DI)(R13*1), Y9, Y7; \
	ADDQ        $(2*WSTEP), SI; \
	ADDQ        $64, DI; \
	SUBQ        $16, CX

#define MM_STEP8(LOAD, WSTEP) \
	LOAD(0, Y8); \
	VFMADD231PS (DI), Y8, Y0; \
	VFMADD231PS (DI)(R12*1), Y8, Y1; \
	VFMADD231PS (DI)(R12*2), Y8, Y2; \
	VFMADD231PS (DI)(R13*1), Y8, Y3; \
	ADDQ        $WSTEP, SI; \
	ADDQ        $32, DI; \
	SUBQ        $8, CX

#define MM_ROW_END \
	VADDPS Y4, Y0, Y0; \
	VADDPS Y5, Y1, Y1; \
	VADDPS Y6, Y2, Y2; \
	VADDPS Y7, Y3, Y3; \
	HSUM4x8; \
	STORE4; \
	ADDQ   $4, R10; \
	ADDQ   R9, R8

// func mvF32AVX2(w *byte, stride int, x *float32, out *float32, rows, n int)
TEXT ·mvF32AVX2(SB), NOSPLIT, $0-48
	MV_PROLOGUE

row:
	MV_ROW_START

loop16:
	CMPQ CX, $16
	JL   loop8
	MV_STEP16(LOADF32, 32)
	JMP  loop16

loop8:
	TESTQ CX, CX
	JZ    done
	MV_STEP8(LOADF32, 32)

done:
	MV_ROW_END
	DECQ R11
	JNZ  row
	VZEROUPPER
	RET

// func mvF16AVX2(w *byte, stride int, x *float32, out *float32, rows, n int)
TEXT ·mvF16AVX2(SB), NOSPLIT, $0-48
	MV_PROLOGUE

row:
	MV_ROW_START

loop16:
	CMPQ CX, $16
	JL   loop8
	MV_STEP16(LOADF16, 16)
	JMP  loop16

loop8:
	TESTQ CX, CX
	JZ    done
	MV_STEP8(LOADF16, 16)

done:
	MV_ROW_END
	DECQ R11
	JNZ  row
	VZEROUPPER
	RET

// func mvBF16AVX2(w *byte, stride int, x *float32, out *float32, rows, n int)
TEXT ·mvBF16AVX2(SB), NOSPLIT, $0-48
	MV_PROLOGUE

row:
	MV_ROW_START

loop16:
	CMPQ CX, $16
	JL   loop8
	MV_STEP16(LOADBF16, 16)
	JMP  loop16

loop8:
	TESTQ CX, CX
	JZ    done
	MV_STEP8(LOADBF16, 16)

done:
	MV_ROW_END
	DECQ R11
	JNZ  row
	VZEROUPPER
	RET

// func mmF32x4AVX2(w *byte, stride int, x *float32, ldx int, out *float32, ldo int, rows, n int)
TEXT ·mmF32x4AVX2(SB), NOSPLIT, $0-64
	MM_PROLOGUE

row:
	MM_ROW_START

loop16:
	CMPQ CX, $16
	JL   loop8
	MM_STEP16(LOADF32, 32)
	JMP  loop16

loop8:
	TESTQ CX, CX
	JZ    done
	MM_STEP8(LOADF32, 32)

done:
	MM_ROW_END
	DECQ R11
	JNZ  row
	VZEROUPPER
	RET

// func mmF16x4AVX2(w *byte, stride int, x *float32, ldx int, out *float32, ldo int, rows, n int)
TEXT ·mmF16x4AVX2(SB), NOSPLIT, $0-64
	MM_PROLOGUE

row:
	MM_ROW_START

loop16:
	CMPQ CX, $16
	JL   loop8
	MM_STEP16(LOADF16, 16)
	JMP  loop16

loop8:
	TESTQ CX, CX
	JZ    done
	MM_STEP8(LOADF16, 16)

done:
	MM_ROW_END
	DECQ R11
	JNZ  row
	VZEROUPPER
	RET

// func mmBF16x4AVX2(w *byte, stride int, x *float32, ldx int, out *float32, ldo int, rows, n int)
TEXT ·mmBF16x4AVX2(SB), NOSPLIT, $0-64
	MM_PROLOGUE

row:
	MM_ROW_START

loop16:
	CMPQ CX, $16
	JL   loop8
	MM_STEP16(LOADBF16, 16)
	JMP  loop16

loop8:
	TESTQ CX, CX
	JZ    done
	MM_STEP8(LOADBF16, 16)

done:
	MM_ROW_END
	DECQ R11
	JNZ  row
	VZEROUPPER
	RET
