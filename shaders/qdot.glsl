// qdot.glsl: dot products of weight rows with one token's activations for the
// matrix-vector kernel, reading the weights as 32-bit words (and 128-bit words for F32,
// F16 and Q4_K rows, whose blocks are 16-byte aligned).
//
// The including kernel declares `uint w[]` and `uvec4 w4[]` (binding 0), `float xv[]`
// and `vec4 xv4[]` (binding 1) and `vec4 xat4(uint j, uint xb, uint i)` (activations
// 4i..4i+3 of the row at xb, the workgroup's token j), includes quant.glsl and defines one WTYPE_*. A thread
// loads the activations of one 32-element group once (xgroup) and takes its dot product
// with the same group of several rows (wdot32).
//
// With FP16 defined (and GL_EXT_shader_explicit_arithmetic_types_float16 enabled) the
// weights are dequantised to fp16, the activations converted to fp16, each four-element
// product summed by an fp16 dot and the dots accumulated in float32. Block scales are
// applied in fp16 before the products, not factored out after them, so that no fp16
// partial sum grows past the weights' own magnitude times four activations.

//
// With INTDOT defined (Q8_0 and Q4_0 weights; GL_EXT_spirv_intrinsics enabled) each
// 32-element group of activations is quantised to int8 as it is loaded (Q8_0-style: one
// float scale, the group's largest magnitude / 127) and every four weights take one packed
// int8 dot product (OpSDot, SPV_KHR_integer_dot_product) with integer accumulation over
// the block; the block's sum is scaled by the weight block's scale and the group's.

#if defined(FP16)
#define XVEC f16vec4
#else
#define XVEC vec4
#endif

#if defined(INTDOT)
// sdot4_ is OpSDot on two 32-bit words, each four signed bytes (Packed Vector Format 0,
// 4x8-bit): the GLSL compiler the project uses predates GL_EXT_integer_dot_product's
// dotPacked4x8EXT, so the instruction is declared through GL_EXT_spirv_intrinsics.
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6019, 6018], id = 4450)
int sdot4_(int a, int b, spirv_literal int packedVectorFormat);

int sdot4(uint a, uint b) {
	return sdot4_(int(a), int(b), 0);
}
#endif

// xgroup is the activations of one 32-element group (and their sum, which Q4_K's minimums
// multiply). On the fp16 path a group whose largest magnitude exceeds XMAX is stored
// divided by a power of two (scale; exact), so that activations past the fp16 range
// (65504) and their products do not overflow; the dot products are multiplied back.
// With INTDOT the activations are held quantised instead: q (four signed bytes per word,
// round(v / scale)) and their sum qsum, with scale the group's step.
struct xgroup {
#if defined(INTDOT)
	uint q[8];
	int qsum;
#else
	XVEC v[8];
#endif
	float sum;
	float scale;
};

// XMAX is the largest activation magnitude the fp16 products take unscaled: weights of
// magnitude up to 16 then keep a four-product fp16 dot below 65504.
#define XMAX 1024.0

// xscale is 1, or the power of two that brings magnitude m down to XMAX or below.
float xscale(float m) {
	return m > XMAX ? exp2(ceil(log2(m / XMAX))) : 1.0;
}

// load_xgroup loads group g of the row at xb (the workgroup's token j) through the
// kernel's xat4 (which applies the norm prologue, if any).
xgroup load_xgroup(uint j, uint xb, uint g) {
	xgroup x;
	x.sum = 0.0;
	vec4 v[8];
	float m = 0.0;
	for (uint i = 0u; i < 8u; i++) {
		v[i] = xat4(j, xb, 8u * g + i);
		x.sum += v[i].x + v[i].y + v[i].z + v[i].w;
		vec4 a = abs(v[i]);
		m = max(m, max(max(a.x, a.y), max(a.z, a.w)));
	}
#if defined(INTDOT)
	x.scale = m / 127.0;
	float inv = m > 0.0 ? 127.0 / m : 0.0;
	ivec4 qs = ivec4(0);
	for (uint i = 0u; i < 8u; i++) {
		ivec4 qi = ivec4(round(v[i] * inv));
		qs += qi;
		uvec4 b = uvec4(qi) & 0xFFu;
		x.q[i] = b.x | (b.y << 8) | (b.z << 16) | (b.w << 24);
	}
	x.qsum = qs.x + qs.y + qs.z + qs.w;
	return x;
#else
#if defined(FP16)
	x.scale = xscale(m);
#else
	x.scale = 1.0;
#endif
	for (uint i = 0u; i < 8u; i++) {
		x.v[i] = XVEC(v[i] / x.scale);
	}
	return x;
#endif
}

// dot4 is a four-element dot product with float32 result.
float dot4(XVEC a, XVEC b) {
	return float(dot(a, b));
}

// wdot_pair is the dot product of the two binary16 weights in word q with x.
float wdot_pair(uint q, vec2 x) {
#if defined(FP16)
	float sc = xscale(max(abs(x.x), abs(x.y)));
	return sc * float(dot(unpackFloat2x16(q), f16vec2(x / sc)));
#else
	return dot(unpackHalf2x16(q), x);
#endif
}

// words loads the n <= 8 words at the even byte offset b, with n+1 loads when b is not
// word-aligned (blocks of 34, 18 and 210 bytes start on 2-byte boundaries).
void words(uint b, uint n, out uint q[8]) {
	uint i0 = b >> 2;
	if ((b & 2u) == 0u) {
		for (uint i = 0u; i < n; i++) {
			q[i] = w[i0 + i];
		}
	} else {
		uint prev = w[i0];
		for (uint i = 0u; i < n; i++) {
			uint next = w[i0 + i + 1u];
			q[i] = (prev >> 16) | (next << 16);
			prev = next;
		}
	}
}

#if !defined(WTYPE_F32) && !defined(WTYPE_F16)
// wdot32 returns the dot product of elements 32g..32g+31 of the row at byte rb with x.
float wdot32(uint rb, uint g, xgroup x) {
	float s = 0.0;
#if defined(WTYPE_Q8_0)
	uint base = rb + g * 34u;
	uint q[8];
	words(base + 2u, 8u, q);
#if defined(INTDOT)
	int si = 0;
	for (uint i = 0u; i < 8u; i++) {
		si += sdot4(q[i], x.q[i]);
	}
	return float(si) * half_at(base);
#elif defined(FP16)
	float16_t d = float16_t(half_at(base));
	for (uint i = 0u; i < 8u; i++) {
		s += dot4(f16vec4(sbytes4(q[i])) * d, x.v[i]);
	}
	return s;
#else
	for (uint i = 0u; i < 8u; i++) {
		s += dot(vec4(sbytes4(q[i])), x.v[i]);
	}
	return s * half_at(base);
#endif
#elif defined(WTYPE_Q4_0)
	uint base = rb + g * 18u;
	uint q[8];
	words(base + 2u, 4u, q);
#if defined(INTDOT)
	// The nibbles (0..15) are positive signed bytes: their offset of 8 is taken off once,
	// as 8 times the sum of the quantised activations.
	int si = -8 * x.qsum;
	for (uint i = 0u; i < 4u; i++) {
		si += sdot4(q[i] & 0x0F0F0F0Fu, x.q[i]) + sdot4((q[i] >> 4) & 0x0F0F0F0Fu, x.q[4u + i]);
	}
	return float(si) * half_at(base);
#elif defined(FP16)
	float16_t d = float16_t(half_at(base));
	for (uint i = 0u; i < 4u; i++) {
		f16vec4 lo = (f16vec4(bytes4(q[i] & 0x0F0F0F0Fu)) - float16_t(8.0)) * d;
		f16vec4 hi = (f16vec4(bytes4((q[i] >> 4) & 0x0F0F0F0Fu)) - float16_t(8.0)) * d;
		s += dot4(lo, x.v[i]) + dot4(hi, x.v[4u + i]);
	}
	return s;
#else
	for (uint i = 0u; i < 4u; i++) {
		s += dot(vec4(bytes4(q[i] & 0x0F0F0F0Fu)), x.v[i]) + dot(vec4(bytes4((q[i] >> 4) & 0x0F0F0F0Fu)), x.v[4u + i]);
	}
	return (s - 8.0 * x.sum) * half_at(base);
#endif
#elif defined(WTYPE_Q4_K)
	uint base = rb + (g >> 3) * 144u;
	uint j = g & 7u;
	uvec2 sm = scale_min(base + 4u, j);
	uint qv = (base + 16u + 32u * (j >> 1)) >> 4; // 16-byte aligned: two uvec4
	uint shift = 4u * (j & 1u);
	float dsc = half_at(base) * float(sm.x);
	float dmin = half_at(base + 2u) * float(sm.y);
	for (uint h = 0u; h < 2u; h++) {
		uvec4 q4 = (w4[qv + h] >> shift) & 0x0F0F0F0Fu;
		for (uint i = 0u; i < 4u; i++) {
			vec4 q = vec4(bytes4(q4[i]));
#if defined(FP16)
			// The weight d*sc*q - dmin*m is formed in float32 and rounded once: in fp16
			// the difference of two rounded terms loses the small weights.
			s += dot4(f16vec4(q * dsc - dmin), x.v[4u * h + i]);
#else
			s += dot(q, x.v[4u * h + i]);
#endif
		}
	}
#if defined(FP16)
	return s;
#else
	return dsc * s - dmin * x.sum;
#endif
#elif defined(WTYPE_Q6_K)
	uint base = rb + (g >> 3) * 210u;
	uint j = g & 7u;
	uint n = j >> 2;
	uint quarter = j & 3u;
	uint lshift = quarter < 2u ? 0u : 4u;
	uint hshift = 2u * quarter;
	uint sb = base + 192u + 8u * n + 2u * quarter;
	float d = half_at(base + 208u);
	float sc0 = d * float(sbyte_at(sb)), sc1 = d * float(sbyte_at(sb + 1u));
	uint ql[8], qh[8];
	words(base + 64u * n + 32u * (quarter & 1u), 8u, ql);
	words(base + 128u + 32u * n, 8u, qh);
	float s1 = 0.0;
	for (uint i = 0u; i < 8u; i++) {
		uint lo = (ql[i] >> lshift) & 0x0F0F0F0Fu;
		uint hi = ((qh[i] >> hshift) & 0x03030303u) << 4;
		ivec4 q = ivec4(bytes4(lo | hi)) - 32;
#if defined(FP16)
		s += dot4(f16vec4(q) * float16_t(i < 4u ? sc0 : sc1), x.v[i]);
#else
		float p = dot(vec4(q), x.v[i]);
		if (i < 4u) {
			s += p;
		} else {
			s1 += p;
		}
#endif
	}
#if defined(FP16)
	return s;
#else
	return sc0 * s + sc1 * s1;
#endif
#endif
}
#endif
