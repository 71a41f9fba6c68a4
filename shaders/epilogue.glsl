// epilogue.glsl: where a fused matrix product (backend.Linear) stores row R of token t.
// The including kernel declares `float o0[]`, `o1[]`, `o2[]` (the outputs), a push block
// `pc` with outStride (W's rows), split1 and split2 (the rows where outputs 1 and 2
// start; outStride when absent), and the specialisation constant EPI: bit 0 adds to the
// output (a residual connection), bit 1 marks gated rows (row 2j gate j, row 2j+1 up j;
// the caller passes silu(gate)*up as the value of the even row).

#define EPI_ACC 1u
#define EPI_GATED 2u

float silu_mul(float g, float u) {
	return g / (1.0 + exp(-g)) * u;
}

void put(uint t, uint R, float v) {
	bool acc = (EPI & EPI_ACC) != 0u;
	if ((EPI & EPI_GATED) != 0u) {
		uint i = t * (pc.outStride / 2u) + R / 2u;
		o0[i] = acc ? o0[i] + v : v;
	} else if (R < pc.split1) {
		uint i = t * pc.split1 + R;
		o0[i] = acc ? o0[i] + v : v;
	} else if (R < pc.split2) {
		uint i = t * (pc.split2 - pc.split1) + R - pc.split1;
		o1[i] = acc ? o1[i] + v : v;
	} else {
		uint i = t * (pc.outStride - pc.split2) + R - pc.split2;
		o2[i] = acc ? o2[i] + v : v;
	}
}
