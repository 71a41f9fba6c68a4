package model

import (
	"fmt"
	"strings"

	"github.com/scopekv/scope/model/gguf"
)

// writeBuiltinVocab stores a SentencePiece-style vocabulary of n tokens: <unk> <s> </s>, the
// 256 byte tokens, "▁", the printable ASCII characters, then made-up words ("▁ka", ...) up
// to n, so any text encodes (bytes as the fallback) and generated text reads as words.
func writeBuiltinVocab(w *gguf.Writer, n int) error {
	toks := []string{"<unk>", "<s>", "</s>"}
	types := []int32{2, 3, 3}
	for b := 0; b < 256; b++ {
		toks = append(toks, fmt.Sprintf("<0x%02X>", b))
		types = append(types, 6)
	}
	toks = append(toks, "\u2581")
	types = append(types, 1)
	for c := byte(33); c < 127; c++ {
		toks = append(toks, string(c))
		types = append(types, 1)
	}
	if n < len(toks) {
		return fmt.Errorf("vocabulary of %d tokens is smaller than the %d built-in ones", n, len(toks))
	}
	syll := []string{"ka", "to", "ri", "ne", "mu", "sa", "lo", "vi", "de", "pa", "fu", "ge", "zo", "hi", "be", "yu"}
	for i := 0; len(toks) < n; i++ {
		var sb strings.Builder
		sb.WriteString("\u2581")
		for x := i; ; x /= len(syll) {
			sb.WriteString(syll[x%len(syll)])
			if x < len(syll) {
				break
			}
		}
		toks = append(toks, sb.String())
		types = append(types, 1)
	}
	scores := make([]float32, n)
	for i := range scores {
		scores[i] = -float32(i)
	}
	for _, e := range []struct {
		k string
		v any
	}{{"tokenizer.ggml.model", "llama"}, {"tokenizer.ggml.pre", "default"}, {"tokenizer.ggml.tokens", toks},
		{"tokenizer.ggml.scores", scores}, {"tokenizer.ggml.token_type", types},
		{"tokenizer.ggml.bos_token_id", uint32(1)}, {"tokenizer.ggml.eos_token_id", uint32(2)},
		{"tokenizer.ggml.unknown_token_id", uint32(0)}, {"tokenizer.ggml.add_bos_token", true},
		{"tokenizer.ggml.add_space_prefix", true}} {
		if err := w.Set(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

// copyVocab copies every tokenizer.* key of a vocabulary file.
func copyVocab(w *gguf.Writer, f *gguf.File) error {
	found := false
	for _, kv := range f.KVs {
		if strings.HasPrefix(kv.Key, "tokenizer.") {
			found = true
			if err := w.Set(kv.Key, kv.Value.Any()); err != nil {
				return fmt.Errorf("copying %s: %w", kv.Key, err)
			}
		}
	}
	if !found {
		return fmt.Errorf("the vocabulary file has no tokenizer.* keys")
	}
	return nil
}
