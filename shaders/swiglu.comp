// swiglu: Out[i] = silu(Gate[i]) * Up[i] for i < n, silu(g) = g / (1 + exp(-g)).
// Bindings: 0 Gate (float), 1 Up (float), 2 Out (float; may alias Gate or Up).
// Push: SwiGLUPush {n}.
// Dispatch: ceil(n/256) workgroups of 256, folded into (x, y) (common.glsl).
// Reference: internal/ref SwiGLU (backend.SwiGLU).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = 256) in;

layout(binding = 0) readonly buffer Gate { float gate[]; };
layout(binding = 1) readonly buffer Up { float up[]; };
layout(binding = 2) writeonly buffer Out { float o[]; };

layout(push_constant) uniform SwiGLUPush {
	uint n;
} pc;

void main() {
	uint i = group_index() * 256u + gl_LocalInvocationID.x;
	if (i < pc.n) {
		float g = gate[i];
		o[i] = g / (1.0 + exp(-g)) * up[i];
	}
}
