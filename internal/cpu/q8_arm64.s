//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"

// Q8_0 and Q4_0 weights against Q8_0 activations (int8 values, one float32 scale per 32),
// NEON, one token. A Q8_0 block is an f16 scale then 32 int8; a Q4_0 block an f16 scale
// then 16 bytes whose low nibbles are elements 0-15 and high nibbles 16-31, each minus 8.
// Each block's int32 dot product is converted to float and added, times the product of
// the two scales, into a float accumulator; two blocks per step use separate registers.
//
// Registers: R0 weights (rows follow each other), R1 x values, R2 x scales, R3 out,
// R4 rows left, R5 blocks left; V16/V17 float accumulators; V29 = 0x0f, V30 = 8 bytes.

// The IDOT_SDOT / IDOT_SMULL integer dot products are in neon_arm64.h.

// Weight block loaders: the f16 scale into R6 (R7 for B) and the 32 values as int8 into
// V0, V1 (V8, V9 for B).
#define Q8_LOAD_A \
	MOVHU  (R0), R6; \
	ADD    $2, R0; \
	VLD1.P 32(R0), [V0.B16, V1.B16]

#define Q8_LOAD_B \
	MOVHU  (R0), R7; \
	ADD    $2, R0; \
	VLD1.P 32(R0), [V8.B16, V9.B16]

#define Q4_LOAD_A \
	MOVHU  (R0), R6; \
	ADD    $2, R0; \
	VLD1.P 16(R0), [V2.B16]; \
	VAND   V29.B16, V2.B16, V0.B16; \
	VUSHR  $4, V2.B16, V1.B16; \
	VSUB   V30.B16, V0.B16, V0.B16; \
	VSUB   V30.B16, V1.B16, V1.B16

#define Q4_LOAD_B \
	MOVHU  (R0), R7; \
	ADD    $2, R0; \
	VLD1.P 16(R0), [V10.B16]; \
	VAND   V29.B16, V10.B16, V8.B16; \
	VUSHR  $4, V10.B16, V9.B16; \
	VSUB   V30.B16, V8.B16, V8.B16; \
	VSUB   V30.B16, V9.B16, V9.B16

// BLOCK_A / BLOCK_B: one weight block against the next 32 x values into V16 / V17.
#define BLOCK_A(LOAD, IDOT) \
	LOAD; \
	VLD1.P  32(R1), [V2.B16, V3.B16]; \
	FMOVS   R6, F6; \
	FMOVS.P 4(R2), F7; \
	FCVTSH(6, 6); \
	IDOT(4, 0, 1, 2, 3, 20, 21, 22, 23); \
	FMULS   F7, F6, F6; \
	SCVTF4S(4, 4); \
	FMLA4S_LANE0(16, 4, 6)

#define BLOCK_B(LOAD, IDOT) \
	LOAD; \
	VLD1.P  32(R1), [V10.B16, V11.B16]; \
	FMOVS   R7, F14; \
	FMOVS.P 4(R2), F15; \
	FCVTSH(14, 14); \
	IDOT(12, 8, 9, 10, 11, 24, 25, 26, 27); \
	FMULS   F15, F14, F14; \
	SCVTF4S(12, 12); \
	FMLA4S_LANE0(17, 12, 14)

#define MV_Q_PROLOGUE \
	MOVD w+0(FP), R0; \
	MOVD out+24(FP), R3; \
	MOVD rows+32(FP), R4; \
	VMOVI $15, V29.B16; \
	VMOVI $8, V30.B16

#define MV_Q_ROW_START \
	MOVD xq+8(FP), R1; \
	MOVD xd+16(FP), R2; \
	MOVD nb+40(FP), R5; \
	MOVI0(16); \
	MOVI0(17)

#define MV_Q_ROW_END \
	FADD4S(16, 16, 17); \
	FADDP4S(16, 16, 16); \
	FADDP2S(16, 16); \
	FMOVS.P F16, 4(R3)

// func mvQ8_0SDOT(w *byte, xq *int8, xd *float32, out *float32, rows, nb int)
TEXT ·mvQ8_0SDOT(SB), NOSPLIT, $0-48
	MV_Q_PROLOGUE

q8drow:
	MV_Q_ROW_START

q8dpair:
	CMP $2, R5
	BLT q8dsingle
	BLOCK_A(Q8_LOAD_A, IDOT_SDOT)
	BLOCK_B(Q8_LOAD_B, IDOT_SDOT)
	SUB $2, R5
	B   q8dpair

q8dsingle:
	CBZ R5, q8drowend
	BLOCK_A(Q8_LOAD_A, IDOT_SDOT)

q8drowend:
	MV_Q_ROW_END
	SUBS $1, R4
	BNE  q8drow
	RET

// func mvQ8_0NEON(w *byte, xq *int8, xd *float32, out *float32, rows, nb int)
TEXT ·mvQ8_0NEON(SB), NOSPLIT, $0-48
	MV_Q_PROLOGUE

q8row:
	MV_Q_ROW_START

q8pair:
	CMP $2, R5
	BLT q8single
	BLOCK_A(Q8_LOAD_A, IDOT_SMULL)
	BLOCK_B(Q8_LOAD_B, IDOT_SMULL)
	SUB $2, R5
	B   q8pair

q8single:
	CBZ R5, q8rowend
	BLOCK_A(Q8_LOAD_A, IDOT_SMULL)

q8rowend:
	MV_Q_ROW_END
	SUBS $1, R4
	BNE  q8row
	RET

// func mvQ4_0SDOT(w *byte, xq *int8, xd *float32, out *float32, rows, nb int)
TEXT ·mvQ4_0SDOT(SB), NOSPLIT, $0-48
	MV_Q_PROLOGUE

q4drow:
	MV_Q_ROW_START

q4dpair:
	CMP $2, R5
	BLT q4dsingle
	BLOCK_A(Q4_LOAD_A, IDOT_SDOT)
	BLOCK_B(Q4_LOAD_B, IDOT_SDOT)
	SUB $2, R5
	B   q4dpair

q4dsingle:
	CBZ R5, q4drowend
	BLOCK_A(Q4_LOAD_A, IDOT_SDOT)

q4drowend:
	MV_Q_ROW_END
	SUBS $1, R4
	BNE  q4drow
	RET

// func mvQ4_0NEON(w *byte, xq *int8, xd *float32, out *float32, rows, nb int)
TEXT ·mvQ4_0NEON(SB), NOSPLIT, $0-48
	MV_Q_PROLOGUE

q4row:
	MV_Q_ROW_START

q4pair:
	CMP $2, R5
	BLT q4single
	BLOCK_A(Q4_LOAD_A, IDOT_SMULL)
	BLOCK_B(Q4_LOAD_B, IDOT_SMULL)
	SUB $2, R5
	B   q4pair

q4single:
	CBZ R5, q4rowend
	BLOCK_A(Q4_LOAD_A, IDOT_SMULL)

q4rowend:
	MV_Q_ROW_END
	SUBS $1, R4
	BNE  q4row
	RET
