// matmul: Out[t][row0 + r] = sum_k W[r][k] * X[t][k], tiled for prefill (n > 1): each
// workgroup computes a 32-row x 32-token tile, staging 32-wide slices of W (dequantised,
// four weights per thread) and X in shared memory; each of the 256 threads accumulates
// 2 x 2 outputs.
// Bindings: 0 W (uint words, GGUF rows), 1 X (float, (n, cols)), 2 Out (float, (n, outStride)).
// Push: MatMulPush {rows, cols, rowBytes, row0, n, outStride}.
// Dispatch: (ceil(rows/32), ceil(n/32), 1) workgroups of 256 threads.
// Variants: FP16 defined stages the tiles in fp16 (half the shared memory) and multiplies
//   pairs of elements by fp16 dots accumulated in float32.
// Reference: internal/ref MatVec per token (backend.MatMul).
#version 450
#extension GL_GOOGLE_include_directive : require
#if defined(FP16)
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#endif

layout(local_size_x = 256) in;

layout(binding = 0) readonly buffer W { uint w[]; };
layout(binding = 1) readonly buffer X { float xv[]; };
layout(binding = 2) buffer Out { float o[]; };

layout(push_constant) uniform MatMulPush {
	uint rows;
	uint cols;
	uint rowBytes;
	uint row0;
	uint n;
	uint outStride;
} pc;

#include "quant.glsl"

const uint TILE = 32u;
#if defined(FP16)
// Pairs of neighbouring k: [row][k/2] and [token][k/2].
shared f16vec2 ws[TILE][TILE / 2u + 1u];
shared f16vec2 xs[TILE][TILE / 2u + 1u];
// Each token's four-element groups are stored divided by a power of two when they exceed
// XMAX (as the matrix-vector kernel's xgroup), so activations past the fp16 range do not
// overflow: [token][k/4].
shared float xsc[TILE][TILE / 4u];
#define XMAX 1024.0
#else
shared float ws[TILE][TILE + 1u]; // [row][k]
shared float xs[TILE][TILE + 1u]; // [token][k]
#endif

// stage copies the 32-wide k slice at k0 of the tile's weight rows and tokens to shared
// memory (zero outside the matrices): each thread dequantises four neighbouring weights
// at once (wget4) where the row holds all four, else one at a time.
void stage(uint tid, uint r0, uint t0, uint k0) {
	uint i = tid >> 3;            // tile row (weight row r0+i and token t0+i)
	uint kk = (tid & 7u) * 4u;    // first of this thread's four k
	uint k = k0 + kk;
	uint r = r0 + i;
	uint t = t0 + i;
	vec4 wv = vec4(0.0), xq = vec4(0.0);
	if (r < pc.rows && k + 3u < pc.cols) {
		wv = wget4(r * pc.rowBytes, k);
	} else if (r < pc.rows) {
		for (uint e = 0u; e < 4u && k + e < pc.cols; e++) {
			wv[e] = wget(r * pc.rowBytes, k + e);
		}
	}
	if (t < pc.n) {
		for (uint e = 0u; e < 4u && k + e < pc.cols; e++) {
			xq[e] = xv[t * pc.cols + k + e];
		}
	}
#if defined(FP16)
	ws[i][kk / 2u] = f16vec2(wv.xy);
	ws[i][kk / 2u + 1u] = f16vec2(wv.zw);
	vec4 a = abs(xq);
	float m = max(max(a.x, a.y), max(a.z, a.w));
	float sc = m > XMAX ? exp2(ceil(log2(m / XMAX))) : 1.0;
	xsc[i][kk / 4u] = sc;
	xs[i][kk / 2u] = f16vec2(xq.xy / sc);
	xs[i][kk / 2u + 1u] = f16vec2(xq.zw / sc);
#else
	for (uint e = 0u; e < 4u; e++) {
		ws[i][kk + e] = wv[e];
		xs[i][kk + e] = xq[e];
	}
#endif
}

void main() {
	uint tid = gl_LocalInvocationID.x;
	uint r0 = gl_WorkGroupID.x * TILE;
	uint t0 = gl_WorkGroupID.y * TILE;
	uint tr = (tid & 15u) * 2u; // this thread's rows r0+tr, +1
	uint tt = (tid >> 4) * 2u;  // and tokens t0+tt, +1
	float acc[2][2] = float[2][2](float[2](0.0, 0.0), float[2](0.0, 0.0));
	for (uint k0 = 0u; k0 < pc.cols; k0 += TILE) {
		stage(tid, r0, t0, k0);
		barrier();
#if defined(FP16)
		for (uint kq = 0u; kq < TILE / 4u; kq++) {
			float s0 = xsc[tt][kq], s1 = xsc[tt + 1u][kq];
			for (uint kp = 2u * kq; kp < 2u * kq + 2u; kp++) {
				f16vec2 w0 = ws[tr][kp], w1 = ws[tr + 1u][kp];
				f16vec2 x0 = xs[tt][kp], x1 = xs[tt + 1u][kp];
				acc[0][0] += s0 * float(dot(w0, x0));
				acc[0][1] += s1 * float(dot(w0, x1));
				acc[1][0] += s0 * float(dot(w1, x0));
				acc[1][1] += s1 * float(dot(w1, x1));
			}
		}
#else
		for (uint kk = 0u; kk < TILE; kk++) {
			float w0 = ws[tr][kk], w1 = ws[tr + 1u][kk];
			float x0 = xs[tt][kk], x1 = xs[tt + 1u][kk];
			acc[0][0] += w0 * x0;
			acc[0][1] += w0 * x1;
			acc[1][0] += w1 * x0;
			acc[1][1] += w1 * x1;
		}
#endif
		barrier();
	}
	for (uint a = 0u; a < 2u; a++) {
		for (uint b = 0u; b < 2u; b++) {
			uint r = r0 + tr + a;
			uint t = t0 + tt + b;
			if (r < pc.rows && t < pc.n) {
				o[t * pc.outStride + pc.row0 + r] = acc[a][b];
			}
		}
	}
}
