// attn_scores: for each head h, the softmax probability of every slot of the head's unit
// table, in table order, summed over the op's query rows row0..row0+nRows-1 (in that order;
// op row t is row row+t of Q, QPos is the op's own):
// Scores[h*scoreStride + i] for i < pages*pageSize; slots that do not take part add 0.
// Tmp holds one row's logits and exponentials.
// Bindings: 0 Q (float, (n, nHeads, headDim)), 1 Arena (uint; tables at tabOff, QPos at
//   qposOff), 2 KC[KV_CHUNKS] (float), 3 Pos (int), 4 Scores (float, (nHeads, scoreStride)),
//   5 Tmp (float, (nHeads, scoreStride)).
// Push: AttnScoresPush {nHeads, units, headDim, pageSize, slotsPerChunk, nChunks, tabOff,
//   qposOff, row, row0, nRows, scoreStride, scale}.
// Dispatch: (nHeads, 1, 1) workgroups of 256 threads; headDim <= 256.
// Reference: internal/ref attention's Scores (backend.Attention, ScoreRows).
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
layout(binding = 5) buffer Tmp { float tmp[]; };

layout(push_constant) uniform AttnScoresPush {
	uint nHeads;
	uint units;
	uint headDim;
	uint pageSize;
	uint slotsPerChunk;
	uint nChunks;
	uint tabOff;
	uint qposOff;
	uint row;
	uint row0;
	uint nRows;
	uint scoreStride;
	float scale;
} pc;

shared float qs[MAX_HD];
shared float red[WG];

#include "attn.glsl"

float reduce(float v, bool isMax) {
	uint tid = gl_LocalInvocationID.x;
	red[tid] = v;
	barrier();
	for (uint step = WG / 2u; step > 0u; step >>= 1) {
		if (tid < step) {
			red[tid] = isMax ? max(red[tid], red[tid + step]) : red[tid] + red[tid + step];
		}
		barrier();
	}
	float r = red[0];
	barrier();
	return r;
}

void main() {
	uint h = gl_WorkGroupID.x;
	uint tid = gl_LocalInvocationID.x;
	uint u = h / (pc.nHeads / pc.units);
	uint start = arena[pc.tabOff + 2u * u];
	uint count = arena[pc.tabOff + 2u * u + 1u] * pc.pageSize;
	uint sb = h * pc.scoreStride;
	// Each thread only revisits its own entries of Tmp and Scores, so the passes need
	// no barriers between their buffer accesses.
	for (uint r = 0u; r < pc.nRows; r++) {
		uint t = pc.row0 + r;
		int qpos = int(arena[pc.qposOff + t]);
		for (uint d = tid; d < pc.headDim; d += WG) {
			qs[d] = q[((pc.row + t) * pc.nHeads + h) * pc.headDim + d];
		}
		barrier();
		float mx = NEG;
		for (uint i = tid; i < count; i += WG) {
			int p = pos[table_slot(start, i)];
			float v = NEG;
			if (p >= 0 && p <= qpos) {
				v = logit_of(table_slot(start, i), pc.scale);
				mx = max(mx, v);
			}
			tmp[sb + i] = v;
		}
		mx = reduce(mx, true);
		float sum = 0.0;
		for (uint i = tid; i < count; i += WG) {
			float v = tmp[sb + i];
			float e = v > NEG ? exp(v - mx) : 0.0;
			tmp[sb + i] = e;
			sum += e;
		}
		sum = reduce(sum, false);
		for (uint i = tid; i < count; i += WG) {
			float p = sum > 0.0 ? tmp[sb + i] / sum : 0.0;
			scores[sb + i] = r == 0u ? p : scores[sb + i] + p;
		}
	}
}
