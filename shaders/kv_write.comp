// kv_write: stores K and V of n tokens into the paged store: for token t and unit u with
// slot = Slots[t*units + u] >= 0, K[t][u/unitsPerKV] and V[t][u/unitsPerKV] go to the slot
// and Pos[slot] = Pos_t. (The host drops all but the last write to a repeated slot.)
// Bindings: 0 K (float, (n, nKVHeads, headDim)), 1 V (same), 2 Arena (uint; slots at
//   slotOff (n*units ints), positions at posOff (n ints)), 3 KC[KV_CHUNKS] (float),
//   4 VC[KV_CHUNKS] (float), 5 Pos (int, (slots)).
// Push: KVWritePush {n, nKVHeads, units, unitsPerKV, headDim, slotsPerChunk, slotOff, posOff}.
// Dispatch: n*units workgroups of 64, folded into (x, y) (common.glsl).
// Reference: internal/ref kvWrite (backend.KVWrite).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "kv.glsl"

layout(local_size_x = 64) in;

layout(binding = 0) readonly buffer K { float k[]; };
layout(binding = 1) readonly buffer V { float v[]; };
layout(binding = 2) readonly buffer Arena { uint arena[]; };
layout(binding = 3) writeonly buffer KC { float d[]; } kc[KV_CHUNKS];
layout(binding = 4) writeonly buffer VC { float d[]; } vc[KV_CHUNKS];
layout(binding = 5) writeonly buffer Pos { int pos[]; };

layout(push_constant) uniform KVWritePush {
	uint n;
	uint nKVHeads;
	uint units;
	uint unitsPerKV;
	uint headDim;
	uint slotsPerChunk;
	uint slotOff;
	uint posOff;
} pc;

void main() {
	uint g = group_index();
	if (g >= pc.n * pc.units) {
		return;
	}
	int slot = int(arena[pc.slotOff + g]);
	if (slot < 0) {
		return;
	}
	uint t = g / pc.units;
	uint u = g % pc.units;
	uint src = (t * pc.nKVHeads + u / pc.unitsPerKV) * pc.headDim;
	uint chunk = uint(slot) / pc.slotsPerChunk; // the same for the whole workgroup
	uint dst = (uint(slot) % pc.slotsPerChunk) * pc.headDim;
	for (uint i = gl_LocalInvocationID.x; i < pc.headDim; i += 64u) {
		kc[chunk].d[dst + i] = k[src + i];
		vc[chunk].d[dst + i] = v[src + i];
	}
	if (gl_LocalInvocationID.x == 0u) {
		pos[slot] = int(arena[pc.posOff + t]);
	}
}
