package tokenizer

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// mergeTable holds the BPE merge ranks keyed by the ids of both halves. Halves that are not
// tokens get ids from len(Tokens) upwards so that every merge in the file stays usable.
type mergeTable struct {
	extra map[string]int32 // merge halves that are not tokens
	ranks map[uint64]int32
}

func pairKey(l, r int32) uint64 { return uint64(uint32(l))<<32 | uint64(uint32(r)) }

// buildMerges parses "left right" lines; like llama.cpp the separator is the first space after
// the first byte, the first rank of a repeated pair wins, and a line without one is ignored.
func (t *Tokenizer) buildMerges(merges []string) error {
	m := mergeTable{extra: map[string]int32{}, ranks: make(map[uint64]int32, len(merges))}
	next := int32(len(t.texts))
	intern := func(s string) int32 {
		if id, ok := t.ids[s]; ok {
			return id
		}
		if id, ok := m.extra[s]; ok {
			return id
		}
		m.extra[s] = next
		next++
		return next - 1
	}
	for i, line := range merges {
		if len(line) < 2 {
			continue
		}
		sp := strings.IndexByte(line[1:], ' ')
		if sp < 0 {
			continue
		}
		if next < 0 {
			return fmt.Errorf("%w: too many merge strings", ErrInvalid)
		}
		key := pairKey(intern(line[:sp+1]), intern(line[sp+2:]))
		if _, dup := m.ranks[key]; !dup {
			m.ranks[key] = int32(i)
		}
	}
	t.merges = m
	return nil
}

// stringID returns the id of a token or merge half, or -1.
func (t *Tokenizer) stringID(s string) int32 {
	if id, ok := t.ids[s]; ok {
		return id
	}
	if id, ok := t.merges.extra[s]; ok {
		return id
	}
	return -1
}

// encodeBPE appends the tokens of one text fragment, as llama.cpp's llm_tokenizer_bpe: the
// pre-tokenizer cuts the text into words, each word's UTF-8 bytes are mapped to GPT-2's
// byte-level alphabet, and adjacent symbols are merged by lowest merge rank (ties: leftmost).
func (t *Tokenizer) encodeBPE(text string, out []int32) []int32 {
	cps, words := t.pre.preSplit(text)
	var raw, word []byte
	var syms []symbol
	var q bigramQueue
	for _, w := range words {
		raw = raw[:0]
		for _, r := range cps[w.start:w.end] {
			raw = appendRune(raw, r)
		}
		word = word[:0]
		for _, b := range raw {
			word = utf8.AppendRune(word, byteToRune[b])
		}
		out, syms, q = t.encodeWord(string(word), out, syms, q)
	}
	return out
}

func (t *Tokenizer) encodeWord(word string, out []int32, syms []symbol, q bigramQueue) ([]int32, []symbol, bigramQueue) {
	if t.pre.ignoreMerges {
		if id, ok := t.ids[word]; ok {
			return append(out, id), syms, q
		}
	}
	syms = splitSymbols(word, syms)
	q = q[:0]
	piece := func(i int) string { return word[syms[i].start : syms[i].start+syms[i].n] }
	try := func(l, r int) {
		if l < 0 || r < 0 {
			return
		}
		rank, ok := t.merges.ranks[pairKey(t.stringID(piece(l)), t.stringID(piece(r)))]
		if ok {
			q.push(bigram{priority: -float64(rank), left: l, right: r, size: syms[l].n + syms[r].n})
		}
	}
	mergeAll(syms, &q, try)
	for i := 0; i >= 0 && i < len(syms); i = syms[i].next {
		out = t.appendPiece(out, piece(i))
	}
	return out, syms, q
}

// appendPiece emits the token of a final symbol or, when it is not a token, the single-byte
// tokens of its bytes that exist (llama.cpp's fallback, which drops the others).
func (t *Tokenizer) appendPiece(out []int32, s string) []int32 {
	if id, ok := t.ids[s]; ok {
		return append(out, id)
	}
	for j := 0; j < len(s); j++ {
		if id, ok := t.ids[s[j:j+1]]; ok {
			out = append(out, id)
		}
	}
	return out
}
