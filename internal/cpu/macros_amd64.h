// Shared macros of the amd64 kernels.

// HSUM8 reduces the eight floats of Y0 into the low lane of X0 (clobbers X1).
#define HSUM8 \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPS       X1, X0, X0; \
	VMOVHLPS     X0, X1, X1; \
	VADDPS       X1, X0, X0; \
	VMOVSHDUP    X0, X1; \
	VADDSS       X1, X0, X0

// HSUM4x8 reduces Y0..Y3 into X0 = [sum Y0, sum Y1, sum Y2, sum Y3] (clobbers Y1, Y2).
#define HSUM4x8 \
	VHADDPS      Y1, Y0, Y0; \
	VHADDPS      Y3, Y2, Y2; \
	VHADDPS      Y2, Y0, Y0; \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPS       X1, X0, X0

// STORE4 writes the four lanes of X0 to (R10), (R10+R14), (R10+2*R14), (R10+R15).
#define STORE4 \
	MOVSS      X0, (R10); \
	VEXTRACTPS $1, X0, (R10)(R14*1); \
	VEXTRACTPS $2, X0, (R10)(R14*2); \
	VEXTRACTPS $3, X0, (R10)(R15*1)

// Q8_SIGNDOT: Y(acc) += float(sum of pairs of w*x) * Y(scale), with R(w) the signed
// weight bytes, R(absw) = |w|, x loaded from xaddr; Y15 must hold int16 ones. The sign of
// w moves onto x so that VPMADDUBSW can take |w| as its unsigned operand.
#define Q8_SIGNDOT(w, absw, xaddr, scale, acc, t) \
	VMOVDQU     xaddr, t; \
	VPSIGNB     w, t, t; \
	VPMADDUBSW  t, absw, t; \
	VPMADDWD    Y15, t, t; \
	VCVTDQ2PS   t, t; \
	VFMADD231PS scale, t, acc
