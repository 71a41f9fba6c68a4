package model

import (
	"bytes"
	"errors"
	"testing"

	"github.com/scopekv/scope/model/gguf"
	"github.com/scopekv/scope/model/quant"
	"github.com/scopekv/scope/model/tokenizer"
)

// microModel is a complete GGUF model of a few kilobytes (the smallest vocabulary the
// synthesiser writes), a seed for FuzzLoadGGUF.
func microModel(f *testing.F, arch string) []byte {
	const name = "fuzz-micro"
	Shapes[name] = Shape{Dim: 8, HiddenDim: 16, NLayers: 1, NHeads: 2, NKVHeads: 1, VocabSize: 354, ContextLen: 16}
	defer delete(Shapes, name)
	w, err := Synth(SynthOptions{Shape: name, Type: quant.Q8_0, Arch: arch, Seed: 1})
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzLoadGGUF parses arbitrary bytes as a GGUF file and builds a model and a tokenizer over
// them. It must never panic, and every error must wrap ErrMalformed or say the file is
// unsupported.
func FuzzLoadGGUF(f *testing.F) {
	for _, arch := range []string{"llama", "qwen2"} {
		data := microModel(f, arch)
		if g, err := gguf.Parse(data); err != nil {
			f.Fatal(err)
		} else if _, err := FromGGUF(g); err != nil {
			f.Fatalf("%s seed does not load: %v", arch, err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := gguf.Parse(data)
		if err != nil {
			return // FuzzParse in model/gguf covers the parser's errors
		}
		m, err := FromGGUF(g)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, tokenizer.ErrUnsupported) {
				t.Fatalf("error wraps neither ErrMalformed nor ErrUnsupported: %v", err)
			}
			if errors.Is(err, ErrMalformed) && errors.Is(err, ErrUnsupported) {
				t.Fatalf("error is both malformed and unsupported: %v", err)
			}
			return
		}
		ids := m.Tokenizer.Encode("Hello <s> world", true, true)
		for _, id := range ids {
			if id < 0 || int(id) >= m.Config.VocabSize {
				t.Fatalf("token %d outside the vocabulary of %d", id, m.Config.VocabSize)
			}
		}
		_ = m.Tokenizer.Decode(ids)
	})
}
