package tokenizer

import (
	"fmt"
	"math"
	"strconv"
)

// Tokenizer encodes and decodes text for one vocabulary. It is safe for concurrent use.
type Tokenizer struct {
	v     *Vocab
	spm   bool
	pre   preTokenizer // "gpt2" only
	texts []string     // token texts as llama.cpp keys them (empty ones renamed)
	ids   map[string]int32
	attrs []attr

	special    []int32 // partition candidates (control, user-defined, unknown), longest first
	eog        map[int32]bool
	byteTokens [256]int32 // SPM byte fallback, -1 when missing
	merges     mergeTable // "gpt2" only
	pieces     []string   // Piece of every token
}

// New validates v and builds a tokenizer for it. The Vocab is kept and must not be modified.
func New(v *Vocab) (*Tokenizer, error) {
	if v == nil {
		return nil, fmt.Errorf("%w: nil vocabulary", ErrInvalid)
	}
	t := &Tokenizer{v: v}
	switch v.Model {
	case "llama":
		t.spm = true
	case "gpt2":
		pre, err := preTokenizerFor(v.Pre)
		if err != nil {
			return nil, err
		}
		t.pre = pre
	default:
		return nil, fmt.Errorf("%w: tokenizer model %q (only \"llama\" and \"gpt2\" are supported)", ErrUnsupported, v.Model)
	}
	if err := t.checkSizes(); err != nil {
		return nil, err
	}
	if err := t.indexTokens(); err != nil {
		return nil, err
	}
	if t.spm {
		t.findByteTokens()
	} else if err := t.buildMerges(v.Merges); err != nil {
		return nil, err
	}
	t.fixAttributes()
	t.buildSpecialCache()
	t.buildPieces()
	return t, nil
}

func (t *Tokenizer) checkSizes() error {
	v := t.v
	n := len(v.Tokens)
	if n == 0 || n > math.MaxInt32/2 {
		return fmt.Errorf("%w: %d tokens", ErrInvalid, n)
	}
	if v.Scores != nil && len(v.Scores) != n {
		return fmt.Errorf("%w: %d scores for %d tokens", ErrInvalid, len(v.Scores), n)
	}
	if v.Types != nil && len(v.Types) != n {
		return fmt.Errorf("%w: %d token types for %d tokens", ErrInvalid, len(v.Types), n)
	}
	for i, sc := range v.Scores {
		if sc != sc {
			return fmt.Errorf("%w: token %d has a NaN score", ErrInvalid, i)
		}
	}
	for _, s := range []struct {
		name string
		id   int32
	}{{"BOS", v.BOS}, {"EOS", v.EOS}, {"UNK", v.UNK}, {"PAD", v.PAD}, {"EOT", v.EOT}} {
		if s.id < -1 || int(s.id) >= n {
			return fmt.Errorf("%w: %s id %d outside [-1, %d)", ErrInvalid, s.name, s.id, n)
		}
	}
	if v.AddBOS && v.BOS < 0 {
		return fmt.Errorf("%w: AddBOS without a BOS token", ErrInvalid)
	}
	if v.AddEOS && v.EOS < 0 {
		return fmt.Errorf("%w: AddEOS without an EOS token", ErrInvalid)
	}
	return nil
}

// indexTokens builds the text-to-id map; like llama.cpp, an empty token is renamed
// "[EMPTY_<id>]" and a repeated text is an error.
func (t *Tokenizer) indexTokens() error {
	v := t.v
	t.texts = make([]string, len(v.Tokens))
	t.ids = make(map[string]int32, len(v.Tokens))
	t.attrs = make([]attr, len(v.Tokens))
	for i, s := range v.Tokens {
		if s == "" {
			s = "[EMPTY_" + strconv.Itoa(i) + "]"
		}
		if prev, dup := t.ids[s]; dup {
			return fmt.Errorf("%w: token %q has ids %d and %d", ErrInvalid, s, prev, i)
		}
		t.ids[s] = int32(i)
		t.texts[i] = s
		t.attrs[i] = attrNormal
		if v.Types != nil {
			t.attrs[i] = attrOf(v.Types[i])
		}
	}
	return nil
}

// findByteTokens maps each byte to its SPM token <0xXX>, else the one-byte token, else UNK.
func (t *Tokenizer) findByteTokens() {
	for b := range 256 {
		id, ok := t.ids[fmt.Sprintf("<0x%02X>", b)]
		if !ok {
			id, ok = t.ids[string([]byte{byte(b)})]
		}
		if !ok {
			id = t.v.UNK
		}
		t.byteTokens[b] = id
	}
}

// Vocab returns the vocabulary the tokenizer was built from (not to be modified).
func (t *Tokenizer) Vocab() *Vocab { return t.v }

// BOS returns the beginning-of-sequence id, or -1.
func (t *Tokenizer) BOS() int32 { return t.v.BOS }

// EOS returns the end-of-sequence id, or -1.
func (t *Tokenizer) EOS() int32 { return t.v.EOS }

// VocabSize returns the number of tokens.
func (t *Tokenizer) VocabSize() int { return len(t.texts) }

// IsEOG reports whether id ends generation: EOS, EOT and the end-of-turn tokens llama.cpp
// recognises by their text (<|eot_id|>, <|im_end|>, <|endoftext|>, <end_of_turn>, ...).
func (t *Tokenizer) IsEOG(id int32) bool { return t.eog[id] }
