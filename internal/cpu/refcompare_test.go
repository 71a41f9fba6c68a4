package cpu

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/internal/ref"
	"github.com/scopekv/scope/model/quant"
)

// twin holds the same objects on the reference device (side 0) and a CPU device (side 1).
type twin struct {
	t    *testing.T
	devs [2]backend.Device
	bufs map[string][2]backend.Buffer
	ws   map[string][2]backend.Weight
	kv   [2]backend.KVStore
}

func newTwin(t *testing.T, d *Device) *twin {
	return &twin{t: t, devs: [2]backend.Device{ref.NewDevice(), d},
		bufs: map[string][2]backend.Buffer{}, ws: map[string][2]backend.Weight{}}
}

func (tw *twin) buf(name string, vals []float32) {
	var pair [2]backend.Buffer
	for s, d := range tw.devs {
		b, err := d.NewBuffer(len(vals))
		if err != nil {
			tw.t.Fatal(err)
		}
		if err := d.Write(b, vals); err != nil {
			tw.t.Fatal(err)
		}
		pair[s] = b
	}
	tw.bufs[name] = pair
}

func (tw *twin) weight(name string, typ quant.Type, rows, cols int, data []byte) {
	var pair [2]backend.Weight
	for s, d := range tw.devs {
		w, err := d.UploadWeight(name, typ, rows, cols, data)
		if err != nil {
			tw.t.Fatal(err)
		}
		pair[s] = w
	}
	tw.ws[name] = pair
}

func (tw *twin) read(name string, s int) []float32 {
	b := tw.bufs[name][s]
	out := make([]float32, b.Len())
	if err := tw.devs[s].Read(b, out); err != nil {
		tw.t.Fatal(err)
	}
	return out
}

// step is one op built for either side, the buffers it writes, and their tolerance as a
// normalised RMS error.
type step struct {
	name string
	op   func(s int) backend.Op
	outs []string
	tol  float64
}

// run executes the steps one by one on both devices, compares each step's outputs, and
// then copies the reference outputs to the CPU side so errors do not compound.
func (tw *twin) run(steps []step) {
	for _, st := range steps {
		for s, d := range tw.devs {
			if err := d.Run(context.Background(), []backend.Op{st.op(s)}); err != nil {
				tw.t.Fatalf("%s (side %d): %v", st.name, s, err)
			}
		}
		for _, o := range st.outs {
			want, got := tw.read(o, 0), tw.read(o, 1)
			if e := nrmsError(got, want); !(e <= st.tol) {
				tw.t.Errorf("%s: %s: normalised RMS error %.3g > %.3g", st.name, o, e, st.tol)
			}
			if err := tw.devs[1].Write(tw.bufs[o][1], want); err != nil {
				tw.t.Fatal(err)
			}
		}
	}
}

func nrmsError(got, want []float32) float64 {
	var num, den float64
	for i := range want {
		d := float64(got[i]) - float64(want[i])
		num += d * d
		den += float64(want[i]) * float64(want[i])
	}
	if den == 0 {
		return math.Sqrt(num)
	}
	return math.Sqrt(num / den)
}

// layerShape is a transformer layer's geometry for the agreement test.
type layerShape struct {
	dim, hidden, heads, kvHeads, headDim, ropeDim, vocab, n int
}

func (c layerShape) qDim() int  { return c.heads * c.headDim }
func (c layerShape) kvDim() int { return c.kvHeads * c.headDim }

// TestAgreesWithReference runs one transformer layer's ops (and the KV and utility ops) on
// the reference device and on every CPU path, for each kernel weight type.
func TestAgreesWithReference(t *testing.T) {
	odd := layerShape{dim: 97, hidden: 75, heads: 3, kvHeads: 1, headDim: 10, ropeDim: 6, vocab: 11, n: 5}
	wide := layerShape{dim: 256, hidden: 512, heads: 8, kvHeads: 4, headDim: 32, ropeDim: 32, vocab: 37, n: 6}
	for _, path := range Paths() {
		for _, typ := range kernelTypes {
			shapes := []layerShape{wide}
			if actKindOf(typ) == actF32 {
				shapes = append(shapes, odd)
			}
			for _, c := range shapes {
				t.Run(fmt.Sprintf("%s/%s/dim%d", path, typ, c.dim), func(t *testing.T) {
					d, err := Open(Options{Path: path, Threads: 2})
					if err != nil {
						t.Fatal(err)
					}
					defer d.Close()
					tw := newTwin(t, d)
					tw.run(layerSteps(tw, c, typ))
				})
			}
		}
	}
}

func layerSteps(tw *twin, c layerShape, typ quant.Type) []step {
	r := rand.New(rand.NewPCG(uint64(c.dim), uint64(typ)))
	mat := func(name string, rows, cols int) {
		tw.weight(name, typ, rows, cols, randWeight(r, typ, rows, cols))
	}
	vec := func(name string, n int) {
		tw.weight(name, quant.F32, 1, n, f32Bytes(randFloats(r, n, 1)))
	}
	mat("embed", c.vocab, c.dim)
	mat("wq", c.qDim(), c.dim)
	mat("wk", c.kvDim(), c.dim)
	mat("wo", c.dim, c.qDim())
	mat("gate", c.hidden, c.dim)
	mat("down", c.dim, c.hidden)
	vec("norm", c.dim)
	vec("bq", c.qDim())
	n := c.n
	for name, size := range map[string]int{"x": n * c.dim, "xn": n * c.dim, "q": n * c.qDim(),
		"k": n * c.kvDim(), "att": n * c.qDim(), "o": n * c.dim, "h": n * c.hidden, "h2": n * c.hidden,
		"am": n, "scores": c.heads * 40, "q2": c.qDim(), "att2": c.qDim()} {
		tw.buf(name, randFloats(r, size, 1))
	}
	const pageSize = 4
	for s, d := range tw.devs {
		kv, err := d.NewKV(backend.KVLayout{NumPages: 10, PageSize: pageSize, HeadDim: c.headDim})
		if err != nil {
			tw.t.Fatal(err)
		}
		tw.kv[s] = kv
	}
	b := func(name string, s int) backend.Buffer { return tw.bufs[name][s] }
	w := func(name string, s int) backend.Weight { return tw.ws[name][s] }
	qTol := 2e-6 // float weights: float32 rounding only
	if actKindOf(typ) != actF32 {
		qTol = 2e-2 // activations quantised to 8 bits
	}
	tokens := make([]int32, n)
	pos := make([]int32, n)
	for i := range tokens {
		tokens[i] = int32(r.IntN(c.vocab))
		pos[i] = int32(3 + i)
	}
	units := c.heads // faithful mode: one unit per query head
	perKV := c.heads / c.kvHeads
	slots := make([]int32, n*units)
	tables := make([][]int32, units)
	for u := range tables {
		tables[u] = []int32{int32((u*3 + 1) % 10), int32((u*3 + 5) % 10)} // 2 pages
	}
	for t := 0; t < n; t++ {
		for u := 0; u < units; u++ {
			slots[t*units+u] = tables[u][t/pageSize]*pageSize + int32(t%pageSize)
			if (t+u)%5 == 4 {
				slots[t*units+u] = -1 // not kept by the policy
			}
		}
	}
	qpos := []int32{pos[n-1] + 1}
	return []step{
		{"embed", func(s int) backend.Op { return backend.Embed{Table: w("embed", s), Tokens: tokens, Out: b("x", s)} }, []string{"x"}, 1e-7},
		{"rmsnorm", func(s int) backend.Op {
			return backend.RMSNorm{X: b("x", s), Out: b("xn", s), W: w("norm", s), N: n, Dim: c.dim, Eps: 1e-5}
		}, []string{"xn"}, 1e-6},
		{"matmul q+bias", func(s int) backend.Op {
			return backend.MatMul{W: w("wq", s), Bias: w("bq", s), X: b("xn", s), Out: b("q", s), N: n}
		}, []string{"q"}, qTol},
		{"matmul k", func(s int) backend.Op { return backend.MatMul{W: w("wk", s), X: b("xn", s), Out: b("k", s), N: n} }, []string{"k"}, qTol},
		{"rope q", func(s int) backend.Op {
			return backend.RoPE{X: b("q", s), N: n, NHeads: c.heads, HeadDim: c.headDim, RopeDim: c.ropeDim, Pos: pos, Base: 10000}
		}, []string{"q"}, 1e-6},
		{"rope k neox", func(s int) backend.Op {
			f := make([]float32, c.ropeDim/2)
			for i := range f {
				f[i] = 1 + float32(i)/4
			}
			return backend.RoPE{X: b("k", s), N: n, NHeads: c.kvHeads, HeadDim: c.headDim, RopeDim: c.ropeDim, Pos: pos, NeoX: true, Base: 500000, Factors: f}
		}, []string{"k"}, 1e-6},
		{"kvwrite", func(s int) backend.Op {
			return backend.KVWrite{KV: tw.kv[s], K: b("k", s), V: b("q", s), N: n, NKVHeads: c.kvHeads, UnitsPerKVHead: perKV, Slots: slots, Pos: pos}
		}, nil, 0},
		{"attention prefill", func(s int) backend.Op {
			return backend.Attention{Q: b("q", s), Out: b("att", s), KV: tw.kv[s], N: n, NHeads: c.heads, Units: units,
				HeadDim: c.headDim, QPos: pos, Tables: tables, Scores: b("scores", s), ScoreStride: 40}
		}, []string{"att", "scores"}, 1e-5},
		{"attention score rows", func(s int) backend.Op {
			return backend.Attention{Q: b("q", s), Out: b("att", s), KV: tw.kv[s], N: n, NHeads: c.heads, Units: units,
				HeadDim: c.headDim, QPos: pos, Tables: tables, Scores: b("scores", s), ScoreStride: 40, ScoreRows: 3}
		}, []string{"att", "scores"}, 1e-5},
		{"attention group mode", func(s int) backend.Op {
			return backend.Attention{Q: b("q", s), Out: b("att", s), KV: tw.kv[s], N: n, NHeads: c.heads, Units: c.kvHeads,
				HeadDim: c.headDim, QPos: pos, Tables: tables[:c.kvHeads]}
		}, []string{"att"}, 1e-5},
		{"attention all score rows", func(s int) backend.Op {
			return backend.Attention{Q: b("q", s), Out: b("att", s), KV: tw.kv[s], N: n, NHeads: c.heads, Units: units,
				HeadDim: c.headDim, QPos: pos, Tables: tables, Scores: b("scores", s), ScoreStride: 40, ScoreRows: n + 4}
		}, []string{"att", "scores"}, 1e-5},
		{"attention row offset", func(s int) backend.Op {
			return backend.Attention{Q: b("q", s), Out: b("att", s), KV: tw.kv[s], Row: 1, N: n - 1, NHeads: c.heads, Units: units,
				HeadDim: c.headDim, QPos: pos[1:], Tables: tables, Scores: b("scores", s), ScoreStride: 40, ScoreRows: 2}
		}, []string{"att", "scores"}, 1e-5},
		{"kvsetpos", func(s int) backend.Op {
			return backend.KVSetPos{KV: tw.kv[s], Slots: []int32{tables[0][0] * pageSize, tables[1][0]*pageSize + 1}, Pos: []int32{-1, 2}}
		}, nil, 0},
		{"kvcopy", func(s int) backend.Op {
			return backend.KVCopy{KV: tw.kv[s], Src: []int32{tables[2][0]*pageSize + 1}, Dst: []int32{tables[2][1]*pageSize + 3}}
		}, nil, 0},
		{"copy", func(s int) backend.Op {
			return backend.Copy{Src: b("q", s), Dst: b("q2", s), SrcOff: (n - 1) * c.qDim(), N: c.qDim()}
		}, []string{"q2"}, 0},
		{"attention decode", func(s int) backend.Op {
			return backend.Attention{Q: b("q2", s), Out: b("att2", s), KV: tw.kv[s], N: 1, NHeads: c.heads, Units: units,
				HeadDim: c.headDim, QPos: qpos, Tables: tables, Scale: 0.3, Scores: b("scores", s), ScoreStride: 40}
		}, []string{"att2", "scores"}, 1e-5},
		{"matmul o", func(s int) backend.Op { return backend.MatMul{W: w("wo", s), X: b("att", s), Out: b("o", s), N: n} }, []string{"o"}, qTol},
		{"add", func(s int) backend.Op { return backend.Add{A: b("x", s), B: b("o", s), Out: b("x", s), N: n * c.dim} }, []string{"x"}, 0},
		{"matmul gate", func(s int) backend.Op { return backend.MatMul{W: w("gate", s), X: b("x", s), Out: b("h", s), N: n} }, []string{"h"}, qTol},
		{"swiglu", func(s int) backend.Op {
			return backend.SwiGLU{Gate: b("h", s), Up: b("h", s), Out: b("h2", s), N: n * c.hidden}
		}, []string{"h2"}, 1e-6},
		{"matmul down", func(s int) backend.Op { return backend.MatMul{W: w("down", s), X: b("h2", s), Out: b("o", s), N: n} }, []string{"o"}, qTol},
		{"argmax", func(s int) backend.Op { return backend.Argmax{X: b("o", s), Out: b("am", s), N: n, Dim: c.dim} }, []string{"am"}, 0},
	}
}
