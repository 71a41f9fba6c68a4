package backend

// Fused ops: a device that supports them (Supports) runs each as fewer launches than the
// plain ops it stands for; the runtime emits them only where Supports says so, and falls
// back to the plain ops elsewhere. Their results equal the plain ops'.

// ReadBack copies the first len(Dst) values of Src to the host once the ops before it have
// run (a Read folded into the step: one submission instead of two).
type ReadBack struct {
	Src Buffer
	Dst []float32
}

// Linear is several matrix products of one input in one launch. X: (N, W.Cols).
//
// W's rows are split in order among the outputs: Outs[i] receives Widths[i] rows as an
// (N, Widths[i]) matrix (Widths nil: one output of every row). With Gated, W's rows
// interleave gate and up rows (row 2j is gate j, row 2j+1 up j) and the single output is
// Outs[0][t][j] = silu(gate_j . X[t]) * (up_j . X[t]), (N, W.Rows/2). With Accumulate the
// products are added to the outputs (a residual connection) instead of replacing them.
// No output may alias X.
//
// With Norm set (a float32 vector of W.Cols) each row of X is first RMS-normalised and
// multiplied by Norm, as RMSNorm{W: Norm, Eps: NormEps} into a scratch buffer followed by
// the product of that buffer; X itself is left unchanged. A device that supports the
// prologue answers Supports(Linear{Norm: w}) with true for a non-nil w.
type Linear struct {
	W          Weight
	X          Buffer
	N          int
	Outs       []Buffer
	Widths     []int
	Gated      bool
	Accumulate bool
	Norm       Weight
	NormEps    float32
}

// RoPEKV is RoPE of Q (NHeads) and of K (NKVHeads), both in place, followed by KVWrite of
// K and V, in one launch. Q: (N, NHeads, HeadDim); K, V: (N, NKVHeads, HeadDim).
type RoPEKV struct {
	Q, K, V        Buffer
	KV             KVStore
	N              int
	NHeads         int
	NKVHeads       int
	HeadDim        int
	RopeDim        int
	UnitsPerKVHead int
	Pos            []int32 // (N) logical positions
	Slots          []int32 // (N, NKVHeads*UnitsPerKVHead), -1 = skip
	NeoX           bool
	Base           float32
	Factors        []float32
}

func (ReadBack) isOp() {}
func (Linear) isOp()   {}
func (RoPEKV) isOp()   {}

// Unfused returns the plain ops that o stands for.
func (o RoPEKV) Unfused() []Op {
	return []Op{
		RoPE{X: o.Q, N: o.N, NHeads: o.NHeads, HeadDim: o.HeadDim, RopeDim: o.RopeDim, Pos: o.Pos, NeoX: o.NeoX,
			Base: o.Base, Factors: o.Factors},
		RoPE{X: o.K, N: o.N, NHeads: o.NKVHeads, HeadDim: o.HeadDim, RopeDim: o.RopeDim, Pos: o.Pos, NeoX: o.NeoX,
			Base: o.Base, Factors: o.Factors},
		KVWrite{KV: o.KV, K: o.K, V: o.V, N: o.N, NKVHeads: o.NKVHeads, UnitsPerKVHead: o.UnitsPerKVHead,
			Slots: o.Slots, Pos: o.Pos},
	}
}

// OutWidths returns the widths of o's outputs, and false when they do not fit W's rows.
func (o Linear) OutWidths() ([]int, bool) {
	rows := o.W.Rows()
	if o.Gated {
		if rows%2 != 0 || len(o.Outs) != 1 || (o.Widths != nil && (len(o.Widths) != 1 || o.Widths[0] != rows/2)) {
			return nil, false
		}
		return []int{rows / 2}, true
	}
	if o.Widths == nil {
		return []int{rows}, len(o.Outs) == 1
	}
	sum := 0
	for _, w := range o.Widths {
		if w <= 0 {
			return nil, false
		}
		sum += w
	}
	return o.Widths, sum == rows && len(o.Widths) == len(o.Outs)
}
