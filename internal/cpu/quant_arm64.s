//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"

// Activation quantiser to Q8_0, NEON: per block of 32 floats, d = amax/127 and
// q = round(x * (1/d)) with ties away from zero (FCVTAS), the same float32 operations as
// the generic quantiser, so both give the same values.

// func quantQ8_0NEON(x *float32, qs *int8, d *float32, nb int)
TEXT ·quantQ8_0NEON(SB), NOSPLIT, $0-32
	MOVD  x+0(FP), R0
	MOVD  qs+8(FP), R1
	MOVD  d+16(FP), R2
	MOVD  nb+24(FP), R3
	MOVW  $0x42fe0000, R6 // 127.0
	FMOVS R6, F28
	FMOVS $1.0, F27
	VEOR  V29.B16, V29.B16, V29.B16

block:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]

	// amax over the 32 values into F8
	FABS4S(8, 0)
	FABS4S(9, 1)
	FABS4S(10, 2)
	FABS4S(11, 3)
	FABS4S(12, 4)
	FABS4S(13, 5)
	FABS4S(14, 6)
	FABS4S(15, 7)
	FMAX4S(8, 8, 9)
	FMAX4S(10, 10, 11)
	FMAX4S(12, 12, 13)
	FMAX4S(14, 14, 15)
	FMAX4S(8, 8, 10)
	FMAX4S(12, 12, 14)
	FMAX4S(8, 8, 12)
	FMAXV4S(8, 8)

	// d = amax/127; inv = 1/d, or 0 for an all-zero block
	FDIVS   F28, F8, F9
	FMOVS.P F9, 4(R2)
	FDIVS   F9, F27, F10
	FCMPS   $(0.0), F9
	FCSELS  EQ, F29, F10, F10
	VDUP    V10.S[0], V10.S4

	FMUL4S(0, 0, 10)
	FMUL4S(1, 1, 10)
	FMUL4S(2, 2, 10)
	FMUL4S(3, 3, 10)
	FMUL4S(4, 4, 10)
	FMUL4S(5, 5, 10)
	FMUL4S(6, 6, 10)
	FMUL4S(7, 7, 10)
	FCVTAS4S(0, 0)
	FCVTAS4S(1, 1)
	FCVTAS4S(2, 2)
	FCVTAS4S(3, 3)
	FCVTAS4S(4, 4)
	FCVTAS4S(5, 5)
	FCVTAS4S(6, 6)
	FCVTAS4S(7, 7)

	// narrow int32 -> int16 -> int8 with saturation
	SQXTN4H(16, 0)
	SQXTN28H(16, 1)
	SQXTN4H(17, 2)
	SQXTN28H(17, 3)
	SQXTN4H(18, 4)
	SQXTN28H(18, 5)
	SQXTN4H(19, 6)
	SQXTN28H(19, 7)
	SQXTN8B(20, 16)
	SQXTN216B(20, 17)
	SQXTN8B(21, 18)
	SQXTN216B(21, 19)
	VST1.P [V20.B16, V21.B16], 32(R1)

	SUBS $1, R3
	BNE  block
	RET

// Activation quantiser to Q8_K, NEON, in two parts driven from Go: minMaxNEON finds the
// extremes of a super-block (the Go side picks the value of largest magnitude exactly as
// the generic quantiser does), and quantQ8KNEON computes q = round(iscale*x) with ties to
// even (FCVTNS, as math.RoundToEven of the float32 product), saturated to int8, and the
// 16 sums of 16 values.

// func minMaxNEON(x *float32, n int) (lo, hi float32)
TEXT ·minMaxNEON(SB), NOSPLIT, $0-24
	MOVD   x+0(FP), R0
	MOVD   n+8(FP), R3
	VLD1.P 16(R0), [V0.S4]
	VMOV   V0.B16, V1.B16
	SUB    $4, R3

mmloop:
	CBZ    R3, mmdone
	VLD1.P 16(R0), [V2.S4]
	FMIN4S(0, 0, 2)
	FMAX4S(1, 1, 2)
	SUB    $4, R3
	B      mmloop

mmdone:
	FMINV4S(0, 0)
	FMAXV4S(1, 1)
	FMOVS F0, lo+16(FP)
	FMOVS F1, hi+20(FP)
	RET

// Q8K_GROUP quantises the next 16 floats to int8 (stored) and leaves their int16 values
// pairwise added in the 8 lanes of a.
#define Q8K_GROUP(a) \
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]; \
	FMUL4S(0, 0, 31); \
	FMUL4S(1, 1, 31); \
	FMUL4S(2, 2, 31); \
	FMUL4S(3, 3, 31); \
	FCVTNS4S(0, 0); \
	FCVTNS4S(1, 1); \
	FCVTNS4S(2, 2); \
	FCVTNS4S(3, 3); \
	SQXTN4H(4, 0); \
	SQXTN28H(4, 1); \
	SQXTN4H(5, 2); \
	SQXTN28H(5, 3); \
	SQXTN8B(6, 4); \
	SQXTN216B(6, 5); \
	VST1.P [V6.B16], 16(R1); \
	SXTL8H(4, 6); \
	SXTL28H(5, 6); \
	ADDP8H(a, 4, 5)

// Q8K_HALF quantises 128 floats and stores the 8 sums of 16 (a tree of pairwise adds).
#define Q8K_HALF \
	Q8K_GROUP(16); \
	Q8K_GROUP(17); \
	Q8K_GROUP(18); \
	Q8K_GROUP(19); \
	Q8K_GROUP(20); \
	Q8K_GROUP(21); \
	Q8K_GROUP(22); \
	Q8K_GROUP(23); \
	ADDP8H(16, 16, 17); \
	ADDP8H(18, 18, 19); \
	ADDP8H(20, 20, 21); \
	ADDP8H(22, 22, 23); \
	ADDP8H(16, 16, 18); \
	ADDP8H(20, 20, 22); \
	ADDP8H(16, 16, 20); \
	VST1.P [V16.H8], 16(R2)

// func quantQ8KNEON(x *float32, qs *int8, bsums *int16, iscale float32)
TEXT ·quantQ8KNEON(SB), NOSPLIT, $0-28
	MOVD  x+0(FP), R0
	MOVD  qs+8(FP), R1
	MOVD  bsums+16(FP), R2
	FMOVS iscale+24(FP), F31
	VDUP  V31.S[0], V31.S4
	Q8K_HALF
	Q8K_HALF
	RET
