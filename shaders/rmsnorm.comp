// rmsnorm: Out[t] = W * (X[t] / sqrt(mean(X[t]^2) + eps)), one workgroup per token row.
// Bindings: 0 X (float, (n, dim)), 1 W (float, (dim)), 2 Out (float, (n, dim); may alias X).
// Push: RMSNormPush {dim, n, eps}.
// Dispatch: n workgroups of 256 threads, folded into (x, y) (common.glsl).
// Reference: internal/ref RMSNorm (backend.RMSNorm).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = 256) in;

layout(binding = 0) readonly buffer X { float x[]; };
layout(binding = 1) readonly buffer W { float wt[]; };
layout(binding = 2) writeonly buffer Out { float o[]; };

layout(push_constant) uniform RMSNormPush {
	uint dim;
	uint n;
	float eps;
} pc;

shared float partial[256];

void main() {
	uint t = group_index();
	if (t >= pc.n) {
		return;
	}
	uint tid = gl_LocalInvocationID.x;
	uint base = t * pc.dim;
	float s = 0.0;
	for (uint i = tid; i < pc.dim; i += 256u) {
		float v = x[base + i];
		s += v * v;
	}
	partial[tid] = s;
	barrier();
	for (uint step = 128u; step > 0u; step >>= 1) {
		if (tid < step) {
			partial[tid] += partial[tid + step];
		}
		barrier();
	}
	float scale = 1.0 / sqrt(partial[0] / float(pc.dim) + pc.eps);
	for (uint i = tid; i < pc.dim; i += 256u) {
		o[base + i] = wt[i] * (scale * x[base + i]);
	}
}
