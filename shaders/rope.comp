// rope: rotates the first ropeDim elements of each head of X in place, pair i of token t by
// the angle whose cosine and sine the host computed (in float64, as the reference does)
// into the arena at tabOff + 2*(t*ropeDim/2 + i). Pairs are (2i, 2i+1), or (i, i+ropeDim/2)
// when neox != 0.
// Bindings: 0 X (float, (n, nHeads, headDim), read and written), 1 Arena (uint; the table).
// Push: RoPEPush {n, nHeads, headDim, ropeDim, neox, tabOff}.
// Dispatch: ceil(n*nHeads*ropeDim/2 / 256) workgroups of 256, folded into (x, y).
// Reference: internal/ref RoPE (backend.RoPE).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = 256) in;

layout(binding = 0) buffer X { float x[]; };
layout(binding = 1) readonly buffer Arena { uint arena[]; };

layout(push_constant) uniform RoPEPush {
	uint n;
	uint nHeads;
	uint headDim;
	uint ropeDim;
	uint neox;
	uint tabOff;
} pc;

void main() {
	uint half_ = pc.ropeDim / 2u;
	uint id = group_index() * 256u + gl_LocalInvocationID.x;
	if (id >= pc.n * pc.nHeads * half_) {
		return;
	}
	uint i = id % half_;
	uint h = (id / half_) % pc.nHeads;
	uint t = id / (half_ * pc.nHeads);
	uint tab = pc.tabOff + 2u * (t * half_ + i);
	float c = uintBitsToFloat(arena[tab]);
	float s = uintBitsToFloat(arena[tab + 1u]);
	uint head = (t * pc.nHeads + h) * pc.headDim;
	uint a = pc.neox != 0u ? head + i : head + 2u * i;
	uint b = pc.neox != 0u ? a + half_ : a + 1u;
	float x0 = x[a];
	float x1 = x[b];
	precise float y0 = x0 * c - x1 * s;
	precise float y1 = x0 * s + x1 * c;
	x[a] = y0;
	x[b] = y1;
}
