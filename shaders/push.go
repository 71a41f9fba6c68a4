package shaders

// Push-constant blocks, one Go struct per GLSL block: same member names (capitalised) in
// the same order, 4-byte scalars only. TestPushConstants checks each against the SPIR-V.

// AddPush is add.comp's block.
type AddPush struct{ N uint32 }

// SwiGLUPush is swiglu.comp's block.
type SwiGLUPush struct{ N uint32 }

// CopyPush is copy.comp's block.
type CopyPush struct{ N, SrcOff, DstOff uint32 }

// ArgmaxPush is argmax.comp's block.
type ArgmaxPush struct{ N, Dim uint32 }

// RMSNormPush is rmsnorm.comp's block.
type RMSNormPush struct {
	Dim, N uint32
	Eps    float32
}

// RoPEPush is rope.comp's block.
type RoPEPush struct{ N, NHeads, HeadDim, RopeDim, Neox, TabOff uint32 }

// EmbedPush is embed.comp's block.
type EmbedPush struct{ Cols, RowBytes, Row0, Rows, TokOff, NTok uint32 }

// MatVecPush is matvec.comp's block.
type MatVecPush struct {
	Rows, Cols, RowBytes, Row0, N, OutStride, Split1, Split2 uint32
	Eps                                                      float32
}

// LinearEpiPush is linear_epi.comp's block.
type LinearEpiPush struct{ N, OutStride, Split1, Split2 uint32 }

// RoPEKVPush is rope_kv.comp's block.
type RoPEKVPush struct {
	N, NHeads, NKVHeads, UnitsPerKV, HeadDim, RopeDim, Neox, TabOff, SlotsPerChunk, SlotOff, PosOff uint32
}

// MatMulPush is matmul.comp's block.
type MatMulPush struct{ Rows, Cols, RowBytes, Row0, N, OutStride uint32 }

// BiasPush is bias.comp's block.
type BiasPush struct{ Rows, N uint32 }

// KVWritePush is kv_write.comp's block.
type KVWritePush struct {
	N, NKVHeads, Units, UnitsPerKV, HeadDim, SlotsPerChunk, SlotOff, PosOff uint32
}

// KVSetPosPush is kv_setpos.comp's block.
type KVSetPosPush struct{ N, SlotOff, PosOff uint32 }

// KVCopyPush is kv_copy.comp's block.
type KVCopyPush struct{ N, HeadDim, SlotsPerChunk, SrcOff, DstOff uint32 }

// AttnPush is attn_split.comp's block.
type AttnPush struct {
	N, Row, NHeads, Units, HeadDim, PageSize, SlotsPerChunk, NChunks, TabOff, QposOff uint32
	PagesPerSplit, NSplits                                                            uint32
	Scale                                                                             float32
}

// AttnPrefillPush is attn_prefill.comp's block.
type AttnPrefillPush struct {
	N, Row, NHeads, Units, PageSize, SlotsPerChunk, TabOff, QposOff uint32
	Scale                                                           float32
}

// AttnReducePush is attn_reduce.comp's block.
type AttnReducePush struct{ N, Row, NHeads, HeadDim, NSplits uint32 }

// AttnScoresPush is attn_scores.comp's block.
type AttnScoresPush struct {
	NHeads, Units, HeadDim, PageSize, SlotsPerChunk, NChunks, TabOff, QposOff uint32
	Row, Row0, NRows, ScoreStride                                             uint32
	Scale                                                                     float32
}

// KVChunks is the size of the KV kernels' descriptor arrays (KV_CHUNKS in kv.glsl).
const KVChunks = 8

// MaxHeadDim is the largest head dimension the attention kernels take (MAX_HD in kv.glsl).
const MaxHeadDim = 256

// pushTypes maps each GLSL block name to its Go struct (a zero value).
var pushTypes = map[string]any{
	"AddPush":         AddPush{},
	"SwiGLUPush":      SwiGLUPush{},
	"CopyPush":        CopyPush{},
	"ArgmaxPush":      ArgmaxPush{},
	"RMSNormPush":     RMSNormPush{},
	"RoPEPush":        RoPEPush{},
	"EmbedPush":       EmbedPush{},
	"MatVecPush":      MatVecPush{},
	"LinearEpiPush":   LinearEpiPush{},
	"RoPEKVPush":      RoPEKVPush{},
	"MatMulPush":      MatMulPush{},
	"BiasPush":        BiasPush{},
	"KVWritePush":     KVWritePush{},
	"KVSetPosPush":    KVSetPosPush{},
	"KVCopyPush":      KVCopyPush{},
	"AttnPush":        AttnPush{},
	"AttnPrefillPush": AttnPrefillPush{},
	"AttnReducePush":  AttnReducePush{},
	"AttnScoresPush":  AttnScoresPush{},
}
