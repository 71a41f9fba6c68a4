// matvec: Out[t][row0 + r] = sum_k W[r][k] * X[t][k] for the rows of one weight part: the
// decode path (n = 1), steps of 2-32 tokens on GPUs (NT > 1) and every batch on software
// devices. Each workgroup computes NROWS rows of NT tokens; each thread loads the
// activations of a 32-element group (or a 128-bit word of F32/F16 weights) once per token
// and multiplies it with that group of every row, so a weight block is fetched from
// memory once for the workgroup's NT tokens (the further tokens re-read it from cache).
// The partial sums are added within each subgroup (subgroupAdd; with SUBGROUP undefined,
// by a tree in shared memory) and then across the workgroup's subgroups in shared memory.
// Bindings: 0 W (uint words, GGUF rows; also viewed as uvec4), 1 X (float, (n, cols); also
//   viewed as vec4), 2-4 Out0..Out2 (float): the rows of W split among up to three outputs
//   at split1 and split2, each an (n, width) matrix (epilogue.glsl; one output: bind it
//   three times, split1 = split2 = outStride), 5 NW (float, (cols): the RMSNorm weights
//   when NORM is set; any buffer otherwise).
// Push: MatVecPush {rows, cols, rowBytes, row0, n, outStride (W's rows), split1, split2,
//   eps}.
// Dispatch: ceil(rows/NROWS) workgroups folded into (x, y) (common.glsl), z = ceil(n/NT);
//   local size WG = gl_WorkGroupSize.x (specialisation constant 0, default 64), NROWS
//   specialisation constant 1 (default 2). The host keeps WG a multiple of the subgroup
//   size. EPI specialisation constant 2 (epilogue.glsl): add to the outputs, gated rows.
//   NORM specialisation constant 3: the RMSNorm prologue (backend.Linear's Norm): every
//   activation is multiplied by its NW weight as it is loaded, the squares of the raw
//   activations are summed alongside the products, and each result is scaled by
//   1/sqrt(mean square + eps) before the epilogue (the product is linear in X, so the
//   workgroup needs no pass over X of its own). NT specialisation constant 4 (default 1):
//   tokens per workgroup.
// Variants: FP16 defined computes the products in fp16 with float32 accumulation
//   (qdot.glsl); F32 weights always use float32. INTDOT defined (Q8_0 and Q4_0) quantises
//   each activation group to int8 as it is loaded and takes packed int8 dot products
//   (qdot.glsl; needs shaderIntegerDotProduct). SUBGROUP defined needs subgroup arithmetic.
// Reference: internal/ref MatVec (backend.MatMul).
#version 450
#extension GL_GOOGLE_include_directive : require
#if defined(FP16)
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#endif
#if defined(SUBGROUP)
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
#if defined(INTDOT)
#extension GL_EXT_spirv_intrinsics : require
#endif
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;
layout(constant_id = 1) const uint NROWS = 2u;
layout(constant_id = 2) const uint EPI = 0u;
layout(constant_id = 3) const uint NORM = 0u;
layout(constant_id = 4) const uint NT = 1u;
#define WG gl_WorkGroupSize.x

layout(binding = 0) readonly buffer W { uint w[]; };
layout(binding = 0) readonly buffer W4 { uvec4 w4[]; };
layout(binding = 1) readonly buffer X { float xv[]; };
layout(binding = 1) readonly buffer X4 { vec4 xv4[]; };
layout(binding = 2) buffer Out0 { float o0[]; };
layout(binding = 3) buffer Out1 { float o1[]; };
layout(binding = 4) buffer Out2 { float o2[]; };
layout(binding = 5) readonly buffer NW { float nw[]; };
layout(binding = 5) readonly buffer NW4 { vec4 nw4[]; };

layout(push_constant) uniform MatVecPush {
	uint rows;
	uint cols;
	uint rowBytes;
	uint row0;
	uint n;
	uint outStride;
	uint split1;
	uint split2;
	float eps;
} pc;

// acc[r*NT + j] is this thread's share of row r's product with the workgroup's token j;
// ss[j] the sum of the squares of token j's activations it loaded (NORM).
float acc[NROWS * NT];
float ss[NT];

// xat4 returns activations 4i..4i+3 of the row at xb (a multiple of 4: token j of the
// workgroup), times the norm weights under NORM.
vec4 xat4(uint j, uint xb, uint i) {
	vec4 v = xv4[(xb >> 2) + i];
	if (NORM != 0u) {
		ss[j] += dot(v, v);
		v *= nw4[i];
	}
	return v;
}

// xat returns activation k of the row at xb (token j), times its norm weight under NORM.
float xat(uint j, uint xb, uint k) {
	float v = xv[xb + k];
	if (NORM != 0u) {
		ss[j] += v * v;
		v *= nw[k];
	}
	return v;
}

#include "epilogue.glsl"
#include "quant.glsl"
#include "qdot.glsl"

shared float red[NROWS * NT][WG]; // [row*NT + token][subgroup] (SUBGROUP) or [thread]
shared float redss[NT][WG];       // ss, as red

// invRMS is the prologue's scale from a token's sum of squares (1 without NORM).
float invRMS(float sum) {
	return NORM != 0u ? inversesqrt(sum / float(pc.cols) + pc.eps) : 1.0;
}

// partial adds this thread's share of the dot products of rows r0.. (nr of them) with
// tokens t0.. (nt of them) to acc.
void partial(uint r0, uint nr, uint t0, uint nt, uint tid) {
#if defined(WTYPE_F32) || defined(WTYPE_F16)
#if defined(WTYPE_F32)
	const uint per = 4u; // elements per 128-bit word
#else
	const uint per = 8u;
#endif
	uint k0 = 0u;
	// 128-bit loads where every row and every token's activations start 16-byte aligned.
	bool aligned = (pc.rowBytes & 15u) == 0u;
	for (uint j = 0u; j < nt; j++) {
		aligned = aligned && (((t0 + j) * pc.cols) & 3u) == 0u;
	}
	if (aligned) {
		uint nv = pc.cols / per;
		for (uint i = tid; i < nv; i += WG) {
			for (uint j = 0u; j < nt; j++) {
				uint xb = (t0 + j) * pc.cols;
#if defined(WTYPE_F32)
				vec4 x = xat4(j, xb, i);
				for (uint r = 0u; r < nr; r++) {
					acc[r * NT + j] += dot(uintBitsToFloat(w4[(r0 + r) * (pc.rowBytes >> 4) + i]), x);
				}
#else
				vec4 va = xat4(j, xb, 2u * i), vc = xat4(j, xb, 2u * i + 1u);
#if defined(FP16)
				vec4 m4 = max(abs(va), abs(vc));
				float sc = xscale(max(max(m4.x, m4.y), max(m4.z, m4.w))); // see xgroup
				XVEC xa = XVEC(va / sc), xc = XVEC(vc / sc);
#else
				XVEC xa = va, xc = vc;
#endif
				for (uint r = 0u; r < nr; r++) {
					uvec4 q = w4[(r0 + r) * (pc.rowBytes >> 4) + i];
#if defined(FP16)
					acc[r * NT + j] += sc * (dot4(f16vec4(unpackFloat2x16(q.x), unpackFloat2x16(q.y)), xa) +
						dot4(f16vec4(unpackFloat2x16(q.z), unpackFloat2x16(q.w)), xc));
#else
					acc[r * NT + j] += dot(vec4(unpackHalf2x16(q.x), unpackHalf2x16(q.y)), xa) +
						dot(vec4(unpackHalf2x16(q.z), unpackHalf2x16(q.w)), xc);
#endif
				}
#endif
			}
		}
		k0 = nv * per;
	}
#if defined(WTYPE_F16)
	else {
		// Rows on 2-byte boundaries: one word (two halves) at a time.
		uint nw = pc.cols / 2u;
		for (uint i = tid; i < nw; i += WG) {
			for (uint j = 0u; j < nt; j++) {
				uint xb = (t0 + j) * pc.cols;
				vec2 x = vec2(xat(j, xb, 2u * i), xat(j, xb, 2u * i + 1u));
				for (uint r = 0u; r < nr; r++) {
					acc[r * NT + j] += wdot_pair(word_at((r0 + r) * pc.rowBytes + 4u * i), x);
				}
			}
		}
		k0 = 2u * nw;
	}
#endif
	for (uint k = k0 + tid; k < pc.cols; k += WG) {
		for (uint j = 0u; j < nt; j++) {
			float x = xat(j, (t0 + j) * pc.cols, k);
			for (uint r = 0u; r < nr; r++) {
				acc[r * NT + j] += wget((r0 + r) * pc.rowBytes, k) * x;
			}
		}
	}
#else
	for (uint g = tid; g < pc.cols / 32u; g += WG) {
		for (uint j = 0u; j < nt; j++) {
			xgroup x = load_xgroup(j, (t0 + j) * pc.cols, g);
			for (uint r = 0u; r < nr; r++) {
				acc[r * NT + j] += wdot32((r0 + r) * pc.rowBytes, g, x) * x.scale;
			}
		}
	}
#endif
}

// store puts row pair (or row) r of token j, given its two sums: gated rows come in pairs
// (NROWS and the parts' rows are even), stored as silu(gate) * up by the even row.
void store(uint t0, uint j, uint R0, uint r, uint per, float s, float s1, float sq) {
	float inv = invRMS(sq);
	put(t0 + j, R0 + r, per == 2u ? silu_mul(s * inv, s1 * inv) : s * inv);
}

void main() {
	uint r0 = group_index() * NROWS;
	uint t0 = gl_WorkGroupID.z * NT;
	if (r0 >= pc.rows || t0 >= pc.n) {
		return;
	}
	uint nr = min(NROWS, pc.rows - r0);
	uint nt = min(NT, pc.n - t0);
	uint tid = gl_LocalInvocationID.x;
	for (uint i = 0u; i < NROWS * NT; i++) {
		acc[i] = 0.0;
	}
	for (uint j = 0u; j < NT; j++) {
		ss[j] = 0.0;
	}
	partial(r0, nr, t0, nt, tid);
	uint R0 = pc.row0 + r0; // W's row of acc[0]
	uint per = (EPI & EPI_GATED) != 0u ? 2u : 1u;
	uint pairs = (nr + per - 1u) / per;
#if defined(SUBGROUP)
	for (uint j = 0u; j < nt; j++) {
		for (uint r = 0u; r < nr; r++) {
			acc[r * NT + j] = subgroupAdd(acc[r * NT + j]);
		}
		if (NORM != 0u) {
			ss[j] = subgroupAdd(ss[j]);
		}
	}
	if (gl_NumSubgroups == 1u) {
		if (subgroupElect()) {
			for (uint j = 0u; j < nt; j++) {
				for (uint r = 0u; r < nr; r += per) {
					store(t0, j, R0, r, per, acc[r * NT + j], per == 2u ? acc[(r + 1u) * NT + j] : 0.0, ss[j]);
				}
			}
		}
		return;
	}
	if (subgroupElect()) {
		for (uint j = 0u; j < nt; j++) {
			for (uint r = 0u; r < nr; r++) {
				red[r * NT + j][gl_SubgroupID] = acc[r * NT + j];
			}
			redss[j][gl_SubgroupID] = ss[j];
		}
	}
	barrier();
	// One thread per (row pair, token).
	for (uint e = tid; e < pairs * nt; e += WG) {
		uint r = (e % pairs) * per, j = e / pairs;
		float s = 0.0, s1 = 0.0, sq = 0.0;
		for (uint i = 0u; i < gl_NumSubgroups; i++) {
			s += red[r * NT + j][i];
			s1 += per == 2u ? red[(r + 1u) * NT + j][i] : 0.0;
			sq += NORM != 0u ? redss[j][i] : 0.0;
		}
		store(t0, j, R0, r, per, s, s1, sq);
	}
#else
	for (uint j = 0u; j < nt; j++) {
		for (uint r = 0u; r < nr; r++) {
			red[r * NT + j][tid] = acc[r * NT + j];
		}
		redss[j][tid] = ss[j];
	}
	barrier();
	for (uint step = WG / 2u; step > 0u; step >>= 1) {
		if (tid < step) {
			for (uint j = 0u; j < nt; j++) {
				for (uint r = 0u; r < nr; r++) {
					red[r * NT + j][tid] += red[r * NT + j][tid + step];
				}
				if (NORM != 0u) {
					redss[j][tid] += redss[j][tid + step];
				}
			}
		}
		barrier();
	}
	for (uint e = tid; e < pairs * nt; e += WG) {
		uint r = (e % pairs) * per, j = e / pairs;
		store(t0, j, R0, r, per, red[r * NT + j][0], per == 2u ? red[(r + 1u) * NT + j][0] : 0.0, redss[j][0]);
	}
#endif
}
