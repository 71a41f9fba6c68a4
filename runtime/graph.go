package runtime

import (
	"github.com/scopekv/scope/internal/backend"
)

// acts are the activation buffers of one session, sized for a batch of B tokens.
type acts struct {
	x, xb, xb2 backend.Buffer // (B, dim)
	q, att     backend.Buffer // (B, nHeads*headDim)
	k, v       backend.Buffer // (B, kvDim)
	hb, hb2    backend.Buffer // (B, hidden)
	last, norm backend.Buffer // (dim)
	logits     backend.Buffer // (vocab)
}

// all lists the buffers (nil where an allocation failed).
func (a *acts) all() []backend.Buffer {
	return []backend.Buffer{a.x, a.xb, a.xb2, a.q, a.att, a.k, a.v, a.hb, a.hb2, a.last, a.norm, a.logits}
}

// newActs allocates the buffers; on error it frees those it made.
func newActs(dev backend.Device, m *Model, batch int) (*acts, error) {
	c := m.file.Config
	qDim := c.NHeads * c.HeadDim
	a := &acts{}
	var err error
	buf := func(n int) backend.Buffer {
		if err != nil {
			return nil
		}
		var b backend.Buffer
		b, err = dev.NewBuffer(n)
		return b
	}
	a.x, a.xb, a.xb2 = buf(batch*max(c.Dim, qDim)), buf(batch*max(c.Dim, qDim)), buf(batch*c.Dim)
	a.q, a.att = buf(batch*qDim), buf(batch*qDim)
	a.k, a.v = buf(batch*c.KVDim()), buf(batch*c.KVDim())
	a.hb, a.hb2 = buf(batch*c.HiddenDim), buf(batch*c.HiddenDim)
	a.last, a.norm, a.logits = buf(c.Dim), buf(c.Dim), buf(c.VocabSize)
	if err != nil {
		for _, b := range a.all() {
			if b != nil {
				_ = dev.FreeBuffer(b) // the allocation error is the one to report
			}
		}
		return nil, err
	}
	return a, nil
}

// step describes one forward pass: tokens at positions, with their KV slots.
type step struct {
	tokens []int32
	pos    []int32
	slots  [][]int32    // per layer, (N, units)
	tables [][][]int32  // per layer, (units)(pages)
	kvOps  []backend.Op // KV page updates to apply first (evictions, compaction)

	scores      []backend.Buffer // per layer, when the policy needs attention scores
	scoreStride int
	scoreRows   int // query rows whose probabilities are summed (1 = the last token)
}

// buildOps emits the op list of one forward step, ending with the last token's logits
// (read back within the step where the device folds reads in).
func (s *Session) buildOps(st *step) []backend.Op {
	m, a, c := s.m, s.acts, s.m.file.Config
	n := len(st.tokens)
	ops := make([]backend.Op, 0, 16*c.NLayers+8+len(st.kvOps))
	ops = append(ops, st.kvOps...)
	ops = append(ops, backend.Embed{Table: m.w.embed, Tokens: st.tokens, Out: a.x})
	for l := range m.w.layers {
		w := &m.w.layers[l]
		ops = append(ops, backend.RMSNorm{X: a.x, Out: a.xb, W: w.attnNorm, N: n, Dim: c.Dim, Eps: c.NormEps})
		ops = s.appendQKV(ops, st, l, n)
		ops = append(ops, s.attentionOp(st, l, n))
		ops = s.appendResidual(ops, w.wo, a.att, n)
		ops = append(ops, backend.RMSNorm{X: a.x, Out: a.xb, W: w.ffnNorm, N: n, Dim: c.Dim, Eps: c.NormEps})
		if w.gateUp != nil {
			ops = append(ops, backend.Linear{W: w.gateUp, X: a.xb, N: n, Outs: []backend.Buffer{a.hb}, Gated: true})
		} else {
			ops = append(ops,
				backend.MatMul{W: w.gate, X: a.xb, Out: a.hb, N: n},
				backend.MatMul{W: w.up, X: a.xb, Out: a.hb2, N: n},
				backend.SwiGLU{Gate: a.hb, Up: a.hb2, Out: a.hb, N: n * c.HiddenDim})
		}
		ops = s.appendResidual(ops, w.down, a.hb, n)
	}
	last := a.x
	if n > 1 {
		ops = append(ops, backend.Copy{Src: a.x, Dst: a.last, SrcOff: (n - 1) * c.Dim, N: c.Dim})
		last = a.last
	}
	ops = append(ops,
		backend.RMSNorm{X: last, Out: a.norm, W: m.w.outNorm, N: 1, Dim: c.Dim, Eps: c.NormEps},
		backend.MatMul{W: m.w.output, X: a.norm, Out: a.logits, N: 1},
	)
	if m.fuse.readBack {
		ops = append(ops, backend.ReadBack{Src: a.logits, Dst: s.logits})
		ops = s.scores.appendReadBacks(ops, st.scores != nil)
	}
	return ops
}

// appendQKV emits the Q, K and V products, RoPE and the KV write.
func (s *Session) appendQKV(ops []backend.Op, st *step, l, n int) []backend.Op {
	a, c, w := s.acts, s.m.file.Config, &s.m.w.layers[l]
	if w.qkv != nil {
		ops = append(ops, backend.Linear{W: w.qkv, X: a.xb, N: n, Outs: []backend.Buffer{a.q, a.k, a.v},
			Widths: []int{c.NHeads * c.HeadDim, c.KVDim(), c.KVDim()}})
	} else {
		ops = append(ops,
			backend.MatMul{W: w.wq, Bias: w.bq, X: a.xb, Out: a.q, N: n},
			backend.MatMul{W: w.wk, Bias: w.bk, X: a.xb, Out: a.k, N: n},
			backend.MatMul{W: w.wv, Bias: w.bv, X: a.xb, Out: a.v, N: n})
	}
	rkv := backend.RoPEKV{Q: a.q, K: a.k, V: a.v, KV: s.kv, N: n, NHeads: c.NHeads, NKVHeads: c.NKVHeads,
		HeadDim: c.HeadDim, RopeDim: c.RopeDim, UnitsPerKVHead: s.units / c.NKVHeads, Pos: st.pos,
		Slots: st.slots[l], NeoX: c.RopeNeoX, Base: c.RopeBase, Factors: c.RopeFactors}
	if s.m.fuse.ropeKV {
		return append(ops, rkv)
	}
	return append(ops, rkv.Unfused()...)
}

// appendResidual emits x += W.in: one accumulating product where the device fuses it.
func (s *Session) appendResidual(ops []backend.Op, w backend.Weight, in backend.Buffer, n int) []backend.Op {
	a, dim := s.acts, s.m.file.Config.Dim
	if s.m.fuse.linear {
		return append(ops, backend.Linear{W: w, X: in, N: n, Outs: []backend.Buffer{a.x}, Accumulate: true})
	}
	return append(ops,
		backend.MatMul{W: w, X: in, Out: a.xb2, N: n},
		backend.Add{A: a.x, B: a.xb2, Out: a.x, N: n * dim})
}

func (s *Session) attentionOp(st *step, l, n int) backend.Op {
	c := s.m.file.Config
	op := backend.Attention{Q: s.acts.q, Out: s.acts.att, KV: s.kv, N: n, NHeads: c.NHeads, Units: s.units,
		HeadDim: c.HeadDim, QPos: st.pos, Tables: st.tables[l]}
	if st.scores != nil {
		op.Scores, op.ScoreStride, op.ScoreRows = st.scores[l], st.scoreStride, st.scoreRows
	}
	return op
}
