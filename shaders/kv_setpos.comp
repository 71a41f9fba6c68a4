// kv_setpos: Pos[Slots[i]] = Pos_i for i < n (-1 evicts). The host keeps only the last
// entry for a repeated slot.
// Bindings: 0 Arena (uint; slots at slotOff, positions at posOff), 1 Pos (int, (slots)).
// Push: KVSetPosPush {n, slotOff, posOff}.
// Dispatch: ceil(n/256) workgroups of 256, folded into (x, y) (common.glsl).
// Reference: internal/ref, backend.KVSetPos.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = 256) in;

layout(binding = 0) readonly buffer Arena { uint arena[]; };
layout(binding = 1) writeonly buffer Pos { int pos[]; };

layout(push_constant) uniform KVSetPosPush {
	uint n;
	uint slotOff;
	uint posOff;
} pc;

void main() {
	uint i = group_index() * 256u + gl_LocalInvocationID.x;
	if (i < pc.n) {
		pos[arena[pc.slotOff + i]] = int(arena[pc.posOff + i]);
	}
}
