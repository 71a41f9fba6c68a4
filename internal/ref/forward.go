package ref

import (
	"fmt"
	"math"

	"github.com/scopekv/scope/model"
)

// Transformer is the reference forward pass, shaped like llama2.c's run.c: one token at a
// time, a contiguous KV cache, every weight dequantised to float32 up front.
type Transformer struct {
	cfg    model.Config
	embed  []float32 // (vocab, dim)
	norm   []float32 // (dim)
	output []float32 // (vocab, dim)
	layers []layerF32

	keyCache   []float32 // (layer, seqLen, kvDim)
	valueCache []float32 // (layer, seqLen, kvDim)
	seqLen     int

	x, xb, xb2, hb, hb2, q, att, logits []float32 // scratch
}

type layerF32 struct {
	attnNorm, wq, wk, wv, wo, bq, bk, bv, ffnNorm, w1, w2, w3 []float32
}

// NewTransformer dequantises m's weights and allocates a cache of seqLen positions.
func NewTransformer(m *model.Model, seqLen int) (*Transformer, error) {
	c := m.Config
	t := &Transformer{cfg: c, seqLen: seqLen}
	var err error
	deq := func(x *model.Tensor) []float32 {
		if err != nil || x.Data == nil {
			return nil
		}
		var v []float32
		v, err = x.Float32()
		return v
	}
	t.embed, t.norm, t.output = deq(&m.Embed), deq(&m.OutputNorm), deq(&m.Output)
	for i := range m.Layers {
		l := &m.Layers[i]
		t.layers = append(t.layers, layerF32{deq(&l.AttnNorm), deq(&l.Wq), deq(&l.Wk), deq(&l.Wv), deq(&l.Wo),
			deq(&l.Bq), deq(&l.Bk), deq(&l.Bv), deq(&l.FFNNorm), deq(&l.WGate), deq(&l.WDown), deq(&l.WUp)})
	}
	if err != nil {
		return nil, err
	}
	kvDim, qDim := c.KVDim(), c.NHeads*c.HeadDim
	t.keyCache = make([]float32, c.NLayers*seqLen*kvDim)
	t.valueCache = make([]float32, c.NLayers*seqLen*kvDim)
	t.x, t.xb, t.xb2 = make([]float32, c.Dim), make([]float32, qDim), make([]float32, c.Dim)
	t.hb, t.hb2, t.q = make([]float32, c.HiddenDim), make([]float32, c.HiddenDim), make([]float32, qDim)
	t.att, t.logits = make([]float32, seqLen), make([]float32, c.VocabSize)
	return t, nil
}

// Forward runs token at position pos and returns the logits (valid until the next call).
func (t *Transformer) Forward(token int32, pos int) ([]float32, error) {
	c := &t.cfg
	if token < 0 || int(token) >= c.VocabSize {
		return nil, fmt.Errorf("token %d out of range", token)
	}
	if pos < 0 || pos >= t.seqLen {
		return nil, fmt.Errorf("position %d outside the cache of %d", pos, t.seqLen)
	}
	copy(t.x, t.embed[int(token)*c.Dim:(int(token)+1)*c.Dim])
	for l := range t.layers {
		t.attention(l, pos)
		t.ffn(l)
	}
	RMSNorm(t.x, t.x, t.norm, c.NormEps)
	MatVec(t.logits, t.output, t.x, c.VocabSize, c.Dim)
	return t.logits, nil
}

func (t *Transformer) attention(l, pos int) {
	c, w := &t.cfg, &t.layers[l]
	kvDim, qDim, hd := c.KVDim(), c.NHeads*c.HeadDim, c.HeadDim
	RMSNorm(t.xb[:c.Dim], t.x, w.attnNorm, c.NormEps)
	off := (l*t.seqLen + pos) * kvDim
	k, v := t.keyCache[off:off+kvDim], t.valueCache[off:off+kvDim]
	MatVec(t.q, w.wq, t.xb[:c.Dim], qDim, c.Dim)
	MatVec(k, w.wk, t.xb[:c.Dim], kvDim, c.Dim)
	MatVec(v, w.wv, t.xb[:c.Dim], kvDim, c.Dim)
	addBias(t.q, w.bq)
	addBias(k, w.bk)
	addBias(v, w.bv)
	RoPE(t.q, c.NHeads, hd, c.RopeDim, int32(pos), c.RopeNeoX, c.RopeBase, c.RopeFactors)
	RoPE(k, c.NKVHeads, hd, c.RopeDim, int32(pos), c.RopeNeoX, c.RopeBase, c.RopeFactors)
	group := c.NHeads / c.NKVHeads
	scale := float32(math.Sqrt(float64(hd)))
	for h := 0; h < c.NHeads; h++ {
		q := t.q[h*hd : (h+1)*hd]
		att := t.att[:pos+1]
		kvh := h / group
		for p := 0; p <= pos; p++ {
			kp := t.keyCache[(l*t.seqLen+p)*kvDim+kvh*hd:][:hd]
			att[p] = dot(q, kp) / scale
		}
		Softmax(att)
		out := t.xb[h*hd : (h+1)*hd]
		for i := range out {
			out[i] = 0
		}
		for p, a := range att {
			vp := t.valueCache[(l*t.seqLen+p)*kvDim+kvh*hd:][:hd]
			for i := range out {
				out[i] += a * vp[i]
			}
		}
	}
	MatVec(t.xb2, w.wo, t.xb, c.Dim, qDim)
	for i := range t.x {
		t.x[i] += t.xb2[i]
	}
}

func (t *Transformer) ffn(l int) {
	c, w := &t.cfg, &t.layers[l]
	RMSNorm(t.xb[:c.Dim], t.x, w.ffnNorm, c.NormEps)
	MatVec(t.hb, w.w1, t.xb[:c.Dim], c.HiddenDim, c.Dim)
	MatVec(t.hb2, w.w3, t.xb[:c.Dim], c.HiddenDim, c.Dim)
	SwiGLU(t.hb, t.hb, t.hb2)
	MatVec(t.xb2, w.w2, t.hb, c.Dim, c.HiddenDim)
	for i := range t.x {
		t.x[i] += t.xb2[i]
	}
}

func addBias(x, b []float32) {
	for i := range b {
		x[i] += b[i]
	}
}
