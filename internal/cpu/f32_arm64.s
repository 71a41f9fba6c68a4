//go:build arm64 && !purego

#include "textflag.h"
#include "neon_arm64.h"

// Float32 vector kernels, NEON: 16 floats per step into four accumulators, then 4 per
// step into one, then a scalar tail, so any n >= 0 is handled here.

// ZERO4 clears the accumulators V16-V19.
#define ZERO4 \
	VEOR V16.B16, V16.B16, V16.B16; \
	VEOR V17.B16, V17.B16, V17.B16; \
	VEOR V18.B16, V18.B16, V18.B16; \
	VEOR V19.B16, V19.B16, V19.B16

// HSUM4 reduces V16-V19 to one float in F16.
#define HSUM4 \
	FADD4S(16, 16, 17); \
	FADD4S(18, 18, 19); \
	FADD4S(16, 16, 18); \
	FADDP4S(16, 16, 16); \
	FADDP2S(16, 16)

// func dotF32NEON(a, b *float32, n int) float32
TEXT ·dotF32NEON(SB), NOSPLIT, $0-28
	MOVD a+0(FP), R0
	MOVD b+8(FP), R1
	MOVD n+16(FP), R2
	ZERO4

dot16:
	CMP    $16, R2
	BLT    dot4
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	VFMLA  V0.S4, V4.S4, V16.S4
	VFMLA  V1.S4, V5.S4, V17.S4
	VFMLA  V2.S4, V6.S4, V18.S4
	VFMLA  V3.S4, V7.S4, V19.S4
	SUB    $16, R2
	B      dot16

dot4:
	CMP    $4, R2
	BLT    dotreduce
	VLD1.P 16(R0), [V0.S4]
	VLD1.P 16(R1), [V4.S4]
	VFMLA  V0.S4, V4.S4, V16.S4
	SUB    $4, R2
	B      dot4

dotreduce:
	HSUM4

dottail:
	CBZ     R2, dotdone
	FMOVS.P 4(R0), F0
	FMOVS.P 4(R1), F1
	FMADDS  F0, F16, F1, F16
	SUB     $1, R2
	B       dottail

dotdone:
	FMOVS F16, ret+24(FP)
	RET

// func sumSqNEON(x *float32, n int) float32
TEXT ·sumSqNEON(SB), NOSPLIT, $0-20
	MOVD x+0(FP), R0
	MOVD n+8(FP), R2
	ZERO4

sq16:
	CMP    $16, R2
	BLT    sq4
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VFMLA  V0.S4, V0.S4, V16.S4
	VFMLA  V1.S4, V1.S4, V17.S4
	VFMLA  V2.S4, V2.S4, V18.S4
	VFMLA  V3.S4, V3.S4, V19.S4
	SUB    $16, R2
	B      sq16

sq4:
	CMP    $4, R2
	BLT    sqreduce
	VLD1.P 16(R0), [V0.S4]
	VFMLA  V0.S4, V0.S4, V16.S4
	SUB    $4, R2
	B      sq4

sqreduce:
	HSUM4

sqtail:
	CBZ     R2, sqdone
	FMOVS.P 4(R0), F0
	FMADDS  F0, F16, F0, F16
	SUB     $1, R2
	B       sqtail

sqdone:
	FMOVS F16, ret+16(FP)
	RET

// func axpyNEON(y *float32, a float32, x *float32, n int)
TEXT ·axpyNEON(SB), NOSPLIT, $0-32
	MOVD  y+0(FP), R0
	FMOVS a+8(FP), F30
	MOVD  x+16(FP), R1
	MOVD  n+24(FP), R2
	VDUP  V30.S[0], V31.S4

ax16:
	CMP    $16, R2
	BLT    ax4
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1   (R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VFMLA  V31.S4, V0.S4, V4.S4
	VFMLA  V31.S4, V1.S4, V5.S4
	VFMLA  V31.S4, V2.S4, V6.S4
	VFMLA  V31.S4, V3.S4, V7.S4
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R0)
	SUB    $16, R2
	B      ax16

ax4:
	CMP    $4, R2
	BLT    axtail
	VLD1.P 16(R1), [V0.S4]
	VLD1   (R0), [V4.S4]
	VFMLA  V31.S4, V0.S4, V4.S4
	VST1.P [V4.S4], 16(R0)
	SUB    $4, R2
	B      ax4

axtail:
	CBZ     R2, axdone
	FMOVS.P 4(R1), F0
	FMOVS   (R0), F4
	FMADDS  F30, F4, F0, F4
	FMOVS.P F4, 4(R0)
	SUB     $1, R2
	B       axtail

axdone:
	RET
