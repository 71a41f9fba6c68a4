package backend

// Op is one kernel launch. Host-side index arrays (tokens, positions, slots, page tables)
// travel inside the op; a backend uploads them as it records the step.
type Op interface{ isOp() }

// Embed: Out[t][:] = dequantised row Tokens[t] of Table.      Out: (len(Tokens), Table.Cols)
type Embed struct {
	Table  Weight
	Tokens []int32
	Out    Buffer
}

// RMSNorm: Out[t] = X[t] * W / sqrt(mean(X[t]^2) + Eps).          X, Out: (N, Dim); W: (Dim)
type RMSNorm struct {
	X, Out Buffer
	W      Weight
	N, Dim int
	Eps    float32
}

// MatMul: Out[t][r] = sum_k W[r][k] * X[t][k].        X: (N, W.Cols), Out: (N, W.Rows)
// Bias, when set, is added: Out[t][r] += Bias[r] (Bias is an F32 weight with Rows == 1).
type MatMul struct {
	W      Weight
	Bias   Weight
	X, Out Buffer
	N      int
}

// RoPE rotates X in place at each token's logical position.   X: (N, NHeads, HeadDim)
// Only the first RopeDim elements of each head rotate. Pairs are (2i, 2i+1) in the normal
// layout, (i, i+RopeDim/2) in the NeoX layout; the angle of pair i is
// pos / (Base^(2i/RopeDim) * Factors[i]) (Factors nil = all ones).
type RoPE struct {
	X       Buffer
	N       int
	NHeads  int
	HeadDim int
	RopeDim int
	Pos     []int32 // (N)
	NeoX    bool
	Base    float32
	Factors []float32 // (RopeDim/2) or nil
}

// SwiGLU: Out[i] = silu(Gate[i]) * Up[i] for i < N.
type SwiGLU struct {
	Gate, Up, Out Buffer
	N             int
}

// Add: Out[i] = A[i] + B[i] for i < N (Out may alias A).
type Add struct {
	A, B, Out Buffer
	N         int
}

// KVWrite stores K and V of N tokens into the paged store.     K, V: (N, NKVHeads, HeadDim)
// Slots[t*Units+u] is the physical slot for token t in unit u, or -1 to skip (an entry the
// KV policy does not keep). Unit u holds KV head u/UnitsPerKVHead, so in faithful GQA mode a
// KV head's vector is written to each of its query heads' units.
type KVWrite struct {
	KV             KVStore
	K, V           Buffer
	N              int
	NKVHeads       int
	UnitsPerKVHead int     // 1 (group mode) or NHeads/NKVHeads (faithful mode)
	Slots          []int32 // (N, NKVHeads*UnitsPerKVHead)
	Pos            []int32 // (N) logical positions
}

// KVSetPos overwrites slot positions: -1 evicts (the slot becomes empty).
type KVSetPos struct {
	KV    KVStore
	Slots []int32
	Pos   []int32
}

// KVCopy copies whole slots (K, V and position): Dst[i] <- Src[i]; Src slots become empty.
// Used by page compaction at refresh steps.
type KVCopy struct {
	KV       KVStore
	Src, Dst []int32
}

// Attention computes causal multi-head attention of N queries through page tables.
// Q: (N, NHeads, HeadDim) post-RoPE; Out: (N, NHeads, HeadDim).
// Query head h reads unit h/(NHeads/Units) when Units divides NHeads (Units = NKVHeads in
// group mode, NHeads in faithful mode). Tables[u] lists unit u's pages; a slot takes part
// when 0 <= pos <= QPos[t]. Scale = 1/sqrt(HeadDim) unless set.
// Scores, when set, receives the softmax probability of every slot in table order, per
// query head, summed over the last ScoreRows query tokens (0 means 1: the last token only):
// Scores[h*ScoreStride + i] for slot i of the table (i = pageIndex*PageSize + offset);
// empty and masked slots add 0. ScoreStride >= max table slots. Prefill methods use
// ScoreRows > 1 (SnapKV's observation window, H2O's cumulative attention).
// Row places the op's queries at rows Row..Row+N-1 of Q and Out (a step that carries
// several sequences runs one Attention per sequence over its own rows, tables and
// positions; QPos and the score rows are the op's own, indexed from 0).
type Attention struct {
	Q, Out      Buffer
	KV          KVStore
	Row         int
	N           int
	NHeads      int
	Units       int
	HeadDim     int
	QPos        []int32   // (N)
	Tables      [][]int32 // (Units)(pages)
	Scale       float32
	Scores      Buffer
	ScoreStride int
	ScoreRows   int
}

// Argmax writes the index of the largest value of each row into Out (as float32).
// X: (N, Dim), Out: (N)
type Argmax struct {
	X, Out Buffer
	N, Dim int
}

func (Embed) isOp()     {}
func (RMSNorm) isOp()   {}
func (MatMul) isOp()    {}
func (RoPE) isOp()      {}
func (SwiGLU) isOp()    {}
func (Add) isOp()       {}
func (KVWrite) isOp()   {}
func (KVSetPos) isOp()  {}
func (KVCopy) isOp()    {}
func (Attention) isOp() {}
func (Argmax) isOp()    {}

// Copy: Dst[DstOff+i] = Src[SrcOff+i] for i < N.
type Copy struct {
	Src, Dst       Buffer
	SrcOff, DstOff int
	N              int
}

func (Copy) isOp() {}
