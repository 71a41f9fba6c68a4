// quant.glsl: reading one weight type from a storage buffer of 32-bit words.
//
// The including kernel declares the weight buffer as `uint w[]` and defines one of
// WTYPE_F32, WTYPE_F16, WTYPE_Q8_0, WTYPE_Q4_0, WTYPE_Q4_K, WTYPE_Q6_K. Rows are stored in
// their GGUF layout, back to back; `rb` is a row's first byte within the buffer. Block
// layouts follow ggml (see model/quant): every row of a quantised type is whole blocks.
// qdot.glsl builds the matrix-vector block products on these helpers.

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

// word_at reads the 4 bytes at an even byte offset (blocks of 34, 18 and 210 bytes start
// on 2-byte boundaries only).
uint word_at(uint b) {
	uint i = b >> 2;
	return (b & 2u) == 0u ? w[i] : (w[i] >> 16) | (w[i + 1u] << 16);
}

// The four signed bytes and the eight nibbles of a word, lowest first.
ivec4 sbytes4(uint q) {
	int v = int(q);
	return ivec4(bitfieldExtract(v, 0, 8), bitfieldExtract(v, 8, 8), bitfieldExtract(v, 16, 8), bitfieldExtract(v, 24, 8));
}

uvec4 bytes4(uint q) {
	return (uvec4(q) >> uvec4(0u, 8u, 16u, 24u)) & 0xFFu;
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

// wget4 returns elements k..k+3 of the row at byte rb, for k a multiple of 4 with k+3 in
// the row (four elements share a word of quants, or lie in one or two words).
vec4 wget4(uint rb, uint k) {
#if defined(WTYPE_F32)
	uint i = (rb >> 2) + k;
	return uintBitsToFloat(uvec4(w[i], w[i + 1u], w[i + 2u], w[i + 3u]));
#elif defined(WTYPE_F16)
	uint b = rb + 2u * k;
	return vec4(unpackHalf2x16(word_at(b)), unpackHalf2x16(word_at(b + 4u)));
#elif defined(WTYPE_Q8_0)
	uint base = rb + (k >> 5) * 34u;
	return vec4(sbytes4(word_at(base + 2u + (k & 31u)))) * half_at(base);
#elif defined(WTYPE_Q4_0)
	uint base = rb + (k >> 5) * 18u;
	uint i = k & 31u;
	uint q = word_at(base + 2u + (i & 15u)) >> (i < 16u ? 0u : 4u);
	return (vec4(bytes4(q & 0x0F0F0F0Fu)) - 8.0) * half_at(base);
#elif defined(WTYPE_Q4_K)
	uint base = rb + (k >> 8) * 144u;
	uint i = k & 255u;
	uint chunk = i >> 6;
	uint l = i & 63u;
	uvec2 sm = scale_min(base + 4u, 2u * chunk + (l >> 5));
	uint q = w[(base + 16u + 32u * chunk + (l & 31u)) >> 2] >> (l < 32u ? 0u : 4u);
	float d1 = half_at(base) * float(sm.x);
	float m1 = half_at(base + 2u) * float(sm.y);
	return vec4(bytes4(q & 0x0F0F0F0Fu)) * d1 - m1;
#elif defined(WTYPE_Q6_K)
	uint base = rb + (k >> 8) * 210u;
	uint i = k & 255u;
	uint n = i >> 7;
	uint quarter = (i >> 5) & 3u;
	uint l = i & 31u;
	uint lo = (word_at(base + 64u * n + l + 32u * (quarter & 1u)) >> (quarter < 2u ? 0u : 4u)) & 0x0F0F0F0Fu;
	uint hi = ((word_at(base + 128u + 32u * n + l) >> (2u * quarter)) & 0x03030303u) << 4;
	float sc = half_at(base + 208u) * float(sbyte_at(base + 192u + 8u * n + (l >> 4) + 2u * quarter));
	return vec4(ivec4(bytes4(lo | hi)) - 32) * sc;
#endif
}
