package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/scopekv/scope/model/gguf"
	"github.com/scopekv/scope/model/quant"
)

// Shape is the geometry of a synthetic model.
type Shape struct {
	Dim, HiddenDim, NLayers, NHeads, NKVHeads, VocabSize, ContextLen int
}

// Shapes are the synthetic geometries `scope synth` knows. tiny has GQA and a vocabulary
// that is not a power of two; the others copy well-known models.
var Shapes = map[string]Shape{
	"tiny":           {Dim: 256, HiddenDim: 768, NLayers: 3, NHeads: 8, NKVHeads: 2, VocabSize: 509, ContextLen: 1024},
	"stories15m":     {Dim: 288, HiddenDim: 768, NLayers: 6, NHeads: 6, NKVHeads: 6, VocabSize: 32000, ContextLen: 256},
	"stories110m":    {Dim: 768, HiddenDim: 2048, NLayers: 12, NHeads: 12, NKVHeads: 12, VocabSize: 32000, ContextLen: 1024},
	"tinyllama-1.1b": {Dim: 2048, HiddenDim: 5632, NLayers: 22, NHeads: 32, NKVHeads: 4, VocabSize: 32000, ContextLen: 2048},
	"llama-2-7b":     {Dim: 4096, HiddenDim: 11008, NLayers: 32, NHeads: 32, NKVHeads: 32, VocabSize: 32000, ContextLen: 4096},
}

// ShapeNames lists the known shapes, sorted.
func ShapeNames() []string {
	var names []string
	for n := range Shapes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SynthOptions configures Synth.
type SynthOptions struct {
	Arch  string // "llama" (default) or "qwen2" (Q/K/V biases, NeoX RoPE)
	Shape string
	Type  quant.Type // weight type of the matrices (norms stay F32)
	Seed  uint64
	Vocab *gguf.File // tokenizer.* keys to copy; nil = the built-in byte-level vocabulary
	// ChatTemplate, when set, is stored as tokenizer.chat_template (Jinja source).
	ChatTemplate string
	// Notice receives one line per tensor stored in another type than asked (rows whose
	// length is not a multiple of the type's block size).
	Notice func(string)
}

// Synth builds a GGUF writer holding a random-weight llama model. Weights are normal with
// standard deviation 1/sqrt(fan-in), so activations stay O(1) and greedy text is varied.
func Synth(o SynthOptions) (*gguf.Writer, error) { return synth(o, nil) }

// synth is Synth with an optional hook that sees every tensor's float values before they
// are converted (the round-trip tests compare against them).
func synth(o SynthOptions, capture func(name string, v []float32)) (*gguf.Writer, error) {
	sh, ok := Shapes[o.Shape]
	if !ok {
		return nil, fmt.Errorf("unknown shape %q (known: %v)", o.Shape, ShapeNames())
	}
	if !quant.CanQuantize(o.Type) {
		return nil, fmt.Errorf("cannot write weights of type %s", o.Type)
	}
	switch o.Arch {
	case "":
		o.Arch = "llama"
	case "llama", "qwen2":
	default:
		return nil, fmt.Errorf("cannot write architecture %q (llama or qwen2)", o.Arch)
	}
	w := gguf.NewWriter()
	if o.Vocab != nil {
		if err := copyVocab(w, o.Vocab); err != nil {
			return nil, err
		}
		toks, _ := o.Vocab.Strings("tokenizer.ggml.tokens")
		sh.VocabSize = len(toks)
	} else if err := writeBuiltinVocab(w, sh.VocabSize); err != nil {
		return nil, err
	}
	if err := writeHParams(w, o.Arch, o.Shape, sh, o.Type); err != nil {
		return nil, err
	}
	if o.ChatTemplate != "" {
		if err := w.Set(ChatTemplateKey, o.ChatTemplate); err != nil {
			return nil, err
		}
	}
	g := &synthGen{w: w, rng: rand.New(rand.NewPCG(o.Seed, 0x5c09e)), typ: o.Type, notice: o.Notice, capture: capture,
		bias: o.Arch == "qwen2", builtinVocab: o.Vocab == nil}
	return w, g.tensors(sh)
}

func writeHParams(w *gguf.Writer, arch, name string, sh Shape, t quant.Type) error {
	kv := []struct {
		k string
		v any
	}{
		{"general.architecture", arch}, {"general.name", "synth-" + name},
		{"general.file_type", uint32(fileType(t))},
		{".context_length", uint32(sh.ContextLen)}, {".embedding_length", uint32(sh.Dim)},
		{".feed_forward_length", uint32(sh.HiddenDim)}, {".block_count", uint32(sh.NLayers)},
		{".attention.head_count", uint32(sh.NHeads)}, {".attention.head_count_kv", uint32(sh.NKVHeads)},
		{".attention.layer_norm_rms_epsilon", float32(1e-5)},
		{".rope.dimension_count", uint32(sh.Dim / sh.NHeads)}, {".rope.freq_base", float32(10000)},
	}
	for _, e := range kv {
		if e.k[0] == '.' {
			e.k = arch + e.k
		}
		if err := w.Set(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

// fileType maps a weight type to llama.cpp's general.file_type (LLAMA_FTYPE_*).
func fileType(t quant.Type) int {
	return map[quant.Type]int{quant.F32: 0, quant.F16: 1, quant.Q4_0: 2, quant.Q4_1: 3, quant.Q8_0: 7,
		quant.Q5_0: 8, quant.Q5_1: 9, quant.Q4_K: 15, quant.Q5_K: 17, quant.Q6_K: 18, quant.BF16: 32}[t]
}

type synthGen struct {
	w       *gguf.Writer
	rng     *rand.Rand
	typ     quant.Type
	notice  func(string)
	capture func(string, []float32)
	bias    bool // Q/K/V biases (qwen2)

	builtinVocab bool
}

func (g *synthGen) tensors(sh Shape) error {
	hd := sh.Dim / sh.NHeads
	kv := sh.NKVHeads * hd
	if err := g.matrix("token_embd.weight", sh.VocabSize, sh.Dim, 1); err != nil {
		return err
	}
	for l := 0; l < sh.NLayers; l++ {
		p := fmt.Sprintf("blk.%d.", l)
		for _, t := range []struct {
			name       string
			rows, cols int
		}{{"attn_q.weight", sh.Dim, sh.Dim}, {"attn_k.weight", kv, sh.Dim}, {"attn_v.weight", kv, sh.Dim},
			{"attn_output.weight", sh.Dim, sh.Dim}, {"ffn_gate.weight", sh.HiddenDim, sh.Dim},
			{"ffn_up.weight", sh.HiddenDim, sh.Dim}, {"ffn_down.weight", sh.Dim, sh.HiddenDim}} {
			if err := g.matrix(p+t.name, t.rows, t.cols, 1/math.Sqrt(float64(t.cols))); err != nil {
				return err
			}
		}
		if g.bias {
			for _, b := range []struct {
				name string
				n    int
			}{{"attn_q.bias", sh.Dim}, {"attn_k.bias", kv}, {"attn_v.bias", kv}} {
				if err := g.vector(p+b.name, b.n, 0, 0.5); err != nil {
					return err
				}
			}
		}
		for _, n := range []string{"attn_norm.weight", "ffn_norm.weight"} {
			if err := g.norm(p+n, sh.Dim); err != nil {
				return err
			}
		}
	}
	if err := g.norm("output_norm.weight", sh.Dim); err != nil {
		return err
	}
	return g.matrix("output.weight", sh.VocabSize, sh.Dim, 1/math.Sqrt(float64(sh.Dim)))
}

// controlRows is how many leading vocabulary rows of the classifier are zeroed: the
// built-in vocabulary's <unk>, <s>, </s> and byte tokens, so random models rarely end their
// text at once or print stray bytes (a zero logit sits in the middle of the others).
const controlRows = 3 + 256

func (g *synthGen) norm(name string, n int) error { return g.vector(name, n, 1, 0.1) }

// vector writes an F32 vector of normal values with the given mean and deviation.
func (g *synthGen) vector(name string, n int, mean, std float64) error {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(mean + std*g.rng.NormFloat64())
	}
	return g.add(name, quant.F32, []int64{int64(n)}, v)
}

func (g *synthGen) matrix(name string, rows, cols int, std float64) error {
	v := make([]float32, rows*cols)
	for i := range v {
		v[i] = float32(std * g.rng.NormFloat64())
	}
	if name == "output.weight" && g.builtinVocab {
		clear(v[:controlRows*cols])
	}
	t := g.typ
	if cols%t.BlockSize() != 0 {
		t = quant.F16
		if g.notice != nil {
			g.notice(fmt.Sprintf("%s: %d columns is not a multiple of %s's block of %d; stored as F16", name, cols, g.typ, g.typ.BlockSize()))
		}
	}
	return g.add(name, t, []int64{int64(cols), int64(rows)}, v)
}

func (g *synthGen) add(name string, t quant.Type, dims []int64, v []float32) error {
	if g.capture != nil {
		g.capture(name, v)
	}
	n, err := t.RowBytes(len(v))
	if err != nil {
		return err
	}
	buf := make([]byte, n)
	if err := quant.Quantize(t, v, buf); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return g.w.AddTensor(name, t, dims, buf)
}
