// Package tokenizer turns text into token ids and back exactly as llama.cpp does for the two
// vocabulary families of llama-style models: SentencePiece BPE with scores ("llama") and GPT-2
// byte-level BPE with merges ("gpt2"), including llama.cpp's pre-tokenizers, special-token
// handling and detokenization rules.
package tokenizer

import "errors"

// TokenType is the GGUF tokenizer.ggml.token_type value of a token.
type TokenType int32

// Token types as stored in GGUF files.
const (
	TypeUndefined   TokenType = 0
	TypeNormal      TokenType = 1
	TypeUnknown     TokenType = 2
	TypeControl     TokenType = 3
	TypeUserDefined TokenType = 4
	TypeUnused      TokenType = 5
	TypeByte        TokenType = 6
)

// Vocab is everything a tokenizer needs, as read from tokenizer.ggml.* metadata.
type Vocab struct {
	Model  string      // "llama" (SentencePiece BPE with scores) or "gpt2" (byte-level BPE)
	Pre    string      // pre-tokenizer name for "gpt2" ("gpt-2", "llama-bpe", "qwen2", ...)
	Tokens []string    // token texts, indexed by id
	Scores []float32   // merge priorities for "llama"; may be nil
	Types  []TokenType // may be nil: all normal
	Merges []string    // "left right" pairs in rank order, "gpt2" only

	// Special token ids, -1 when absent.
	BOS, EOS, UNK, PAD, EOT int32

	AddBOS, AddEOS bool // added by Encode when addSpecial is set
	AddSpacePrefix bool // SentencePiece dummy prefix; also drops the first piece's space in Decode

	// modelName is general.name, lowercased; llama.cpp keys a few per-token quirks on it.
	modelName string
}

// Errors returned by New and FromGGUF; test with errors.Is.
var (
	ErrUnsupported = errors.New("tokenizer: unsupported vocabulary")
	ErrInvalid     = errors.New("tokenizer: invalid vocabulary")
)

// attr is llama.cpp's llama_token_attr bit set, derived from TokenType and adjusted at load.
type attr uint16

const (
	attrUnknown attr = 1 << iota
	attrUnused
	attrNormal
	attrControl
	attrUserDefined
	attrByte
	attrNormalized
	attrLStrip
	attrRStrip
	attrSingleWord
)

func attrOf(t TokenType) attr {
	switch t {
	case TypeUnknown:
		return attrUnknown
	case TypeUnused:
		return attrUnused
	case TypeNormal:
		return attrNormal
	case TypeControl:
		return attrControl
	case TypeUserDefined:
		return attrUserDefined
	case TypeByte:
		return attrByte
	}
	return 0
}
