// rope_kv: RoPE of Q and K in place, then K and V stored into the paged KV store, in one
// launch (backend.RoPEKV). Workgroup (t, j): j < nHeads rotates query head j of token t;
// otherwise it rotates KV head j-nHeads and writes it, with V, to the slot of each of that
// head's units (Slots[t*units + u] >= 0; the host keeps only the last write to a repeated
// slot) and sets the slot's position. Angles as in rope.comp (host table at tabOff).
// Bindings: 0 Q (float, (n, nHeads, headDim)), 1 K (float, (n, nKVHeads, headDim)), 2 V
//   (same), 3 Arena (uint: table, slots at slotOff, positions at posOff), 4 KC[KV_CHUNKS],
//   5 VC[KV_CHUNKS] (float), 6 Pos (int, (slots)).
// Push: RoPEKVPush {n, nHeads, nKVHeads, unitsPerKV, headDim, ropeDim, neox, tabOff,
//   slotsPerChunk, slotOff, posOff}.
// Dispatch: n*(nHeads+nKVHeads) workgroups of 64, folded into (x, y).
// Reference: internal/ref (backend.RoPEKV.Unfused: RoPE, RoPE, KVWrite).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "kv.glsl"

layout(local_size_x = 64) in;

layout(binding = 0) buffer Q { float q[]; };
layout(binding = 1) buffer K { float k[]; };
layout(binding = 2) readonly buffer V { float v[]; };
layout(binding = 3) readonly buffer Arena { uint arena[]; };
layout(binding = 4) writeonly buffer KC { float d[]; } kc[KV_CHUNKS];
layout(binding = 5) writeonly buffer VC { float d[]; } vc[KV_CHUNKS];
layout(binding = 6) writeonly buffer Pos { int pos[]; };

layout(push_constant) uniform RoPEKVPush {
	uint n;
	uint nHeads;
	uint nKVHeads;
	uint unitsPerKV;
	uint headDim;
	uint ropeDim;
	uint neox;
	uint tabOff;
	uint slotsPerChunk;
	uint slotOff;
	uint posOff;
} pc;

// pairAt returns the offsets within a head of rotation pair i.
uvec2 pairAt(uint i) {
	uint half_ = pc.ropeDim / 2u;
	uint a = pc.neox != 0u ? i : 2u * i;
	return uvec2(a, pc.neox != 0u ? a + half_ : a + 1u);
}

vec2 rotate(uint t, uint i, float x0, float x1) {
	uint tab = pc.tabOff + 2u * (t * (pc.ropeDim / 2u) + i);
	float c = uintBitsToFloat(arena[tab]);
	float s = uintBitsToFloat(arena[tab + 1u]);
	precise float y0 = x0 * c - x1 * s;
	precise float y1 = x0 * s + x1 * c;
	return vec2(y0, y1);
}

void rotateQ(uint t, uint h) {
	uint head = (t * pc.nHeads + h) * pc.headDim;
	for (uint i = gl_LocalInvocationID.x; i < pc.ropeDim / 2u; i += 64u) {
		uvec2 p = pairAt(i) + head;
		vec2 y = rotate(t, i, q[p.x], q[p.y]);
		q[p.x] = y.x;
		q[p.y] = y.y;
	}
}

// store writes element e of K head kh (value kv) and of V to every unit's slot.
void store(uint t, uint kh, uint e, float kval) {
	uint units = pc.nKVHeads * pc.unitsPerKV;
	float vval = v[(t * pc.nKVHeads + kh) * pc.headDim + e];
	for (uint j = 0u; j < pc.unitsPerKV; j++) {
		int slot = int(arena[pc.slotOff + t * units + kh * pc.unitsPerKV + j]);
		if (slot >= 0) {
			uint chunk = uint(slot) / pc.slotsPerChunk;
			uint dst = (uint(slot) % pc.slotsPerChunk) * pc.headDim + e;
			kc[chunk].d[dst] = kval;
			vc[chunk].d[dst] = vval;
		}
	}
}

void rotateK(uint t, uint kh) {
	uint head = (t * pc.nKVHeads + kh) * pc.headDim;
	for (uint i = gl_LocalInvocationID.x; i < pc.ropeDim / 2u; i += 64u) {
		uvec2 p = pairAt(i);
		vec2 y = rotate(t, i, k[head + p.x], k[head + p.y]);
		k[head + p.x] = y.x;
		k[head + p.y] = y.y;
		store(t, kh, p.x, y.x);
		store(t, kh, p.y, y.y);
	}
	for (uint e = pc.ropeDim + gl_LocalInvocationID.x; e < pc.headDim; e += 64u) {
		store(t, kh, e, k[head + e]);
	}
	uint units = pc.nKVHeads * pc.unitsPerKV;
	for (uint j = gl_LocalInvocationID.x; j < pc.unitsPerKV; j += 64u) {
		int slot = int(arena[pc.slotOff + t * units + kh * pc.unitsPerKV + j]);
		if (slot >= 0) {
			pos[slot] = int(arena[pc.posOff + t]);
		}
	}
}

void main() {
	uint g = group_index();
	uint per = pc.nHeads + pc.nKVHeads;
	if (g >= pc.n * per) {
		return;
	}
	uint t = g / per;
	uint j = g % per;
	if (j < pc.nHeads) {
		rotateQ(t, j);
	} else {
		rotateK(t, j - pc.nHeads);
	}
}
