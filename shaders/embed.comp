// embed: Out[t][k] = dequantised element k of row Tokens[t] of the table, for the tokens
// whose row lies in this part of the table (a table larger than one descriptor's range is
// split by rows and dispatched once per part).
// Bindings: 0 W (uint words, rows row0..row0+rows-1 in GGUF layout), 1 Arena (uint; the
//   token ids at tokOff), 2 Out (float, (nTok, cols)).
// Push: EmbedPush {cols, rowBytes, row0, rows, tokOff, nTok}.
// Dispatch: (ceil(cols/256), nTok, 1) workgroups of 256 threads.
// Reference: internal/ref, backend.Embed.
#version 450
#extension GL_GOOGLE_include_directive : require

layout(local_size_x = 256) in;

layout(binding = 0) readonly buffer W { uint w[]; };
layout(binding = 1) readonly buffer Arena { uint arena[]; };
layout(binding = 2) writeonly buffer Out { float o[]; };

layout(push_constant) uniform EmbedPush {
	uint cols;
	uint rowBytes;
	uint row0;
	uint rows;
	uint tokOff;
	uint nTok;
} pc;

#include "quant.glsl"

void main() {
	uint k = gl_WorkGroupID.x * 256u + gl_LocalInvocationID.x;
	uint t = gl_WorkGroupID.y;
	if (k >= pc.cols || t >= pc.nTok) {
		return;
	}
	uint row = arena[pc.tokOff + t];
	if (row < pc.row0 || row >= pc.row0 + pc.rows) {
		return;
	}
	o[t * pc.cols + k] = wget((row - pc.row0) * pc.rowBytes, k);
}
