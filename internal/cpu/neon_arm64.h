// AdvSIMD instructions the Go assembler has no mnemonic for, encoded with WORD. Each
// macro takes register numbers in the operand order of the instruction in its comment
// (destination first), e.g. SDOT4S(4, 0, 2) is sdot v4.4s, v0.16b, v2.16b.

#define FADD4S(d, n, m)  WORD $(0x4E20D400 | (m)<<16 | (n)<<5 | (d)) // fadd  vd.4s, vn.4s, vm.4s
#define FMUL4S(d, n, m)  WORD $(0x6E20DC00 | (m)<<16 | (n)<<5 | (d)) // fmul  vd.4s, vn.4s, vm.4s
#define FMAX4S(d, n, m)  WORD $(0x4E20F400 | (m)<<16 | (n)<<5 | (d)) // fmax  vd.4s, vn.4s, vm.4s
#define FADDP4S(d, n, m) WORD $(0x6E20D400 | (m)<<16 | (n)<<5 | (d)) // faddp vd.4s, vn.4s, vm.4s
#define FADDP2S(d, n)    WORD $(0x7E30D800 | (n)<<5 | (d))           // faddp sd, vn.2s
#define FMAXV4S(d, n)    WORD $(0x6E30F800 | (n)<<5 | (d))           // fmaxv sd, vn.4s
#define FMIN4S(d, n, m)  WORD $(0x4EA0F400 | (m)<<16 | (n)<<5 | (d)) // fmin  vd.4s, vn.4s, vm.4s
#define FMINV4S(d, n)    WORD $(0x6EB0F800 | (n)<<5 | (d))           // fminv sd, vn.4s
#define FABS4S(d, n)     WORD $(0x4EA0F800 | (n)<<5 | (d))           // fabs  vd.4s, vn.4s

#define FMLA4S_LANE0(d, n, m) WORD $(0x4F801000 | (m)<<16 | (n)<<5 | (d)) // fmla vd.4s, vn.4s, vm.s[0]

#define FCVTL4S(d, n)  WORD $(0x0E217800 | (n)<<5 | (d)) // fcvtl  vd.4s, vn.4h
#define FCVTL24S(d, n) WORD $(0x4E217800 | (n)<<5 | (d)) // fcvtl2 vd.4s, vn.8h
#define FCVTSH(d, n)   WORD $(0x1EE24000 | (n)<<5 | (d)) // fcvt   sd, hn
#define SCVTF4S(d, n)  WORD $(0x4E21D800 | (n)<<5 | (d)) // scvtf  vd.4s, vn.4s
#define FCVTNS4S(d, n) WORD $(0x4E21A800 | (n)<<5 | (d)) // fcvtns vd.4s, vn.4s (ties even)
#define FCVTAS4S(d, n) WORD $(0x4E21C800 | (n)<<5 | (d)) // fcvtas vd.4s, vn.4s (ties away)

#define SQXTN4H(d, n)   WORD $(0x0E614800 | (n)<<5 | (d)) // sqxtn  vd.4h, vn.4s
#define SQXTN28H(d, n)  WORD $(0x4E614800 | (n)<<5 | (d)) // sqxtn2 vd.8h, vn.4s
#define SQXTN8B(d, n)   WORD $(0x0E214800 | (n)<<5 | (d)) // sqxtn  vd.8b, vn.8h
#define SQXTN216B(d, n) WORD $(0x4E214800 | (n)<<5 | (d)) // sqxtn2 vd.16b, vn.8h

#define SDOT4S(d, n, m)   WORD $(0x4E809400 | (m)<<16 | (n)<<5 | (d)) // sdot   vd.4s, vn.16b, vm.16b
#define SMULL8H(d, n, m)  WORD $(0x0E20C000 | (m)<<16 | (n)<<5 | (d)) // smull  vd.8h, vn.8b, vm.8b
#define SMULL28H(d, n, m) WORD $(0x4E20C000 | (m)<<16 | (n)<<5 | (d)) // smull2 vd.8h, vn.16b, vm.16b
#define SADALP4S(d, n)    WORD $(0x4E606800 | (n)<<5 | (d))           // sadalp vd.4s, vn.8h
#define SADDLP4S(d, n)    WORD $(0x4E602800 | (n)<<5 | (d))           // saddlp vd.4s, vn.8h
#define MOVI0(d)          WORD $(0x6F00E400 | (d))                    // movi   vd.2d, #0

#define MUL4S(d, n, m)    WORD $(0x4EA09C00 | (m)<<16 | (n)<<5 | (d)) // mul    vd.4s, vn.4s, vm.4s
#define MLA4S(d, n, m)    WORD $(0x4EA09400 | (m)<<16 | (n)<<5 | (d)) // mla    vd.4s, vn.4s, vm.4s
#define ADDP4S(d, n, m)   WORD $(0x4EA0BC00 | (m)<<16 | (n)<<5 | (d)) // addp   vd.4s, vn.4s, vm.4s
#define ADDP8H(d, n, m)   WORD $(0x4E60BC00 | (m)<<16 | (n)<<5 | (d)) // addp   vd.8h, vn.8h, vm.8h
#define SMULL4S(d, n, m)  WORD $(0x0E60C000 | (m)<<16 | (n)<<5 | (d)) // smull  vd.4s, vn.4h, vm.4h
#define SMLAL24S(d, n, m) WORD $(0x4E608000 | (m)<<16 | (n)<<5 | (d)) // smlal2 vd.4s, vn.8h, vm.8h
#define SXTL8H(d, n)      WORD $(0x0F08A400 | (n)<<5 | (d))           // sxtl   vd.8h, vn.8b
#define SXTL28H(d, n)     WORD $(0x4F08A400 | (n)<<5 | (d))           // sxtl2  vd.8h, vn.16b
#define SXTL4S(d, n)      WORD $(0x0F10A400 | (n)<<5 | (d))           // sxtl   vd.4s, vn.4h
#define SXTL24S(d, n)     WORD $(0x4F10A400 | (n)<<5 | (d))           // sxtl2  vd.4s, vn.8h
#define UXTL8H(d, n)      WORD $(0x2F08A400 | (n)<<5 | (d))           // uxtl   vd.8h, vn.8b
#define UXTL4S(d, n)      WORD $(0x2F10A400 | (n)<<5 | (d))           // uxtl   vd.4s, vn.4h
#define UXTL24S(d, n)     WORD $(0x6F10A400 | (n)<<5 | (d))           // uxtl2  vd.4s, vn.8h

// Integer dot products of 32 int8 pairs (weights in w0, w1; x in x0, x1) into the four
// int32 lanes of i: SDOT with the dot-product extension, else widening multiplies (t0-t3
// scratch) with pairwise accumulation. Each product must fit int16 (|w|, |x| <= 128).
#define IDOT_SDOT(i, w0, w1, x0, x1, t0, t1, t2, t3) \
	MOVI0(i); \
	SDOT4S(i, w0, x0); \
	SDOT4S(i, w1, x1)

#define IDOT_SMULL(i, w0, w1, x0, x1, t0, t1, t2, t3) \
	SMULL8H(t0, w0, x0); \
	SMULL28H(t1, w0, x0); \
	SMULL8H(t2, w1, x1); \
	SMULL28H(t3, w1, x1); \
	SADDLP4S(i, t0); \
	SADALP4S(i, t1); \
	SADALP4S(i, t2); \
	SADALP4S(i, t3)

// The same over 16 int8 pairs (w, x), with t0, t1 scratch for the widening variant.
#define IDOT16_SDOT(i, w, x, t0, t1) \
	MOVI0(i); \
	SDOT4S(i, w, x)

#define IDOT16_SMULL(i, w, x, t0, t1) \
	SMULL8H(t0, w, x); \
	SMULL28H(t1, w, x); \
	SADDLP4S(i, t0); \
	SADALP4S(i, t1)
