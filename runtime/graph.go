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

// buildOps emits the op list of one forward step, ending with the last token's logits.
func (s *Session) buildOps(st *step) []backend.Op {
	m, a, c := s.m, s.acts, s.m.file.Config
	n := len(st.tokens)
	ops := make([]backend.Op, 0, 16*c.NLayers+8+len(st.kvOps))
	ops = append(ops, st.kvOps...)
	ops = append(ops, backend.Embed{Table: m.w.embed, Tokens: st.tokens, Out: a.x})
	for l := range m.w.layers {
		w := &m.w.layers[l]
		ops = append(ops,
			backend.RMSNorm{X: a.x, Out: a.xb, W: w.attnNorm, N: n, Dim: c.Dim, Eps: c.NormEps},
			backend.MatMul{W: w.wq, Bias: w.bq, X: a.xb, Out: a.q, N: n},
			backend.MatMul{W: w.wk, Bias: w.bk, X: a.xb, Out: a.k, N: n},
			backend.MatMul{W: w.wv, Bias: w.bv, X: a.xb, Out: a.v, N: n},
			backend.RoPE{X: a.q, N: n, NHeads: c.NHeads, HeadDim: c.HeadDim, RopeDim: c.RopeDim, Pos: st.pos,
				NeoX: c.RopeNeoX, Base: c.RopeBase, Factors: c.RopeFactors},
			backend.RoPE{X: a.k, N: n, NHeads: c.NKVHeads, HeadDim: c.HeadDim, RopeDim: c.RopeDim, Pos: st.pos,
				NeoX: c.RopeNeoX, Base: c.RopeBase, Factors: c.RopeFactors},
			backend.KVWrite{KV: s.kv, K: a.k, V: a.v, N: n, NKVHeads: c.NKVHeads,
				UnitsPerKVHead: s.units / c.NKVHeads, Slots: st.slots[l], Pos: st.pos},
			s.attentionOp(st, l, n),
			backend.MatMul{W: w.wo, X: a.att, Out: a.xb2, N: n},
			backend.Add{A: a.x, B: a.xb2, Out: a.x, N: n * c.Dim},
			backend.RMSNorm{X: a.x, Out: a.xb, W: w.ffnNorm, N: n, Dim: c.Dim, Eps: c.NormEps},
			backend.MatMul{W: w.gate, X: a.xb, Out: a.hb, N: n},
			backend.MatMul{W: w.up, X: a.xb, Out: a.hb2, N: n},
			backend.SwiGLU{Gate: a.hb, Up: a.hb2, Out: a.hb, N: n * c.HiddenDim},
			backend.MatMul{W: w.down, X: a.hb, Out: a.xb2, N: n},
			backend.Add{A: a.x, B: a.xb2, Out: a.x, N: n * c.Dim},
		)
	}
	return append(ops,
		backend.Copy{Src: a.x, Dst: a.last, SrcOff: (n - 1) * c.Dim, N: c.Dim},
		backend.RMSNorm{X: a.last, Out: a.norm, W: m.w.outNorm, N: 1, Dim: c.Dim, Eps: c.NormEps},
		backend.MatMul{W: m.w.output, X: a.norm, Out: a.logits, N: 1},
	)
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
