package model

import (
	"errors"
	"fmt"
	"io"

	"github.com/scopekv/scope/model/gguf"
	"github.com/scopekv/scope/model/quant"
	"github.com/scopekv/scope/model/tokenizer"
)

// Tensor is a weight matrix in its file layout: Rows rows of Cols elements of type Type.
// Row r holds the input weights of output r (GGUF dims [Cols, Rows]).
type Tensor struct {
	Name string
	Type quant.Type
	Rows int
	Cols int
	Data []byte // a view of the mapped file (or of memory owned by the Model)
}

// Elements is Rows*Cols.
func (t *Tensor) Elements() int { return t.Rows * t.Cols }

// Float32 dequantises the whole tensor.
func (t *Tensor) Float32() ([]float32, error) {
	out := make([]float32, t.Elements())
	if err := quant.Dequantize(t.Type, t.Data, out); err != nil {
		return nil, fmt.Errorf("tensor %s: %w", t.Name, err)
	}
	return out, nil
}

// Layer holds one transformer block's weights; biases are nil-Data tensors when absent.
type Layer struct {
	AttnNorm Tensor // (dim)
	Wq       Tensor // (nHeads*headDim, dim)
	Wk       Tensor // (kvDim, dim)
	Wv       Tensor // (kvDim, dim)
	Wo       Tensor // (dim, nHeads*headDim)
	Bq       Tensor // (nHeads*headDim) qwen2 only
	Bk       Tensor // (kvDim) qwen2 only
	Bv       Tensor // (kvDim) qwen2 only
	FFNNorm  Tensor // (dim)
	WGate    Tensor // (hidden, dim)  w1
	WUp      Tensor // (hidden, dim)  w3
	WDown    Tensor // (dim, hidden)  w2
}

// Model is a loaded model: hyper-parameters, weights and tokenizer.
type Model struct {
	Config     Config
	Embed      Tensor // (vocab, dim)
	OutputNorm Tensor // (dim)
	Output     Tensor // (vocab, dim); the embedding itself when tied
	Layers     []Layer
	Tokenizer  *tokenizer.Tokenizer
	Format     string // "gguf v3", "llama2.c"
	Meta       []KV   // file metadata, for inspection
	TensorList []TensorInfo

	// ChatTemplate is the Jinja chat template of tokenizer.chat_template ("" when none).
	ChatTemplate string

	closer io.Closer
}

// KV is one metadata entry for display.
type KV struct {
	Key   string
	Value string
}

// TensorInfo describes one file tensor for display.
type TensorInfo struct {
	Name  string
	Type  quant.Type
	Shape []int64
}

// Close releases the mapped file; the tensors' Data must not be used afterwards.
func (m *Model) Close() error {
	if m.closer == nil {
		return nil
	}
	err := m.closer.Close()
	m.closer = nil
	return err
}

// Options for Open.
type Options struct {
	TokenizerPath string // llama2.c tokenizer for a .bin checkpoint (required: the checkpoint has no vocabulary)
}

// Open loads a GGUF file or a llama2.c checkpoint, chosen by the file's magic.
func Open(path string, opts Options) (*Model, error) {
	isGGUF, err := hasGGUFMagic(path)
	if err != nil {
		return nil, err
	}
	if isGGUF {
		return openGGUF(path)
	}
	return openLlama2C(path, opts.TokenizerPath)
}

// hasGGUFMagic reports whether a file is GGUF (else it is a llama2.c checkpoint); a file
// that is neither is ErrNotModel, and ErrMalformed like every error its content causes.
func hasGGUFMagic(path string) (bool, error) {
	isGGUF, err := sniff(path)
	if errors.Is(err, ErrNotModel) {
		err = malformed(err)
	}
	return isGGUF, err
}

func (m *Model) validate() error {
	if err := m.Config.Validate(); err != nil {
		return err
	}
	c := &m.Config
	q, kv := c.NHeads*c.HeadDim, c.KVDim()
	check := func(t *Tensor, rows, cols int) error {
		if t.Rows != rows || t.Cols != cols {
			return fmt.Errorf("model: tensor %s has shape (%d,%d), want (%d,%d)", t.Name, t.Rows, t.Cols, rows, cols)
		}
		if n, err := t.Type.RowBytes(cols); err != nil || n*rows != len(t.Data) {
			return fmt.Errorf("model: tensor %s: %d bytes do not hold %dx%d %s", t.Name, len(t.Data), rows, cols, t.Type)
		}
		return nil
	}
	checks := []struct {
		t          *Tensor
		rows, cols int
	}{{&m.Embed, c.VocabSize, c.Dim}, {&m.OutputNorm, 1, c.Dim}, {&m.Output, c.VocabSize, c.Dim}}
	for i := range m.Layers {
		l := &m.Layers[i]
		checks = append(checks, []struct {
			t          *Tensor
			rows, cols int
		}{{&l.AttnNorm, 1, c.Dim}, {&l.Wq, q, c.Dim}, {&l.Wk, kv, c.Dim}, {&l.Wv, kv, c.Dim}, {&l.Wo, c.Dim, q},
			{&l.FFNNorm, 1, c.Dim}, {&l.WGate, c.HiddenDim, c.Dim}, {&l.WUp, c.HiddenDim, c.Dim}, {&l.WDown, c.Dim, c.HiddenDim}}...)
		if c.QKVBias {
			checks = append(checks, []struct {
				t          *Tensor
				rows, cols int
			}{{&l.Bq, 1, q}, {&l.Bk, 1, kv}, {&l.Bv, 1, kv}}...)
		}
	}
	for _, ch := range checks {
		if err := check(ch.t, ch.rows, ch.cols); err != nil {
			return err
		}
		if !quant.CanDequantize(ch.t.Type) {
			return fmt.Errorf("model: tensor %s has type %s: %w", ch.t.Name, ch.t.Type, ErrUnsupported)
		}
	}
	return nil
}

// Parameters counts the weights of the model (the tied output counted once).
func (m *Model) Parameters() int64 {
	n := int64(m.Embed.Elements() + m.OutputNorm.Elements())
	if !m.Config.TiedOutput {
		n += int64(m.Output.Elements())
	}
	for _, l := range m.Layers {
		for _, t := range []Tensor{l.AttnNorm, l.Wq, l.Wk, l.Wv, l.Wo, l.Bq, l.Bk, l.Bv, l.FFNNorm, l.WGate, l.WUp, l.WDown} {
			if t.Data != nil {
				n += int64(t.Elements())
			}
		}
	}
	return n
}

// OpenVocab loads only what tokenizing needs: a model file's tokenizer, or a vocabulary-only
// GGUF (no tensors). Close releases the file.
func OpenVocab(path string, opts Options) (*Model, error) {
	isGGUF, err := hasGGUFMagic(path)
	if err != nil {
		return nil, err
	}
	if !isGGUF {
		return openLlama2C(path, opts.TokenizerPath)
	}
	g, err := gguf.Open(path)
	if err != nil {
		return nil, parseError(err)
	}
	tok, err := tokenizer.FromGGUF(g)
	if err != nil {
		g.Close()
		return nil, malformed(fmt.Errorf("%s: %w", path, err))
	}
	return &Model{Tokenizer: tok, Format: fmt.Sprintf("gguf v%d", g.Version), ChatTemplate: chatTemplate(g), closer: g}, nil
}
