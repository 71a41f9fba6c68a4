// bias: Out[t][r] += Bias[r] for r < rows, t < n.
// Bindings: 0 Bias (float, (rows)), 1 Out (float, (n, rows)).
// Push: BiasPush {rows, n}.
// Dispatch: ceil(rows*n/256) workgroups of 256 threads, folded into (x, y) (common.glsl).
// Reference: internal/ref runMatMul's bias (backend.MatMul.Bias).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = 256) in;

layout(binding = 0) readonly buffer Bias { float bias[]; };
layout(binding = 1) buffer Out { float o[]; };

layout(push_constant) uniform BiasPush {
	uint rows;
	uint n;
} pc;

void main() {
	uint i = group_index() * 256u + gl_LocalInvocationID.x;
	if (i < pc.rows * pc.n) {
		o[i] += bias[i % pc.rows];
	}
}
