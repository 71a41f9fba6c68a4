// matvec: Out[t][row0 + r] = sum_k W[r][k] * X[t][k] for the rows of one weight part,
// one workgroup per (row, token): the decode path (N = 1) and small batches.
// Bindings: 0 W (uint words, GGUF rows), 1 X (float, (n, cols)), 2 Out (float, (n, outStride)).
// Push: MatVecPush {rows, cols, rowBytes, row0, n, outStride}.
// Dispatch: rows workgroups folded into (x, y) (common.glsl), z = n tokens; local size
//   WG = gl_WorkGroupSize.x (specialisation constant 0, default 64).
// Variants: FP16 defined computes the products in fp16 with float32 accumulation
//   (qdot.glsl); F32 weights always use float32.
// Reference: internal/ref MatVec (backend.MatMul).
#version 450
#extension GL_GOOGLE_include_directive : require
#if defined(FP16)
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#endif
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(local_size_x = 64) in;
#define WG gl_WorkGroupSize.x

layout(binding = 0) readonly buffer W { uint w[]; };
layout(binding = 1) readonly buffer X { float xv[]; };
layout(binding = 2) buffer Out { float o[]; };

layout(push_constant) uniform MatVecPush {
	uint rows;
	uint cols;
	uint rowBytes;
	uint row0;
	uint n;
	uint outStride;
} pc;

#include "quant.glsl"
#include "qdot.glsl"

shared float partial[WG];

void main() {
	uint r = group_index();
	uint t = gl_WorkGroupID.z;
	if (r >= pc.rows) {
		return;
	}
	uint tid = gl_LocalInvocationID.x;
	uint rb = r * pc.rowBytes;
	uint xb = t * pc.cols;
	float s = 0.0;
#if defined(WTYPE_F32) || defined(WTYPE_F16)
	// Plain types: neighbouring threads read neighbouring words (two halves a word for
	// F16 rows).
	uint k0 = 0u;
#if defined(WTYPE_F16)
	uint words = pc.cols / 2u;
	for (uint i = tid; i < words; i += WG) {
		s += wdot_pair(word_at(rb + 4u * i), xb + 2u * i);
	}
	k0 = 2u * words;
#endif
	for (uint k = k0 + tid; k < pc.cols; k += WG) {
		s += wget(rb, k) * xv[xb + k];
	}
#else
	// Quantised types: one 32-element group per thread at a time.
	for (uint g = tid; g < pc.cols / 32u; g += WG) {
		s += wdot32(rb, g, xb);
	}
#endif
	partial[tid] = s;
	barrier();
	for (uint step = WG / 2u; step > 0u; step >>= 1) {
		if (tid < step) {
			partial[tid] += partial[tid + step];
		}
		barrier();
	}
	if (tid == 0u) {
		o[t * pc.outStride + pc.row0 + r] = partial[0];
	}
}
