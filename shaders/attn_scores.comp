// attn_scores: for query token qRow (the last of the op) and each head h, the softmax
// probability of every slot of the head's unit table, in table order:
// Scores[h*scoreStride + i] for i < pages*pageSize; slots that do not take part get 0.
// Bindings: 0 Q (float, (n, nHeads, headDim)), 1 Arena (uint; tables at tabOff),
//   2 KC[KV_CHUNKS] (float), 3 Pos (int), 4 Scores (float, (nHeads, scoreStride)).
// Push: AttnScoresPush {nHeads, units, headDim, pageSize, slotsPerChunk, nChunks, tabOff,
//   qRow, qpos, scoreStride, scale}.
// Dispatch: (nHeads, 1, 1) workgroups of 256 threads; headDim <= 256.
// Reference: internal/ref attention's Scores (backend.Attention).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "kv.glsl"

layout(local_size_x = 256) in;
#define WG 256u

layout(binding = 0) readonly buffer Q { float q[]; };
layout(binding = 1) readonly buffer Arena { uint arena[]; };
layout(binding = 2) readonly buffer KC { float d[]; } kc[KV_CHUNKS];
layout(binding = 3) readonly buffer Pos { int pos[]; };
layout(binding = 4) buffer Scores { float scores[]; };

layout(push_constant) uniform AttnScoresPush {
	uint nHeads;
	uint units;
	uint headDim;
	uint pageSize;
	uint slotsPerChunk;
	uint nChunks;
	uint tabOff;
	uint qRow;
	int qpos;
	uint scoreStride;
	float scale;
} pc;

shared float qs[MAX_HD];
shared float red[WG];

#include "attn.glsl"

bool live_at(uint start, uint i) {
	int p = pos[table_slot(start, i)];
	return p >= 0 && p <= pc.qpos;
}

void main() {
	uint h = gl_WorkGroupID.x;
	uint tid = gl_LocalInvocationID.x;
	uint u = h / (pc.nHeads / pc.units);
	uint start = arena[pc.tabOff + 2u * u];
	uint count = arena[pc.tabOff + 2u * u + 1u] * pc.pageSize;
	uint qb = (pc.qRow * pc.nHeads + h) * pc.headDim;
	uint sb = h * pc.scoreStride;
	for (uint d = tid; d < pc.headDim; d += WG) {
		qs[d] = q[qb + d];
	}
	barrier();
	// Pass 1: logits into Scores, and the maximum. Each thread revisits only its own
	// entries, so no barrier is needed between the passes' buffer accesses.
	float mx = NEG;
	for (uint i = tid; i < count; i += WG) {
		if (live_at(start, i)) {
			float v = logit_of(table_slot(start, i), pc.scale);
			scores[sb + i] = v;
			mx = max(mx, v);
		}
	}
	red[tid] = mx;
	barrier();
	for (uint step = WG / 2u; step > 0u; step >>= 1) {
		if (tid < step) {
			red[tid] = max(red[tid], red[tid + step]);
		}
		barrier();
	}
	mx = red[0];
	barrier();
	// Pass 2: exponentials and their sum.
	float sum = 0.0;
	for (uint i = tid; i < count; i += WG) {
		float e = 0.0;
		if (live_at(start, i)) {
			e = exp(scores[sb + i] - mx);
		}
		scores[sb + i] = e;
		sum += e;
	}
	red[tid] = sum;
	barrier();
	for (uint step = WG / 2u; step > 0u; step >>= 1) {
		if (tid < step) {
			red[tid] += red[tid + step];
		}
		barrier();
	}
	sum = red[0];
	// Pass 3: normalise.
	if (sum > 0.0) {
		for (uint i = tid; i < count; i += WG) {
			scores[sb + i] /= sum;
		}
	}
}
