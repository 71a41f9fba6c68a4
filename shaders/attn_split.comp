// attn_split: causal attention through page tables with online softmax. Workgroup
// (s, h, t) handles query token t (row row+t of Q and Out), head h, and pages [s*pagesPerSplit, (s+1)*pagesPerSplit)
// of the head's unit table (unit h / (nHeads/units)). A slot takes part when
// 0 <= Pos[slot] <= QPos[t]. With nSplits == 1 it writes the normalised output; otherwise
// it writes (max logit, sum of exp, unnormalised V sum) to Part for attn_reduce.
// Bindings: 0 Q (float, (n, nHeads, headDim)), 1 Arena (uint; tables at tabOff, QPos at
//   qposOff), 2 KC[KV_CHUNKS], 3 VC[KV_CHUNKS] (float), 4 Pos (int), 5 Part (float,
//   ((n*nHeads*nSplits), headDim+2)), 6 Out (float, (n, nHeads, headDim)).
// Push: AttnPush {n, row, nHeads, units, headDim, pageSize, slotsPerChunk, nChunks, tabOff,
//   qposOff, pagesPerSplit, nSplits, scale}.
// Dispatch: (nSplits, nHeads, n) workgroups of 64 threads; headDim <= 256.
// Reference: internal/ref attention (backend.Attention).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "kv.glsl"

layout(local_size_x = 64) in;
#define WG 64u

layout(binding = 0) readonly buffer Q { float q[]; };
layout(binding = 1) readonly buffer Arena { uint arena[]; };
layout(binding = 2) readonly buffer KC { float d[]; } kc[KV_CHUNKS];
layout(binding = 3) readonly buffer VC { float d[]; } vc[KV_CHUNKS];
layout(binding = 4) readonly buffer Pos { int pos[]; };
layout(binding = 5) writeonly buffer Part { float part[]; };
layout(binding = 6) writeonly buffer Out { float o[]; };

layout(push_constant) uniform AttnPush {
	uint n;
	uint row;
	uint nHeads;
	uint units;
	uint headDim;
	uint pageSize;
	uint slotsPerChunk;
	uint nChunks;
	uint tabOff;
	uint qposOff;
	uint pagesPerSplit;
	uint nSplits;
	float scale;
} pc;

shared float qs[MAX_HD];
shared float red[WG];
shared float probs[WG];
shared uint slots[WG];

#include "attn.glsl"

float reduce_max(float v) {
	uint tid = gl_LocalInvocationID.x;
	red[tid] = v;
	barrier();
	for (uint step = WG / 2u; step > 0u; step >>= 1) {
		if (tid < step) {
			red[tid] = max(red[tid], red[tid + step]);
		}
		barrier();
	}
	float r = red[0];
	barrier();
	return r;
}

float reduce_sum(float v) {
	uint tid = gl_LocalInvocationID.x;
	red[tid] = v;
	barrier();
	for (uint step = WG / 2u; step > 0u; step >>= 1) {
		if (tid < step) {
			red[tid] += red[tid + step];
		}
		barrier();
	}
	float r = red[0];
	barrier();
	return r;
}

void main() {
	uint s = gl_WorkGroupID.x;
	uint h = gl_WorkGroupID.y;
	uint t = gl_WorkGroupID.z;
	uint tid = gl_LocalInvocationID.x;
	uint u = h / (pc.nHeads / pc.units);
	uint start = arena[pc.tabOff + 2u * u];
	uint pages = arena[pc.tabOff + 2u * u + 1u];
	int qpos = int(arena[pc.qposOff + t]);
	uint qb = ((pc.row + t) * pc.nHeads + h) * pc.headDim;
	for (uint d = tid; d < pc.headDim; d += WG) {
		qs[d] = q[qb + d];
	}
	barrier();

	float acc[MAX_HD / WG];
	for (uint k = 0u; k < MAX_HD / WG; k++) {
		acc[k] = 0.0;
	}
	float m = NEG;
	float l = 0.0;
	uint i0 = min(s * pc.pagesPerSplit, pages) * pc.pageSize;
	uint i1 = min((s + 1u) * pc.pagesPerSplit, pages) * pc.pageSize;
	for (uint base = i0; base < i1; base += WG) {
		uint i = base + tid;
		bool live = false;
		float logit = NEG;
		uint slot = 0u;
		if (i < i1) {
			slot = table_slot(start, i);
			int p = pos[slot];
			live = p >= 0 && p <= qpos;
			if (live) {
				logit = logit_of(slot, pc.scale);
			}
		}
		float bm = reduce_max(logit);
		if (bm <= NEG) {
			continue; // no live slot in this batch (uniform)
		}
		float newm = max(m, bm);
		float corr = exp(m - newm); // m == NEG gives 0: acc and l are still 0 then
		float p = live ? exp(logit - newm) : 0.0;
		probs[tid] = p;
		slots[tid] = live ? slot : 0xFFFFFFFFu;
		l = l * corr + reduce_sum(p); // its barriers publish probs and slots
		for (uint k = 0u; k < MAX_HD / WG; k++) {
			acc[k] *= corr;
		}
		for (uint j = 0u; j < WG; j++) {
			uint sj = slots[j];
			if (sj == 0xFFFFFFFFu) {
				continue;
			}
			float pj = probs[j];
			uint chunk = sj / pc.slotsPerChunk; // uniform: read from shared memory
			uint vb = (sj % pc.slotsPerChunk) * pc.headDim;
			for (uint k = 0u; k < MAX_HD / WG; k++) {
				uint d = tid + k * WG;
				if (d < pc.headDim) {
					acc[k] += pj * vc[chunk].d[vb + d];
				}
			}
		}
		m = newm;
		barrier(); // everyone is done with probs and slots
	}
	if (pc.nSplits == 1u) {
		float inv = l > 0.0 ? 1.0 / l : 0.0;
		for (uint k = 0u; k < MAX_HD / WG; k++) {
			uint d = tid + k * WG;
			if (d < pc.headDim) {
				o[qb + d] = acc[k] * inv;
			}
		}
		return;
	}
	uint pb = ((t * pc.nHeads + h) * pc.nSplits + s) * (pc.headDim + 2u);
	if (tid == 0u) {
		part[pb] = m;
		part[pb + 1u] = l;
	}
	for (uint k = 0u; k < MAX_HD / WG; k++) {
		uint d = tid + k * WG;
		if (d < pc.headDim) {
			part[pb + 2u + d] = acc[k];
		}
	}
}
