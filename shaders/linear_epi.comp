// linear_epi: the epilogue of a fused matrix product (backend.Linear) whose products the
// tiled kernel wrote to a scratch matrix: stores row R of token t of Y into the outputs
// (epilogue.glsl), adding to them or combining gate and up rows as EPI says.
// Bindings: 0 Y (float, (n, outStride)), 1-3 Out0..Out2 (float).
// Push: LinearEpiPush {n, outStride, split1, split2}.
// Dispatch: ceil(n*outStride/per / 256) workgroups of 256 (per = 2 for gated rows, else
//   1), folded into (x, y); EPI specialisation constant 0.
// Reference: internal/ref runLinear (backend.Linear).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 0) const uint EPI = 0u;

layout(binding = 0) readonly buffer Y { float y[]; };
layout(binding = 1) buffer Out0 { float o0[]; };
layout(binding = 2) buffer Out1 { float o1[]; };
layout(binding = 3) buffer Out2 { float o2[]; };

layout(push_constant) uniform LinearEpiPush {
	uint n;
	uint outStride;
	uint split1;
	uint split2;
} pc;

#include "epilogue.glsl"

void main() {
	uint per = (EPI & EPI_GATED) != 0u ? 2u : 1u;
	uint id = group_index() * 256u + gl_LocalInvocationID.x;
	uint perTok = pc.outStride / per;
	if (id >= pc.n * perTok) {
		return;
	}
	uint t = id / perTok;
	uint R = (id % perTok) * per;
	uint i = t * pc.outStride + R;
	put(t, R, per == 2u ? silu_mul(y[i], y[i + 1u]) : y[i]);
}
