package runtime

import (
	"github.com/scopekv/scope/internal/backend"
)

// acts are the activation buffers of a forward pass of B tokens and S sequences.
type acts struct {
	x, xb, xb2 backend.Buffer // (B, dim)
	q, att     backend.Buffer // (B, nHeads*headDim)
	k, v       backend.Buffer // (B, kvDim)
	hb, hb2    backend.Buffer // (B, hidden)
	last, norm backend.Buffer // (S, dim): each sequence's last token
	logits     backend.Buffer // (S, vocab)
}

// all lists the buffers (nil where an allocation failed).
func (a *acts) all() []backend.Buffer {
	return []backend.Buffer{a.x, a.xb, a.xb2, a.q, a.att, a.k, a.v, a.hb, a.hb2, a.last, a.norm, a.logits}
}

// newActs allocates the buffers for batch tokens of up to seqs sequences; on error it frees
// those it made.
func newActs(dev backend.Device, m *Model, batch, seqs int) (*acts, error) {
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
	a.last, a.norm, a.logits = buf(seqs*c.Dim), buf(seqs*c.Dim), buf(seqs*c.VocabSize)
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

// step describes one session's tokens in a forward pass: positions and KV slots.
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

// stepRows are the concatenated tokens, positions and per-layer slots of a pass's parts.
type stepRows struct {
	tokens, pos []int32
	slots       [][]int32 // per layer
}

func joinRows(parts []*part, layers int) stepRows {
	if len(parts) == 1 {
		st := parts[0].st
		return stepRows{tokens: st.tokens, pos: st.pos, slots: st.slots}
	}
	r := stepRows{slots: make([][]int32, layers)}
	for _, p := range parts {
		r.tokens = append(r.tokens, p.st.tokens...)
		r.pos = append(r.pos, p.st.pos...)
		for l := range r.slots {
			r.slots[l] = append(r.slots[l], p.st.slots[l]...)
		}
	}
	return r
}

// buildOps emits the op list of one forward pass over the parts' tokens: the products run
// over every token at once, attention per part through its own page tables, and each
// part's last token gives a row of logits (read back within the pass where the device
// folds reads in).
func (f *forward) buildOps(parts []*part) []backend.Op {
	m, a, c := f.m, f.acts, f.m.file.Config
	r := joinRows(parts, c.NLayers)
	n := len(r.tokens)
	ops := make([]backend.Op, 0, (14+len(parts))*c.NLayers+8)
	for _, p := range parts {
		ops = append(ops, p.st.kvOps...)
	}
	ops = append(ops, backend.Embed{Table: m.w.embed, Tokens: r.tokens, Out: a.x})
	for l := range m.w.layers {
		w := &m.w.layers[l]
		var in backend.Buffer
		var norm backend.Weight // the consumer's norm prologue (appendNorm)
		ops, in, norm = f.appendNorm(ops, a.x, a.xb, w.attnNorm, n, w.qkv != nil)
		ops = f.appendQKV(ops, parts[0].s, r, l, in, norm)
		for _, p := range parts {
			ops = append(ops, p.attentionOp(a, l))
		}
		ops = f.appendResidual(ops, w.wo, a.att, n)
		ops, in, norm = f.appendNorm(ops, a.x, a.xb, w.ffnNorm, n, w.gateUp != nil)
		if w.gateUp != nil {
			ops = append(ops, backend.Linear{W: w.gateUp, X: in, N: n, Outs: []backend.Buffer{a.hb}, Gated: true,
				Norm: norm, NormEps: c.NormEps})
		} else {
			ops = append(ops,
				backend.MatMul{W: w.gate, X: a.xb, Out: a.hb, N: n},
				backend.MatMul{W: w.up, X: a.xb, Out: a.hb2, N: n},
				backend.SwiGLU{Gate: a.hb, Up: a.hb2, Out: a.hb, N: n * c.HiddenDim})
		}
		ops = f.appendResidual(ops, w.down, a.hb, n)
	}
	return f.appendLogits(ops, parts, n)
}

// appendLogits gathers each part's last row, then the final norm and the classifier over
// those rows, and folds the reads of logits and scores into the pass where it can.
func (f *forward) appendLogits(ops []backend.Op, parts []*part, n int) []backend.Op {
	m, a, c := f.m, f.acts, f.m.file.Config
	last := a.x
	if n > 1 {
		for i, p := range parts {
			end := p.row + len(p.st.tokens) - 1
			ops = append(ops, backend.Copy{Src: a.x, Dst: a.last, SrcOff: end * c.Dim, DstOff: i * c.Dim, N: c.Dim})
		}
		last = a.last
	}
	rows := len(parts)
	ops, in, norm := f.appendNorm(ops, last, a.norm, m.w.outNorm, rows, m.fuse.linear)
	ops = append(ops, f.classifier(in, norm, rows))
	if m.fuse.readBack {
		ops = append(ops, backend.ReadBack{Src: a.logits, Dst: f.logits[:rows*c.VocabSize]})
		for _, p := range parts {
			ops = p.s.scores.appendReadBacks(ops, p.st.scores != nil)
		}
	}
	return ops
}

// appendQKV emits the Q, K and V products of in (with its norm prologue, if any: see
// appendNorm), RoPE and the KV write.
func (f *forward) appendQKV(ops []backend.Op, s *Session, r stepRows, l int, in backend.Buffer, norm backend.Weight) []backend.Op {
	a, c, w := f.acts, f.m.file.Config, &f.m.w.layers[l]
	n := len(r.tokens)
	if w.qkv != nil {
		ops = append(ops, backend.Linear{W: w.qkv, X: in, N: n, Outs: []backend.Buffer{a.q, a.k, a.v},
			Widths: []int{c.NHeads * c.HeadDim, c.KVDim(), c.KVDim()}, Norm: norm, NormEps: c.NormEps})
	} else {
		ops = append(ops,
			backend.MatMul{W: w.wq, Bias: w.bq, X: a.xb, Out: a.q, N: n},
			backend.MatMul{W: w.wk, Bias: w.bk, X: a.xb, Out: a.k, N: n},
			backend.MatMul{W: w.wv, Bias: w.bv, X: a.xb, Out: a.v, N: n})
	}
	rkv := backend.RoPEKV{Q: a.q, K: a.k, V: a.v, KV: s.kv, N: n, NHeads: c.NHeads, NKVHeads: c.NKVHeads,
		HeadDim: c.HeadDim, RopeDim: c.RopeDim, UnitsPerKVHead: s.units / c.NKVHeads, Pos: r.pos,
		Slots: r.slots[l], NeoX: c.RopeNeoX, Base: c.RopeBase, Factors: c.RopeFactors}
	if f.m.fuse.ropeKV {
		return append(ops, rkv)
	}
	return append(ops, rkv.Unfused()...)
}

// appendResidual emits x += W.in: one accumulating product where the device fuses it.
func (f *forward) appendResidual(ops []backend.Op, w backend.Weight, in backend.Buffer, n int) []backend.Op {
	a, dim := f.acts, f.m.file.Config.Dim
	if f.m.fuse.linear {
		return append(ops, backend.Linear{W: w, X: in, N: n, Outs: []backend.Buffer{a.x}, Accumulate: true})
	}
	return append(ops,
		backend.MatMul{W: w, X: in, Out: a.xb2, N: n},
		backend.Add{A: a.x, B: a.xb2, Out: a.x, N: n * dim})
}

// attentionOp is the part's attention in layer l: its rows, positions and page tables.
func (p *part) attentionOp(a *acts, l int) backend.Op {
	s, st, c := p.s, p.st, p.s.m.file.Config
	op := backend.Attention{Q: a.q, Out: a.att, KV: s.kv, Row: p.row, N: len(st.tokens), NHeads: c.NHeads,
		Units: s.units, HeadDim: c.HeadDim, QPos: st.pos, Tables: st.tables[l]}
	if st.scores != nil {
		op.Scores, op.ScoreStride, op.ScoreRows = st.scores[l], st.scoreStride, st.scoreRows
	}
	return op
}
