// quant.glsl: reading one weight type from a storage buffer of 32-bit words.
//
// The including kernel declares the weight buffer as `uint w[]` and defines one of
// WTYPE_F32, WTYPE_F16, WTYPE_Q8_0, WTYPE_Q4_0, WTYPE_Q4_K, WTYPE_Q6_K. Rows are stored in
// their GGUF layout, back to back; `rb` is a row's first byte within the buffer. Block
// layouts follow ggml (see model/quant): every row of a quantised type is whole blocks.
// With WDOT defined, the kernel also declares `float xv[]` and, for quantised types, gets
// wdot32.

uint byte_at(uint b) {
	return (w[b >> 2] >> ((b & 3u) * 8u)) & 0xFFu;
}

// half_at reads the binary16 at an even byte offset.
float half_at(uint b) {
	return unpackHalf2x16((w[b >> 2] >> ((b & 2u) * 8u)) & 0xFFFFu).x;
}

int sbyte_at(uint b) {
	return int(byte_at(b) << 24) >> 24;
}

#if defined(WTYPE_Q4_K)
// scale_min unpacks the j-th 6-bit scale and min of a Q4_K block whose scales start at sb.
uvec2 scale_min(uint sb, uint j) {
	if (j < 4u) {
		return uvec2(byte_at(sb + j) & 63u, byte_at(sb + j + 4u) & 63u);
	}
	uint a = byte_at(sb + j + 4u);
	return uvec2((a & 0xFu) | ((byte_at(sb + j - 4u) >> 6) << 4), (a >> 4) | ((byte_at(sb + j) >> 6) << 4));
}
#endif

// wget returns element k of the row at byte rb.
float wget(uint rb, uint k) {
#if defined(WTYPE_F32)
	return uintBitsToFloat(w[(rb >> 2) + k]);
#elif defined(WTYPE_F16)
	return half_at(rb + 2u * k);
#elif defined(WTYPE_Q8_0)
	uint base = rb + (k >> 5) * 34u;
	return float(sbyte_at(base + 2u + (k & 31u))) * half_at(base);
#elif defined(WTYPE_Q4_0)
	uint base = rb + (k >> 5) * 18u;
	uint i = k & 31u;
	uint q = byte_at(base + 2u + (i & 15u));
	q = i < 16u ? (q & 0xFu) : (q >> 4);
	return float(int(q) - 8) * half_at(base);
#elif defined(WTYPE_Q4_K)
	uint base = rb + (k >> 8) * 144u;
	uint i = k & 255u;
	uint chunk = i >> 6;
	uint l = i & 63u;
	uvec2 sm = scale_min(base + 4u, 2u * chunk + (l >> 5));
	uint q = byte_at(base + 16u + 32u * chunk + (l & 31u));
	q = l < 32u ? (q & 0xFu) : (q >> 4);
	precise float d1 = half_at(base) * float(sm.x);
	precise float m1 = half_at(base + 2u) * float(sm.y);
	precise float v = d1 * float(q) - m1;
	return v;
#elif defined(WTYPE_Q6_K)
	uint base = rb + (k >> 8) * 210u;
	uint i = k & 255u;
	uint n = i >> 7;
	uint quarter = (i >> 5) & 3u;
	uint l = i & 31u;
	uint lo = byte_at(base + 64u * n + l + 32u * (quarter & 1u));
	lo = quarter < 2u ? (lo & 0xFu) : (lo >> 4);
	uint hi = (byte_at(base + 128u + 32u * n + l) >> (2u * quarter)) & 3u;
	int q = int(lo | (hi << 4)) - 32;
	precise float v = half_at(base + 208u) * float(sbyte_at(base + 192u + 8u * n + (l >> 4) + 2u * quarter)) * float(q);
	return v;
#else
#error "no WTYPE_* defined"
#endif
}

#if defined(WDOT) && !defined(WTYPE_F32) && !defined(WTYPE_F16)
// wdot32 returns the dot product of elements 32g..32g+31 of the row at byte rb (a
// quantised type) with xv[xb + 32g ...].
float wdot32(uint rb, uint g, uint xb) {
	uint x0 = xb + 32u * g;
#if defined(WTYPE_Q8_0)
	uint base = rb + g * 34u;
	float s = 0.0;
	for (uint i = 0u; i < 32u; i++) {
		s += float(sbyte_at(base + 2u + i)) * xv[x0 + i];
	}
	return s * half_at(base);
#elif defined(WTYPE_Q4_0)
	uint base = rb + g * 18u;
	float s = 0.0;
	for (uint i = 0u; i < 16u; i++) {
		uint q = byte_at(base + 2u + i);
		s += float(int(q & 0xFu) - 8) * xv[x0 + i] + float(int(q >> 4) - 8) * xv[x0 + 16u + i];
	}
	return s * half_at(base);
#elif defined(WTYPE_Q4_K)
	uint base = rb + (g >> 3) * 144u;
	uint j = g & 7u;
	uvec2 sm = scale_min(base + 4u, j);
	uint qb = base + 16u + 32u * (j >> 1);
	uint shift = 4u * (j & 1u);
	float sq = 0.0, sx = 0.0;
	for (uint i = 0u; i < 32u; i++) {
		float x = xv[x0 + i];
		sq += float((byte_at(qb + i) >> shift) & 0xFu) * x;
		sx += x;
	}
	return half_at(base) * float(sm.x) * sq - half_at(base + 2u) * float(sm.y) * sx;
#elif defined(WTYPE_Q6_K)
	uint base = rb + (g >> 3) * 210u;
	uint j = g & 7u;
	uint n = j >> 2;
	uint quarter = j & 3u;
	uint lb = base + 64u * n + 32u * (quarter & 1u);
	uint lshift = quarter < 2u ? 0u : 4u;
	uint hb = base + 128u + 32u * n;
	uint sb = base + 192u + 8u * n + 2u * quarter;
	float s0 = 0.0, s1 = 0.0;
	for (uint l = 0u; l < 32u; l++) {
		uint lo = (byte_at(lb + l) >> lshift) & 0xFu;
		uint hi = (byte_at(hb + l) >> (2u * quarter)) & 3u;
		float p = float(int(lo | (hi << 4)) - 32) * xv[x0 + l];
		if (l < 16u) {
			s0 += p;
		} else {
			s1 += p;
		}
	}
	return half_at(base + 208u) * (float(sbyte_at(sb)) * s0 + float(sbyte_at(sb + 1u)) * s1);
#endif
}
#endif
