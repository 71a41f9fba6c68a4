// add: Out[i] = A[i] + B[i] for i < n.
// Bindings: 0 A (float, read), 1 B (float, read), 2 Out (float, written; may alias A).
// Push: AddPush {n}.
// Dispatch: ceil(n/256) workgroups of 256 threads, folded into x/y (common.glsl).
// Reference: internal/ref, backend.Add.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = 256) in;

layout(binding = 0) readonly buffer A { float a[]; };
layout(binding = 1) readonly buffer B { float b[]; };
layout(binding = 2) writeonly buffer Out { float o[]; };

layout(push_constant) uniform AddPush {
	uint n;
} pc;

void main() {
	uint i = group_index() * 256 + gl_LocalInvocationID.x;
	if (i < pc.n) {
		o[i] = a[i] + b[i];
	}
}
