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
