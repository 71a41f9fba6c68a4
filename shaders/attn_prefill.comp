// attn_prefill: causal attention through page tables for many queries (prefill), tiled:
// workgroup (tile, h) takes BQ query tokens of head h, walks the unit's table in batches of
// BK slots staged in shared memory (K and V of a batch are read once for BQ queries) and
// keeps an online softmax per query. A slot takes part when 0 <= Pos[slot] <= QPos[t].
// Specialisation constants: 0 HD (head dimension), 1 BQ (queries per workgroup, divides
// 64), 2 BK (slots per batch); the host picks BQ and BK to fit shared memory.
// Bindings: 0 Q (float, (n, nHeads, HD)), 1 Arena (uint; tables at tabOff, QPos at qposOff),
//   2 KC[KV_CHUNKS], 3 VC[KV_CHUNKS] (float), 4 Pos (int), 5 Out (float, (n, nHeads, HD)).
// Push: AttnPrefillPush {n, row, nHeads, units, pageSize, slotsPerChunk, tabOff, qposOff, scale}.
// Query t is row row+t of Q and Out.
// Dispatch: (ceil(n/BQ), nHeads, 1) workgroups of 64 threads.
// Reference: internal/ref attention (backend.Attention).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "kv.glsl"

layout(local_size_x = 64) in;
#define WG 64u

layout(constant_id = 0) const uint HD = 64;
layout(constant_id = 1) const uint BQ = 16;
layout(constant_id = 2) const uint BK = 16;
#define TPQ (WG / BQ)
#define DPT ((HD + TPQ - 1u) / TPQ) // accumulators per thread

layout(binding = 0) readonly buffer Q { float q[]; };
layout(binding = 1) readonly buffer Arena { uint arena[]; };
layout(binding = 2) readonly buffer KC { float d[]; } kc[KV_CHUNKS];
layout(binding = 3) readonly buffer VC { float d[]; } vc[KV_CHUNKS];
layout(binding = 4) readonly buffer Pos { int pos[]; };
layout(binding = 5) writeonly buffer Out { float o[]; };

layout(push_constant) uniform AttnPrefillPush {
	uint n;
	uint row;
	uint nHeads;
	uint units;
	uint pageSize;
	uint slotsPerChunk;
	uint tabOff;
	uint qposOff;
	float scale;
} pc;

shared float qs[BQ * HD];
shared float ks[BK * HD];
shared float vs[BK * HD];
shared float logits[BQ * BK];
shared int qposS[BQ];
shared int posS[BK];
shared uint slotS[BK];

void main() {
	uint tile = gl_WorkGroupID.x;
	uint h = gl_WorkGroupID.y;
	uint tid = gl_LocalInvocationID.x;
	uint u = h / (pc.nHeads / pc.units);
	uint start = arena[pc.tabOff + 2u * u];
	uint count = arena[pc.tabOff + 2u * u + 1u] * pc.pageSize;
	uint q0 = tile * BQ;
	for (uint e = tid; e < BQ * HD; e += WG) {
		uint t = q0 + e / HD;
		qs[e] = t < pc.n ? q[((pc.row + t) * pc.nHeads + h) * HD + e % HD] : 0.0;
	}
	if (tid < BQ) {
		qposS[tid] = q0 + tid < pc.n ? int(arena[pc.qposOff + q0 + tid]) : -1;
	}
	uint myq = tid / TPQ;
	uint part = tid % TPQ;
	float acc[DPT];
	for (uint k = 0u; k < DPT; k++) {
		acc[k] = 0.0;
	}
	float m = NEG;
	float l = 0.0;
	for (uint base = 0u; base < count; base += BK) {
		if (tid < BK) {
			uint j = base + tid;
			posS[tid] = -1;
			if (j < count) {
				uint slot = arena[start + j / pc.pageSize] * pc.pageSize + j % pc.pageSize;
				slotS[tid] = slot;
				posS[tid] = pos[slot];
			}
		}
		barrier();
		for (uint j = 0u; j < BK; j++) {
			if (posS[j] < 0) {
				continue; // uniform: read from shared memory
			}
			uint slot = slotS[j];
			uint chunk = slot / pc.slotsPerChunk;
			uint kb = (slot % pc.slotsPerChunk) * HD;
			for (uint d = tid; d < HD; d += WG) {
				ks[j * HD + d] = kc[chunk].d[kb + d];
				vs[j * HD + d] = vc[chunk].d[kb + d];
			}
		}
		barrier();
		for (uint e = tid; e < BQ * BK; e += WG) {
			uint i = e / BK;
			uint j = e % BK;
			float s = NEG;
			if (posS[j] >= 0 && posS[j] <= qposS[i]) {
				float dot = 0.0;
				for (uint d = 0u; d < HD; d++) {
					dot += qs[i * HD + d] * ks[j * HD + d];
				}
				s = dot * pc.scale;
			}
			logits[e] = s;
		}
		barrier();
		float rowmax = NEG;
		for (uint j = 0u; j < BK; j++) {
			rowmax = max(rowmax, logits[myq * BK + j]);
		}
		if (rowmax > NEG) {
			float newm = max(m, rowmax);
			float corr = exp(m - newm);
			for (uint k = 0u; k < DPT; k++) {
				acc[k] *= corr;
			}
			float lsum = 0.0;
			for (uint j = 0u; j < BK; j++) {
				float s = logits[myq * BK + j];
				if (s <= NEG) {
					continue;
				}
				float p = exp(s - newm);
				lsum += p;
				for (uint k = 0u; k < DPT; k++) {
					uint d = part + k * TPQ;
					if (d < HD) {
						acc[k] += p * vs[j * HD + d];
					}
				}
			}
			l = l * corr + lsum;
			m = newm;
		}
		barrier();
	}
	uint t = q0 + myq;
	if (t < pc.n) {
		float inv = l > 0.0 ? 1.0 / l : 0.0;
		for (uint k = 0u; k < DPT; k++) {
			uint d = part + k * TPQ;
			if (d < HD) {
				o[((pc.row + t) * pc.nHeads + h) * HD + d] = acc[k] * inv;
			}
		}
	}
}
