package model

import (
	"fmt"
	"strings"

	"github.com/scopekv/scope/model/gguf"
	"github.com/scopekv/scope/model/tokenizer"
)

func openGGUF(path string) (*Model, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, parseError(err)
	}
	m, err := fromGGUF(f)
	if err != nil {
		f.Close()
		return nil, malformed(fmt.Errorf("%s: %w", path, err))
	}
	m.closer = f
	return m, nil
}

// FromGGUF builds a model over a parsed GGUF file; the model's tensors are views of f.
func FromGGUF(f *gguf.File) (*Model, error) {
	m, err := fromGGUF(f)
	return m, malformed(err)
}

func fromGGUF(f *gguf.File) (*Model, error) {
	cfg, err := ggufConfig(f)
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		return nil, err
	}
	m := &Model{Config: cfg, Tokenizer: tok, Format: fmt.Sprintf("gguf v%d", f.Version), ChatTemplate: chatTemplate(f)}
	if err := loadGGUFTensors(m, f); err != nil {
		return nil, err
	}
	if m.Config.VocabSize != tok.VocabSize() {
		return nil, fmt.Errorf("model: embedding has %d rows but the vocabulary %d tokens", m.Config.VocabSize, tok.VocabSize())
	}
	describeGGUF(m, f)
	return m, m.validate()
}

func ggufConfig(f *gguf.File) (Config, error) {
	arch, _ := f.String("general.architecture")
	c := Config{Arch: arch}
	switch arch {
	case "llama":
	case "qwen2":
		c.RopeNeoX, c.QKVBias = true, true
	case "":
		return c, fmt.Errorf("model: no general.architecture key: %w", ErrUnsupported)
	default:
		return c, fmt.Errorf("model: architecture %q: %w (supported: llama, qwen2)", arch, ErrUnsupported)
	}
	u := func(key string, dst *int, required bool) error {
		v, ok := f.Uint(arch + "." + key)
		if !ok {
			if required {
				return fmt.Errorf("model: missing key %s.%s", arch, key)
			}
			return nil
		}
		if v > 1<<24 {
			return fmt.Errorf("model: %s.%s = %d is implausible", arch, key, v)
		}
		*dst = int(v)
		return nil
	}
	for _, k := range []struct {
		key string
		dst *int
	}{{"embedding_length", &c.Dim}, {"feed_forward_length", &c.HiddenDim}, {"block_count", &c.NLayers},
		{"attention.head_count", &c.NHeads}, {"context_length", &c.ContextLen}} {
		if err := u(k.key, k.dst, true); err != nil {
			return c, err
		}
	}
	c.NKVHeads = c.NHeads
	if err := u("attention.head_count_kv", &c.NKVHeads, false); err != nil {
		return c, err
	}
	if c.NHeads > 0 {
		c.HeadDim = c.Dim / c.NHeads
	}
	if err := u("attention.key_length", &c.HeadDim, false); err != nil {
		return c, err
	}
	c.RopeDim = c.HeadDim
	if err := u("rope.dimension_count", &c.RopeDim, false); err != nil {
		return c, err
	}
	c.NormEps, c.RopeBase = 1e-5, 10000
	if v, ok := f.Float(arch + ".attention.layer_norm_rms_epsilon"); ok {
		c.NormEps = float32(v)
	}
	if v, ok := f.Float(arch + ".rope.freq_base"); ok {
		c.RopeBase = float32(v)
	}
	return c, nil
}

func loadGGUFTensors(m *Model, f *gguf.File) error {
	get := func(name string, dst *Tensor, required bool) error {
		ti, ok := f.Tensor(name)
		if !ok {
			if required {
				return fmt.Errorf("model: missing tensor %s", name)
			}
			return nil
		}
		for _, d := range ti.Dims[min(2, len(ti.Dims)):] {
			if d != 1 {
				return fmt.Errorf("model: tensor %s has %d dimensions, want at most 2", name, len(ti.Dims))
			}
		}
		rows := int64(1)
		if len(ti.Dims) > 1 {
			rows = ti.Dims[1]
		}
		*dst = Tensor{Name: name, Type: ti.Type, Rows: int(rows), Cols: int(ti.Dims[0]), Data: f.TensorData(ti)}
		return nil
	}
	c := &m.Config
	if err := get("token_embd.weight", &m.Embed, true); err != nil {
		return err
	}
	c.VocabSize = m.Embed.Rows
	if err := get("output_norm.weight", &m.OutputNorm, true); err != nil {
		return err
	}
	if err := get("output.weight", &m.Output, false); err != nil {
		return err
	}
	if m.Output.Data == nil {
		m.Output, c.TiedOutput = m.Embed, true
	}
	var freqs Tensor
	if err := get("rope_freqs.weight", &freqs, false); err != nil {
		return err
	}
	if freqs.Data != nil {
		v, err := freqs.Float32()
		if err != nil {
			return err
		}
		c.RopeFactors = v
	} else if err := ropeScaling(f, c); err != nil {
		return err
	}
	if c.NLayers > 4096 {
		return fmt.Errorf("model: %d layers is implausible", c.NLayers)
	}
	m.Layers = make([]Layer, c.NLayers)
	for i := range m.Layers {
		if err := loadLayer(&m.Layers[i], i, c.QKVBias, get); err != nil {
			return err
		}
	}
	return nil
}

func loadLayer(l *Layer, i int, bias bool, get func(string, *Tensor, bool) error) error {
	p := fmt.Sprintf("blk.%d.", i)
	for _, t := range []struct {
		name string
		dst  *Tensor
	}{{"attn_norm.weight", &l.AttnNorm}, {"attn_q.weight", &l.Wq}, {"attn_k.weight", &l.Wk},
		{"attn_v.weight", &l.Wv}, {"attn_output.weight", &l.Wo}, {"ffn_norm.weight", &l.FFNNorm},
		{"ffn_gate.weight", &l.WGate}, {"ffn_up.weight", &l.WUp}, {"ffn_down.weight", &l.WDown}} {
		if err := get(p+t.name, t.dst, true); err != nil {
			return err
		}
	}
	if !bias {
		return nil
	}
	for _, t := range []struct {
		name string
		dst  *Tensor
	}{{"attn_q.bias", &l.Bq}, {"attn_k.bias", &l.Bk}, {"attn_v.bias", &l.Bv}} {
		if err := get(p+t.name, t.dst, true); err != nil {
			return err
		}
	}
	return nil
}

func describeGGUF(m *Model, f *gguf.File) {
	for _, kv := range f.KVs {
		m.Meta = append(m.Meta, KV{Key: kv.Key, Value: formatValue(kv.Value.Any())})
	}
	for _, t := range f.Tensors {
		m.TensorList = append(m.TensorList, TensorInfo{Name: t.Name, Type: t.Type, Shape: t.Dims})
	}
}

func formatValue(v any) string {
	switch x := v.(type) {
	case []string:
		if len(x) > 8 {
			return fmt.Sprintf("[%d strings: %s ...]", len(x), strings.Join(quoteAll(x[:8]), " "))
		}
		return fmt.Sprintf("%q", x)
	case string:
		if len(x) > 200 {
			return fmt.Sprintf("%q... (%d bytes)", x[:200], len(x))
		}
		return fmt.Sprintf("%q", x)
	}
	s := fmt.Sprint(v)
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}
