// attn.glsl: what the attention kernels share. The including kernel declares `arena`, `q`,
// `kc`, `pos` and a push block `pc` with units, nHeads, headDim, pageSize, slotsPerChunk,
// nChunks and tabOff. The arena holds, at tabOff, (start, length) of each unit's page table
// (start is a word index into the arena), and the tables themselves.

// kload reads K element idx of chunk `chunk`. The chunk may differ between invocations,
// so the descriptor index is the loop counter, which is uniform.
float kload(uint chunk, uint idx) {
	float r = 0.0;
	for (uint c = 0u; c < pc.nChunks; c++) {
		if (c == chunk) {
			r = kc[c].d[idx];
		}
	}
	return r;
}

// table_slot returns the physical slot of table-order index i of the table at start.
uint table_slot(uint start, uint i) {
	return arena[start + i / pc.pageSize] * pc.pageSize + i % pc.pageSize;
}

// logit_of returns scale * dot(qs, K[slot]) where qs is the query in shared memory.
float logit_of(uint slot, float scale) {
	uint chunk = slot / pc.slotsPerChunk;
	uint kb = (slot % pc.slotsPerChunk) * pc.headDim;
	float s = 0.0;
	for (uint d = 0u; d < pc.headDim; d++) {
		s += qs[d] * kload(chunk, kb + d);
	}
	return s * scale;
}
