package tokenizer

import "github.com/scopekv/scope/model/gguf"

// FromGGUF builds the tokenizer described by a GGUF file's tokenizer.ggml.* keys (tokens,
// scores, token_type, merges, model, pre, the special token ids, add_bos_token, add_eos_token,
// add_space_prefix), with llama.cpp's defaults for keys that are absent. general.name selects
// llama.cpp's per-model quirks (Phi-3 drops white space after special tokens). Tokenizer
// models other than "llama" and "gpt2" give ErrUnsupported.
func FromGGUF(f *gguf.File) (*Tokenizer, error) {
	v, err := vocabFromMetadata(f)
	if err != nil {
		return nil, err
	}
	return New(v)
}
