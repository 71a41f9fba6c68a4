package tokenizer

import "strings"

// spaceEscape is U+2581, which SentencePiece vocabularies use for a space.
const spaceEscape = "\u2581"

// encodeSPM appends the tokens of one text fragment, as llama.cpp's llm_tokenizer_spm: spaces
// become U+2581, the text is split into UTF-8 sequences, and adjacent symbols are merged while
// their concatenation is a token, highest score first (ties: leftmost). Symbols that are not
// tokens fall back to byte tokens <0xXX>.
func (t *Tokenizer) encodeSPM(text string, out []int32) []int32 {
	text = strings.ReplaceAll(text, " ", spaceEscape)
	syms := splitSymbols(text, nil)
	var q bigramQueue
	try := func(l, r int) {
		if l < 0 || r < 0 {
			return
		}
		s := syms[l].start
		size := syms[l].n + syms[r].n
		if id, ok := t.ids[text[s:s+size]]; ok {
			q.push(bigram{priority: float64(t.score(id)), left: l, right: r, size: size})
		}
	}
	mergeAll(syms, &q, try)
	for i := 0; i >= 0 && i < len(syms); i = syms[i].next {
		piece := text[syms[i].start : syms[i].start+syms[i].n]
		if id, ok := t.ids[piece]; ok {
			out = append(out, id)
			continue
		}
		for j := 0; j < len(piece); j++ {
			if id := t.byteTokens[piece[j]]; id >= 0 {
				out = append(out, id)
			}
		}
	}
	return out
}

func (t *Tokenizer) score(id int32) float32 {
	if t.v.Scores == nil {
		return 0
	}
	return t.v.Scores[id]
}
