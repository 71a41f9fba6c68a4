package model

import (
	"fmt"
	"os"
	"strings"
	"unsafe"

	"github.com/scopekv/scope/model/llama2c"
	"github.com/scopekv/scope/model/quant"
	"github.com/scopekv/scope/model/tokenizer"
)

func openLlama2C(path, tokPath string) (*Model, error) {
	ck, err := llama2c.OpenCheckpoint(path)
	if err != nil {
		return nil, parseError(err)
	}
	if tokPath == "" {
		return nil, fmt.Errorf("%s: %w", path, ErrNoTokenizer)
	}
	data, err := os.ReadFile(tokPath)
	if err != nil {
		return nil, fmt.Errorf("llama2.c model needs its tokenizer (-z): %w", err)
	}
	voc, err := llama2c.ReadTokenizer(data, ck.Config.VocabSize)
	if err != nil {
		return nil, malformed(fmt.Errorf("%s: %w", tokPath, err))
	}
	tok, err := tokenizer.New(vocabFromLlama2C(voc))
	if err != nil {
		return nil, malformed(fmt.Errorf("%s: %w", tokPath, err))
	}
	m, err := fromCheckpoint(ck)
	if err != nil {
		return nil, malformed(fmt.Errorf("%s: %w", path, err))
	}
	m.Tokenizer = tok
	return m, malformed(m.validate())
}

// vocabFromLlama2C converts llama2.c's exported SentencePiece vocabulary back to the GGUF
// convention: spaces become U+2581, "\n<s>\n" and "\n</s>\n" become the control tokens
// <s> and </s>, and <0xHH> pieces are byte tokens.
func vocabFromLlama2C(v *llama2c.Vocab) *tokenizer.Vocab {
	out := &tokenizer.Vocab{Model: "llama", Pre: "default", BOS: 1, EOS: 2, UNK: 0, PAD: -1, EOT: -1,
		AddBOS: true, AddSpacePrefix: true}
	for i, b := range v.Tokens {
		s, typ := string(b), tokenizer.TokenType(1)
		switch {
		case i == 0:
			typ = 2
		case i == 1 || i == 2:
			s, typ = strings.TrimSpace(s), 3
		case len(s) == 6 && strings.HasPrefix(s, "<0x") && s[5] == '>':
			typ = 6
		default:
			s = strings.ReplaceAll(s, " ", "\u2581")
		}
		out.Tokens = append(out.Tokens, s)
		out.Types = append(out.Types, typ)
	}
	out.Scores = v.Scores
	return out
}

func f32bytes(s []float32) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*4)
}

func fromCheckpoint(ck *llama2c.Checkpoint) (*Model, error) {
	cc := ck.Config
	c := Config{Arch: "llama", Dim: cc.Dim, HiddenDim: cc.HiddenDim, NLayers: cc.NLayers, NHeads: cc.NHeads,
		NKVHeads: cc.NKVHeads, VocabSize: cc.VocabSize, ContextLen: cc.SeqLen, NormEps: 1e-5, RopeBase: 10000,
		TiedOutput: cc.SharedClassifier}
	if c.NHeads <= 0 || c.Dim%c.NHeads != 0 {
		return nil, fmt.Errorf("model: dim %d not divisible by %d heads", c.Dim, c.NHeads)
	}
	c.HeadDim = c.Dim / c.NHeads
	c.RopeDim = c.HeadDim
	m := &Model{Config: c, Format: "llama2.c"}
	kv := c.KVDim()
	t := func(name string, all []float32, layer, rows, cols int) Tensor {
		n := rows * cols
		return Tensor{Name: name, Type: quant.F32, Rows: rows, Cols: cols, Data: f32bytes(all[layer*n : (layer+1)*n])}
	}
	m.Embed = t("token_embd.weight", ck.TokenEmbedding, 0, c.VocabSize, c.Dim)
	m.OutputNorm = t("output_norm.weight", ck.RMSFinal, 0, 1, c.Dim)
	m.Output = t("output.weight", ck.Wcls, 0, c.VocabSize, c.Dim)
	m.Layers = make([]Layer, c.NLayers)
	for i := range m.Layers {
		p := fmt.Sprintf("blk.%d.", i)
		m.Layers[i] = Layer{
			AttnNorm: t(p+"attn_norm.weight", ck.RMSAtt, i, 1, c.Dim),
			Wq:       t(p+"attn_q.weight", ck.Wq, i, c.Dim, c.Dim),
			Wk:       t(p+"attn_k.weight", ck.Wk, i, kv, c.Dim),
			Wv:       t(p+"attn_v.weight", ck.Wv, i, kv, c.Dim),
			Wo:       t(p+"attn_output.weight", ck.Wo, i, c.Dim, c.Dim),
			FFNNorm:  t(p+"ffn_norm.weight", ck.RMSFFN, i, 1, c.Dim),
			WGate:    t(p+"ffn_gate.weight", ck.W1, i, c.HiddenDim, c.Dim),
			WDown:    t(p+"ffn_down.weight", ck.W2, i, c.Dim, c.HiddenDim),
			WUp:      t(p+"ffn_up.weight", ck.W3, i, c.HiddenDim, c.Dim),
		}
	}
	for _, l := range m.Layers {
		for _, x := range []Tensor{l.AttnNorm, l.Wq, l.Wk, l.Wv, l.Wo, l.FFNNorm, l.WGate, l.WDown, l.WUp} {
			m.TensorList = append(m.TensorList, TensorInfo{Name: x.Name, Type: x.Type, Shape: []int64{int64(x.Cols), int64(x.Rows)}})
		}
	}
	m.Meta = []KV{{"format", "llama2.c legacy checkpoint"}, {"shared_classifier", fmt.Sprint(cc.SharedClassifier)}}
	return m, nil
}
