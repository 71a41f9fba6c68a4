// matvec: Out[t][row0 + r] = sum_k W[r][k] * X[t][k] for the rows of one weight part: the
// decode path (n = 1; every batch on software devices). Each workgroup computes NROWS rows
// of one token; each thread loads
// the activations of a 32-element group (or a 128-bit word of F32/F16 weights) once and
// multiplies it with that group of every row, and the partial sums are added within each
// subgroup (subgroupAdd; with SUBGROUP undefined, by a tree in shared memory) and then
// across the workgroup's subgroups in shared memory.
// Bindings: 0 W (uint words, GGUF rows; also viewed as uvec4), 1 X (float, (n, cols); also
//   viewed as vec4), 2-4 Out0..Out2 (float): the rows of W split among up to three outputs
//   at split1 and split2, each an (n, width) matrix (epilogue.glsl; one output: bind it
//   three times, split1 = split2 = outStride), 5 NW (float, (cols): the RMSNorm weights
//   when NORM is set; any buffer otherwise).
// Push: MatVecPush {rows, cols, rowBytes, row0, n, outStride (W's rows), split1, split2,
//   eps}.
// Dispatch: ceil(rows/NROWS) workgroups folded into (x, y) (common.glsl), z = n tokens;
//   local size WG = gl_WorkGroupSize.x (specialisation constant 0, default 64), NROWS
//   specialisation constant 1 (default 2). The host keeps WG a multiple of the subgroup
//   size. EPI specialisation constant 2 (epilogue.glsl): add to the outputs, gated rows.
//   NORM specialisation constant 3: the RMSNorm prologue (backend.Linear's Norm): every
//   activation is multiplied by its NW weight as it is loaded, the squares of the raw
//   activations are summed alongside the products, and each result is scaled by
//   1/sqrt(mean square + eps) before the epilogue (the product is linear in X, so the
//   workgroup needs no pass over X of its own).
// Variants: FP16 defined computes the products in fp16 with float32 accumulation
//   (qdot.glsl); F32 weights always use float32. SUBGROUP defined needs subgroup arithmetic.
// Reference: internal/ref MatVec (backend.MatMul).
#version 450
#extension GL_GOOGLE_include_directive : require
#if defined(FP16)
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#endif
#if defined(SUBGROUP)
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;
layout(constant_id = 1) const uint NROWS = 2u;
layout(constant_id = 2) const uint EPI = 0u;
layout(constant_id = 3) const uint NORM = 0u;
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

// ss is this thread's sum of the squares of the activations it loaded (NORM).
float ss = 0.0;

// xat4 returns activations 4j..4j+3 of the row at xb (a multiple of 4), times the norm
// weights under NORM.
vec4 xat4(uint xb, uint j) {
	vec4 v = xv4[(xb >> 2) + j];
	if (NORM != 0u) {
		ss += dot(v, v);
		v *= nw4[j];
	}
	return v;
}

// xat returns activation k of the row at xb, times its norm weight under NORM.
float xat(uint xb, uint k) {
	float v = xv[xb + k];
	if (NORM != 0u) {
		ss += v * v;
		v *= nw[k];
	}
	return v;
}

#include "epilogue.glsl"
#include "quant.glsl"
#include "qdot.glsl"

#if defined(SUBGROUP)
shared float red[NROWS][WG]; // [row][subgroup]
#else
shared float red[NROWS][WG]; // [row][thread]
#endif
shared float redss[WG];      // ss, as red

// invRMS is the prologue's scale from the workgroup's sum of squares (1 without NORM).
float invRMS(float sum) {
	return NORM != 0u ? inversesqrt(sum / float(pc.cols) + pc.eps) : 1.0;
}

// partial returns this thread's share of the dot products of rows r0.. (nr of them) with
// token t's activations.
void partial(uint r0, uint nr, uint t, uint tid, inout float acc[NROWS]) {
	uint xb = t * pc.cols;
#if defined(WTYPE_F32) || defined(WTYPE_F16)
#if defined(WTYPE_F32)
	const uint per = 4u; // elements per 128-bit word
#else
	const uint per = 8u;
#endif
	uint k0 = 0u;
	// 128-bit loads where every row and the activations start 16-byte aligned.
	if ((pc.rowBytes & 15u) == 0u && (xb & 3u) == 0u) {
		uint nv = pc.cols / per;
		for (uint i = tid; i < nv; i += WG) {
#if defined(WTYPE_F32)
			vec4 x = xat4(xb, i);
			for (uint r = 0u; r < nr; r++) {
				acc[r] += dot(uintBitsToFloat(w4[(r0 + r) * (pc.rowBytes >> 4) + i]), x);
			}
#else
			vec4 va = xat4(xb, 2u * i), vc = xat4(xb, 2u * i + 1u);
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
				acc[r] += sc * (dot4(f16vec4(unpackFloat2x16(q.x), unpackFloat2x16(q.y)), xa) +
					dot4(f16vec4(unpackFloat2x16(q.z), unpackFloat2x16(q.w)), xc));
#else
				acc[r] += dot(vec4(unpackHalf2x16(q.x), unpackHalf2x16(q.y)), xa) +
					dot(vec4(unpackHalf2x16(q.z), unpackHalf2x16(q.w)), xc);
#endif
			}
#endif
		}
		k0 = nv * per;
	}
#if defined(WTYPE_F16)
	else {
		// Rows on 2-byte boundaries: one word (two halves) at a time.
		uint nw = pc.cols / 2u;
		for (uint i = tid; i < nw; i += WG) {
			vec2 x = vec2(xat(xb, 2u * i), xat(xb, 2u * i + 1u));
			for (uint r = 0u; r < nr; r++) {
				acc[r] += wdot_pair(word_at((r0 + r) * pc.rowBytes + 4u * i), x);
			}
		}
		k0 = 2u * nw;
	}
#endif
	for (uint k = k0 + tid; k < pc.cols; k += WG) {
		float x = xat(xb, k);
		for (uint r = 0u; r < nr; r++) {
			acc[r] += wget((r0 + r) * pc.rowBytes, k) * x;
		}
	}
#else
	for (uint g = tid; g < pc.cols / 32u; g += WG) {
		xgroup x = load_xgroup(xb, g);
		for (uint r = 0u; r < nr; r++) {
			acc[r] += wdot32((r0 + r) * pc.rowBytes, g, x) * x.scale;
		}
	}
#endif
}

void main() {
	uint r0 = group_index() * NROWS;
	uint t = gl_WorkGroupID.z;
	if (r0 >= pc.rows) {
		return;
	}
	uint nr = min(NROWS, pc.rows - r0);
	uint tid = gl_LocalInvocationID.x;
	float acc[NROWS];
	for (uint r = 0u; r < NROWS; r++) {
		acc[r] = 0.0;
	}
	partial(r0, nr, t, tid, acc);
	uint R0 = pc.row0 + r0; // W's row of acc[0]
	// Gated rows come in pairs (NROWS and the parts' rows are even): one thread per pair.
	uint per = (EPI & EPI_GATED) != 0u ? 2u : 1u;
#if defined(SUBGROUP)
	for (uint r = 0u; r < nr; r++) {
		acc[r] = subgroupAdd(acc[r]);
	}
	if (NORM != 0u) {
		ss = subgroupAdd(ss);
	}
	if (gl_NumSubgroups == 1u) {
		if (subgroupElect()) {
			float inv = invRMS(ss);
			for (uint r = 0u; r < nr; r += per) {
				put(t, R0 + r, per == 2u ? silu_mul(acc[r] * inv, acc[r + 1u] * inv) : acc[r] * inv);
			}
		}
		return;
	}
	if (subgroupElect()) {
		for (uint r = 0u; r < nr; r++) {
			red[r][gl_SubgroupID] = acc[r];
		}
		redss[gl_SubgroupID] = ss;
	}
	barrier();
	uint r = tid * per;
	if (r < nr) {
		float s = 0.0, s1 = 0.0, sq = 0.0;
		for (uint i = 0u; i < gl_NumSubgroups; i++) {
			s += red[r][i];
			s1 += per == 2u ? red[r + 1u][i] : 0.0;
			sq += NORM != 0u ? redss[i] : 0.0;
		}
		float inv = invRMS(sq);
		put(t, R0 + r, per == 2u ? silu_mul(s * inv, s1 * inv) : s * inv);
	}
#else
	for (uint r = 0u; r < nr; r++) {
		red[r][tid] = acc[r];
	}
	redss[tid] = ss;
	barrier();
	for (uint step = WG / 2u; step > 0u; step >>= 1) {
		if (tid < step) {
			for (uint r = 0u; r < nr; r++) {
				red[r][tid] += red[r][tid + step];
			}
			if (NORM != 0u) {
				redss[tid] += redss[tid + step];
			}
		}
		barrier();
	}
	uint r = tid * per;
	if (r < nr) {
		float inv = invRMS(redss[0]);
		put(t, R0 + r, per == 2u ? silu_mul(red[r][0] * inv, red[r + 1u][0] * inv) : red[r][0] * inv);
	}
#endif
}
