// qdot.glsl: dot products of one 32-element group of a weight row with the activations,
// reading the weights as 32-bit words (quant.glsl's word_at; four elements per load).
//
// The including kernel declares `uint w[]` and `float xv[]`, includes quant.glsl and
// defines one WTYPE_*. With FP16 defined (and GL_EXT_shader_explicit_arithmetic_types_float16
// enabled) the weights are dequantised to fp16, the activations converted to fp16, each
// four-element product summed by an fp16 dot, and the dots accumulated in float32; the
// block scales are applied in fp16 before the products (not factored out after them), so
// that no fp16 partial sum grows past the weights' own magnitude times four activations.

vec4 xvec(uint i) {
	return vec4(xv[i], xv[i + 1u], xv[i + 2u], xv[i + 3u]);
}

#if defined(FP16)
f16vec4 xvec16(uint i) {
	return f16vec4(xvec(i));
}
#endif

// wdot_pair returns the dot product of the two binary16 weights in word q with xv[i],
// xv[i+1] (F16 rows).
float wdot_pair(uint q, uint i) {
#if defined(FP16)
	return float(dot(unpackFloat2x16(q), f16vec2(xv[i], xv[i + 1u])));
#else
	return dot(unpackHalf2x16(q), vec2(xv[i], xv[i + 1u]));
#endif
}

#if !defined(WTYPE_F32) && !defined(WTYPE_F16)
// wdot32 returns the dot product of elements 32g..32g+31 of the row at byte rb with
// xv[xb + 32g ...].
float wdot32(uint rb, uint g, uint xb) {
	uint x0 = xb + 32u * g;
	float s = 0.0;
#if defined(WTYPE_Q8_0)
	uint base = rb + g * 34u;
#if defined(FP16)
	float16_t d = float16_t(half_at(base));
	for (uint i = 0u; i < 8u; i++) {
		s += float(dot(f16vec4(sbytes4(word_at(base + 2u + 4u * i))) * d, xvec16(x0 + 4u * i)));
	}
	return s;
#else
	for (uint i = 0u; i < 8u; i++) {
		s += dot(vec4(sbytes4(word_at(base + 2u + 4u * i))), xvec(x0 + 4u * i));
	}
	return s * half_at(base);
#endif
#elif defined(WTYPE_Q4_0)
	uint base = rb + g * 18u;
#if defined(FP16)
	float16_t d = float16_t(half_at(base));
	for (uint i = 0u; i < 4u; i++) {
		uint q = word_at(base + 2u + 4u * i);
		f16vec4 lo = (f16vec4(bytes4(q & 0x0F0F0F0Fu)) - float16_t(8.0)) * d;
		f16vec4 hi = (f16vec4(bytes4((q >> 4) & 0x0F0F0F0Fu)) - float16_t(8.0)) * d;
		s += float(dot(lo, xvec16(x0 + 4u * i))) + float(dot(hi, xvec16(x0 + 16u + 4u * i)));
	}
	return s;
#else
	for (uint i = 0u; i < 4u; i++) {
		uint q = word_at(base + 2u + 4u * i);
		s += dot(vec4(bytes4(q & 0x0F0F0F0Fu)) - 8.0, xvec(x0 + 4u * i)) +
			dot(vec4(bytes4((q >> 4) & 0x0F0F0F0Fu)) - 8.0, xvec(x0 + 16u + 4u * i));
	}
	return s * half_at(base);
#endif
#elif defined(WTYPE_Q4_K)
	uint base = rb + (g >> 3) * 144u;
	uint j = g & 7u;
	uvec2 sm = scale_min(base + 4u, j);
	uint qb = base + 16u + 32u * (j >> 1);
	uint shift = 4u * (j & 1u);
	float dsc = half_at(base) * float(sm.x);
	float dmin = half_at(base + 2u) * float(sm.y);
#if defined(FP16)
	// The weight d*sc*q - dmin*m is formed in float32 and rounded once: in fp16 the
	// difference of two rounded terms loses the small weights.
	for (uint i = 0u; i < 8u; i++) {
		vec4 q = vec4(bytes4((w[(qb >> 2) + i] >> shift) & 0x0F0F0F0Fu));
		s += float(dot(f16vec4(q * dsc - dmin), xvec16(x0 + 4u * i)));
	}
	return s;
#else
	float sx = 0.0;
	for (uint i = 0u; i < 8u; i++) {
		vec4 x = xvec(x0 + 4u * i);
		s += dot(vec4(bytes4((w[(qb >> 2) + i] >> shift) & 0x0F0F0F0Fu)), x);
		sx += x.x + x.y + x.z + x.w;
	}
	return dsc * s - dmin * sx;
#endif
#elif defined(WTYPE_Q6_K)
	uint base = rb + (g >> 3) * 210u;
	uint j = g & 7u;
	uint n = j >> 2;
	uint quarter = j & 3u;
	uint lb = base + 64u * n + 32u * (quarter & 1u);
	uint lshift = quarter < 2u ? 0u : 4u;
	uint hb = base + 128u + 32u * n;
	uint hshift = 2u * quarter;
	uint sb = base + 192u + 8u * n + 2u * quarter;
	float d = half_at(base + 208u);
	float sc0 = d * float(sbyte_at(sb)), sc1 = d * float(sbyte_at(sb + 1u));
	float s1 = 0.0;
	for (uint i = 0u; i < 8u; i++) {
		uint lo = (word_at(lb + 4u * i) >> lshift) & 0x0F0F0F0Fu;
		uint hi = ((word_at(hb + 4u * i) >> hshift) & 0x03030303u) << 4;
		ivec4 q = ivec4(bytes4(lo | hi)) - 32;
#if defined(FP16)
		float16_t sc = float16_t(i < 4u ? sc0 : sc1);
		s += float(dot(f16vec4(q) * sc, xvec16(x0 + 4u * i)));
#else
		float p = dot(vec4(q), xvec(x0 + 4u * i));
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
