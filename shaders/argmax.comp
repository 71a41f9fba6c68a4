// argmax: Out[t] = index of the first largest value of row t of X (as a float).
// Bindings: 0 X (float, (n, dim)), 1 Out (float, (n)).
// Push: ArgmaxPush {n, dim}.
// Dispatch: n workgroups of 256, folded into (x, y) (common.glsl).
// Reference: internal/ref Argmax (backend.Argmax).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = 256) in;

layout(binding = 0) readonly buffer X { float x[]; };
layout(binding = 1) writeonly buffer Out { float o[]; };

layout(push_constant) uniform ArgmaxPush {
	uint n;
	uint dim;
} pc;

shared float bestVal[256];
shared uint bestIdx[256];

void main() {
	uint t = group_index();
	if (t >= pc.n) {
		return;
	}
	uint tid = gl_LocalInvocationID.x;
	uint base = t * pc.dim;
	uint bi = 0xFFFFFFFFu;
	float bv = 0.0;
	for (uint i = tid; i < pc.dim; i += 256u) {
		float v = x[base + i];
		if (bi == 0xFFFFFFFFu || v > bv) {
			bi = i;
			bv = v;
		}
	}
	bestVal[tid] = bv;
	bestIdx[tid] = bi;
	barrier();
	for (uint step = 128u; step > 0u; step >>= 1) {
		if (tid < step) {
			uint oi = bestIdx[tid + step];
			float ov = bestVal[tid + step];
			uint mi = bestIdx[tid];
			// Take the other side's candidate when it is larger, or equal with a lower index.
			if (oi != 0xFFFFFFFFu && (mi == 0xFFFFFFFFu || ov > bestVal[tid] || (ov == bestVal[tid] && oi < mi))) {
				bestIdx[tid] = oi;
				bestVal[tid] = ov;
			}
		}
		barrier();
	}
	if (tid == 0u) {
		o[t] = float(bestIdx[0]);
	}
}
