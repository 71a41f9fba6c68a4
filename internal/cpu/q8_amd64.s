//go:build amd64 && !purego

#include "textflag.h"
#include "macros_amd64.h"

// Q8_0 and Q4_0 weights against Q8_0 activations (int8 values, one float32 scale per 32),
// AVX2. A Q8_0 block is an f16 scale then 32 int8; a Q4_0 block an f16 scale then 16
// bytes whose low nibbles are elements 0-15 and high nibbles 16-31, each minus 8.

DATA nibbleMask<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nibbleMask<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nibbleMask<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nibbleMask<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL nibbleMask<>(SB), RODATA|NOPTR, $32

DATA eights<>+0(SB)/8, $0x0808080808080808
DATA eights<>+8(SB)/8, $0x0808080808080808
DATA eights<>+16(SB)/8, $0x0808080808080808
DATA eights<>+24(SB)/8, $0x0808080808080808
GLOBL eights<>(SB), RODATA|NOPTR, $32

// ONES16 sets Y15 to sixteen int16 ones.
#define ONES16 \
	VPCMPEQW Y15, Y15, Y15; \
	VPSRLW   $15, Y15, Y15

// Weight block decoders at SI+off: R(w) = signed values, R(absw) = |w|, Y(ds) = the block
// scale in eight lanes.
#define Q8_W(off, w, wx, absw, ds, dx) \
	VMOVDQU      off+2(SI), w; \
	VPABSB       w, absw; \
	VPBROADCASTW off(SI), dx; \
	VCVTPH2PS    dx, ds

#define Q4_W(off, w, wx, absw, ds, dx) \
	VMOVDQU      off+2(SI), wx; \
	VPSRLW       $4, wx, dx; \
	VINSERTI128  $1, dx, w, w; \
	VPAND        nibbleMask<>(SB), w, w; \
	VPSUBB       eights<>(SB), w, w; \
	VPABSB       w, absw; \
	VPBROADCASTW off(SI), dx; \
	VCVTPH2PS    dx, ds

// MV_Q(DEC, BYTES): one token; two blocks per step into Y0 and Y1.
// Registers: SI weights, DI x values, BX x scales, CX blocks left, R10 out, R11 rows left.
#define MV_Q_BODY(DEC, BYTES) \
	MOVQ w+0(FP), SI; \
	MOVQ out+24(FP), R10; \
	MOVQ rows+32(FP), R11; \
	ONES16

#define MV_Q_ROW_START \
	MOVQ   xq+8(FP), DI; \
	MOVQ   xd+16(FP), BX; \
	MOVQ   nb+40(FP), CX; \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y1, Y1, Y1

#define MV_Q_STEP2(DEC, BYTES) \
	PREFETCHT0   2048(SI); \
	DEC(0, Y2, X2, Y3, Y4, X4); \
	VBROADCASTSS (BX), Y5; \
	VMULPS       Y5, Y4, Y4; \
	Q8_SIGNDOT(Y2, Y3, (DI), Y4, Y0, Y5); \
	DEC(BYTES, Y6, X6, Y7, Y8, X8); \
	VBROADCASTSS 4(BX), Y9; \
	VMULPS       Y9, Y8, Y8; \
	Q8_SIGNDOT(Y6, Y7, 32(DI), Y8, Y1, Y9); \
	ADDQ         $(2*BYTES), SI; \
	ADDQ         $64, DI; \
	ADDQ         $8, BX; \
	SUBQ         $2, CX

#define MV_Q_STEP1(DEC, BYTES) \
	DEC(0, Y2, X2, Y3, Y4, X4); \
	VBROADCASTSS (BX), Y5; \
	VMULPS       Y5, Y4, Y4; \
	Q8_SIGNDOT(Y2, Y3, (DI), Y4, Y0, Y5); \
	ADDQ         $BYTES, SI

#define MV_Q_ROW_END \
	VADDPS Y1, Y0, Y0; \
	HSUM8; \
	MOVSS  X0, (R10); \
	ADDQ   $4, R10

// MM_Q: four tokens per pass over a weight row. Token t's x values are at DI + t*R12
// (R13 = 3*R12), its scales at BX + t*DX (AX = 3*DX), its outputs at R10 + t*R14
// (R15 = 3*R14). Y0..Y3 accumulate the four tokens.
#define MM_Q_PROLOGUE \
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
	LEAQ (DX)(DX*2), AX; \
	ONES16

#define MM_Q_ROW_START \
	MOVQ   xq+8(FP), DI; \
	MOVQ   xd+16(FP), BX; \
	MOVQ   nb+48(FP), CX; \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y1, Y1, Y1; \
	VXORPS Y2, Y2, Y2; \
	VXORPS Y3, Y3, Y3

// MM_Q_TOKEN adds one token's block product: Y8 = w, Y9 = |w|, Y10 = weight scale.
#define MM_Q_TOKEN(xaddr, daddr, acc) \
	VBROADCASTSS daddr, Y12; \
	VMULPS       Y10, Y12, Y12; \
	Q8_SIGNDOT(Y8, Y9, xaddr, Y12, acc, Y11)

#define MM_Q_STEP(DEC, BYTES) \
	DEC(0, Y8, X8, Y9, Y10, X10); \
	MM_Q_TOKEN((DI), (BX), Y0); \
	MM_Q_TOKEN((DI)(R12*1), (BX)(DX*1), Y1); \
	MM_Q_TOKEN((DI)(R12*2), (BX)(DX*2), Y2); \
	MM_Q_TOKEN((DI)(R13*1), (BX)(AX*1), Y3); \
	ADDQ $BYTES, SI; \
	ADDQ $32, DI; \
	ADDQ $4, BX

#define MM_Q_ROW_END \
	HSUM4x8; \
	STORE4; \
	ADDQ $4, R10

// func mvQ8_0AVX2(w *byte, xq *int8, xd *float32, out *float32, rows, nb int)
TEXT ·mvQ8_0AVX2(SB), NOSPLIT, $0-48
	MV_Q_BODY(Q8_W, 34)

row:
	MV_Q_ROW_START

loop2:
	CMPQ CX, $2
	JL   loop1
	MV_Q_STEP2(Q8_W, 34)
	JMP  loop2

loop1:
	TESTQ CX, CX
	JZ    done
	MV_Q_STEP1(Q8_W, 34)

done:
	MV_Q_ROW_END
	DECQ R11
	JNZ  row
	VZEROUPPER
	RET

// func mvQ4_0AVX2(w *byte, xq *int8, xd *float32, out *float32, rows, nb int)
TEXT ·mvQ4_0AVX2(SB), NOSPLIT, $0-48
	MV_Q_BODY(Q4_W, 18)

row:
	MV_Q_ROW_START

loop2:
	CMPQ CX, $2
	JL   loop1
	MV_Q_STEP2(Q4_W, 18)
	JMP  loop2

loop1:
	TESTQ CX, CX
	JZ    done
	MV_Q_STEP1(Q4_W, 18)

done:
	MV_Q_ROW_END
	DECQ R11
	JNZ  row
	VZEROUPPER
	RET

// func mmQ8_0x4AVX2(w *byte, xq *int8, xd *float32, out *float32, ldo int, rows, nb int)
TEXT ·mmQ8_0x4AVX2(SB), NOSPLIT, $0-56
	MM_Q_PROLOGUE

row:
	MM_Q_ROW_START

loop:
	MM_Q_STEP(Q8_W, 34)
	DECQ CX
	JNZ  loop
	MM_Q_ROW_END
	DECQ R11
	JNZ  row
	VZEROUPPER
	RET

// func mmQ4_0x4AVX2(w *byte, xq *int8, xd *float32, out *float32, ldo int, rows, nb int)
TEXT ·mmQ4_0x4AVX2(SB), NOSPLIT, $0-56
	MM_Q_PROLOGUE

row:
	MM_Q_ROW_START

loop:
	MM_Q_STEP(Q4_W, 18)
	DECQ CX
	JNZ  loop
	MM_Q_ROW_END
	DECQ R11
	JNZ  row
	VZEROUPPER
	RET
