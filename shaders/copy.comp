// copy: Dst[dstOff + i] = Src[srcOff + i] for i < n (the ranges do not overlap).
// Bindings: 0 Src (float), 1 Dst (float).
// Push: CopyPush {n, srcOff, dstOff}.
// Dispatch: ceil(n/256) workgroups of 256, folded into (x, y) (common.glsl).
// Reference: internal/ref, backend.Copy.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = 256) in;

layout(binding = 0) readonly buffer Src { float src[]; };
layout(binding = 1) writeonly buffer Dst { float dst[]; };

layout(push_constant) uniform CopyPush {
	uint n;
	uint srcOff;
	uint dstOff;
} pc;

void main() {
	uint i = group_index() * 256u + gl_LocalInvocationID.x;
	if (i < pc.n) {
		dst[pc.dstOff + i] = src[pc.srcOff + i];
	}
}
