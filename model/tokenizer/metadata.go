package tokenizer

import (
	"fmt"
	"strings"
)

// metadata is the part of a GGUF file's key-value store that a vocabulary is read from.
type metadata interface {
	String(key string) (string, bool)
	Uint(key string) (uint64, bool)
	Bool(key string) (bool, bool)
	Strings(key string) ([]string, bool)
	Float32s(key string) ([]float32, bool)
	Int32s(key string) ([]int32, bool)
}

const kvPrefix = "tokenizer.ggml."

// vocabFromMetadata reads tokenizer.ggml.* with llama.cpp's defaults: "llama" vocabularies add
// BOS (id 1), no EOS (id 2), and a space prefix; "gpt2" ones add BOS only for the Llama 3
// family, and their default BOS/EOS id is 11. Keys override defaults.
func vocabFromMetadata(md metadata) (*Vocab, error) {
	model, ok := md.String(kvPrefix + "model")
	if !ok {
		return nil, fmt.Errorf("%w: no %smodel key", ErrInvalid, kvPrefix)
	}
	if model != "llama" && model != "gpt2" {
		return nil, fmt.Errorf("%w: tokenizer model %q (only \"llama\" and \"gpt2\" are supported)", ErrUnsupported, model)
	}
	v := &Vocab{Model: model, EOT: -1, PAD: -1}
	v.Pre, _ = md.String(kvPrefix + "pre")
	if err := readTokens(md, v); err != nil {
		return nil, err
	}
	if err := setDefaults(v); err != nil {
		return nil, err
	}
	if err := readSpecialIDs(md, v); err != nil {
		return nil, err
	}
	for key, flag := range map[string]*bool{"add_bos_token": &v.AddBOS, "add_eos_token": &v.AddEOS,
		"add_space_prefix": &v.AddSpacePrefix} {
		if b, ok := md.Bool(kvPrefix + key); ok {
			*flag = b
		}
	}
	if name, ok := md.String("general.name"); ok {
		v.modelName = strings.ToLower(name)
	}
	return v, nil
}

// readSpecialIDs reads the special token ids. A BOS or EOS id outside the vocabulary is an
// error (generation would start or stop on the wrong token); other ids outside it are
// ignored, as llama.cpp does, since real files carry padding ids one past the vocabulary.
func readSpecialIDs(md metadata, v *Vocab) error {
	n := uint64(len(v.Tokens))
	for _, s := range []struct {
		key    string
		id     *int32
		strict bool
	}{{"bos_token_id", &v.BOS, true}, {"eos_token_id", &v.EOS, true}, {"eot_token_id", &v.EOT, false},
		{"unknown_token_id", &v.UNK, false}, {"padding_token_id", &v.PAD, false}} {
		if *s.id >= int32(n) {
			*s.id = -1 // a default beyond a small vocabulary
		}
		x, ok := md.Uint(kvPrefix + s.key)
		switch {
		case ok && x < n:
			*s.id = int32(x)
		case ok && s.strict:
			return fmt.Errorf("%w: %s%s = %d is outside the %d-token vocabulary", ErrInvalid, kvPrefix, s.key, x, n)
		}
	}
	return nil
}

func setDefaults(v *Vocab) error {
	if v.Model == "llama" {
		v.BOS, v.EOS, v.UNK = 1, 2, 0
		v.AddBOS, v.AddSpacePrefix = true, true
		return nil
	}
	pre, err := preTokenizerFor(v.Pre)
	if err != nil {
		return err
	}
	v.BOS, v.EOS, v.UNK = 11, 11, -1
	v.AddBOS = pre.addBOS
	return nil
}

// readTokens reads the token list, scores (float32 or int32), types and merges.
func readTokens(md metadata, v *Vocab) error {
	toks, ok := md.Strings(kvPrefix + "tokens")
	if !ok {
		return fmt.Errorf("%w: no %stokens array", ErrInvalid, kvPrefix)
	}
	if len(toks) == 0 {
		return fmt.Errorf("%w: the %stokens array is empty", ErrInvalid, kvPrefix)
	}
	n := len(toks)
	v.Tokens = toks
	if sc, ok := md.Float32s(kvPrefix + "scores"); ok {
		v.Scores = sc
	} else if isc, ok := md.Int32s(kvPrefix + "scores"); ok {
		v.Scores = make([]float32, len(isc))
		for i, x := range isc {
			v.Scores[i] = float32(x)
		}
	}
	if v.Scores != nil {
		if len(v.Scores) < n {
			return fmt.Errorf("%w: %d scores for %d tokens", ErrInvalid, len(v.Scores), n)
		}
		v.Scores = v.Scores[:n:n]
	}
	if tt, ok := md.Int32s(kvPrefix + "token_type"); ok {
		if len(tt) < n {
			return fmt.Errorf("%w: %d token types for %d tokens", ErrInvalid, len(tt), n)
		}
		v.Types = make([]TokenType, n)
		for i := range v.Types {
			v.Types[i] = TokenType(tt[i])
		}
	}
	if v.Model == "gpt2" {
		if v.Merges, ok = md.Strings(kvPrefix + "merges"); !ok {
			return fmt.Errorf("%w: no %smerges array", ErrInvalid, kvPrefix)
		}
	}
	return nil
}
