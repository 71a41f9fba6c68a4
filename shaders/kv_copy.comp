// kv_copy: for i < n, slot Dst[i] takes K, V and position of slot Src[i], which becomes
// empty. The host splits a KVCopy into batches in which no slot appears twice, so the
// copies of one dispatch are independent.
// Bindings: 0 Arena (uint; sources at srcOff, destinations at dstOff), 1 KC[KV_CHUNKS],
//   2 VC[KV_CHUNKS] (float), 3 Pos (int, (slots)).
// Push: KVCopyPush {n, headDim, slotsPerChunk, srcOff, dstOff}.
// Dispatch: n workgroups of 64, folded into (x, y) (common.glsl).
// Reference: internal/ref kvCopy (backend.KVCopy).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "kv.glsl"

layout(local_size_x = 64) in;

layout(binding = 0) readonly buffer Arena { uint arena[]; };
layout(binding = 1) buffer KC { float d[]; } kc[KV_CHUNKS];
layout(binding = 2) buffer VC { float d[]; } vc[KV_CHUNKS];
layout(binding = 3) buffer Pos { int pos[]; };

layout(push_constant) uniform KVCopyPush {
	uint n;
	uint headDim;
	uint slotsPerChunk;
	uint srcOff;
	uint dstOff;
} pc;

void main() {
	uint i = group_index();
	if (i >= pc.n) {
		return;
	}
	uint src = arena[pc.srcOff + i];
	uint dst = arena[pc.dstOff + i];
	uint sc = src / pc.slotsPerChunk; // uniform in the workgroup
	uint dc = dst / pc.slotsPerChunk;
	uint sb = (src % pc.slotsPerChunk) * pc.headDim;
	uint db = (dst % pc.slotsPerChunk) * pc.headDim;
	for (uint j = gl_LocalInvocationID.x; j < pc.headDim; j += 64u) {
		kc[dc].d[db + j] = kc[sc].d[sb + j];
		vc[dc].d[db + j] = vc[sc].d[sb + j];
	}
	if (gl_LocalInvocationID.x == 0u) {
		int p = pos[src];
		pos[dst] = p;
		pos[src] = -1;
	}
}
