// attn_reduce: combines the nSplits partial results of attn_split for each (token, head):
// Out = sum_s exp(m_s - M) acc_s / sum_s exp(m_s - M) l_s with M = max_s m_s (0 when no
// slot was live).
// Token t's output is row row+t of Out.
// Bindings: 0 Part (float, ((n*nHeads*nSplits), headDim+2)), 1 Out (float, (row+n, nHeads, headDim)).
// Push: AttnReducePush {n, row, nHeads, headDim, nSplits}.
// Dispatch: (nHeads, n, 1) workgroups of 64 threads.
// Reference: internal/ref attention (backend.Attention).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "kv.glsl"

layout(local_size_x = 64) in;

layout(binding = 0) readonly buffer Part { float part[]; };
layout(binding = 1) writeonly buffer Out { float o[]; };

layout(push_constant) uniform AttnReducePush {
	uint n;
	uint row;
	uint nHeads;
	uint headDim;
	uint nSplits;
} pc;

void main() {
	uint h = gl_WorkGroupID.x;
	uint t = gl_WorkGroupID.y;
	uint stride = pc.headDim + 2u;
	uint pb = (t * pc.nHeads + h) * pc.nSplits * stride;
	float mx = NEG;
	for (uint s = 0u; s < pc.nSplits; s++) {
		if (part[pb + s * stride + 1u] > 0.0) {
			mx = max(mx, part[pb + s * stride]);
		}
	}
	float l = 0.0;
	for (uint s = 0u; s < pc.nSplits; s++) {
		float ls = part[pb + s * stride + 1u];
		if (ls > 0.0) {
			l += ls * exp(part[pb + s * stride] - mx);
		}
	}
	float inv = l > 0.0 ? 1.0 / l : 0.0;
	for (uint d = gl_LocalInvocationID.x; d < pc.headDim; d += 64u) {
		float acc = 0.0;
		for (uint s = 0u; s < pc.nSplits; s++) {
			uint sb = pb + s * stride;
			if (part[sb + 1u] > 0.0) {
				acc += part[sb + 2u + d] * exp(part[sb] - mx);
			}
		}
		o[((pc.row + t) * pc.nHeads + h) * pc.headDim + d] = acc * inv;
	}
}
