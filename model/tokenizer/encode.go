package tokenizer

import "strings"

// piece of the input after special-token partitioning: a token (tok >= 0) or raw text.
type frag struct {
	tok  int32
	text string
}

// Encode returns the token ids of text as llama_tokenize does. addSpecial adds BOS and EOS as
// the vocabulary asks (AddBOS, AddEOS). parseSpecial lets the texts of control tokens in the
// input become those tokens; user-defined tokens are matched either way, as in llama.cpp.
func (t *Tokenizer) Encode(text string, addSpecial, parseSpecial bool) []int32 {
	frags := t.partition(text, parseSpecial)
	out := make([]int32, 0, len(text)/3+2)
	if addSpecial && t.v.AddBOS {
		out = append(out, t.v.BOS)
	}
	prevSpecial := true // the SPM dummy prefix goes on text that starts the input or follows a token
	for _, f := range frags {
		if f.tok >= 0 {
			out = append(out, f.tok)
			prevSpecial = true
			continue
		}
		if !t.spm {
			out = t.encodeBPE(f.text, out)
			continue
		}
		s := f.text
		if t.v.AddSpacePrefix && prevSpecial {
			s = " " + s
		}
		out = t.encodeSPM(s, out)
		prevSpecial = false
	}
	if addSpecial && t.v.AddEOS {
		out = append(out, t.v.EOS)
	}
	return out
}

// partition splits text at the special tokens it contains, longest tokens first, as
// llama.cpp's tokenizer_st_partition. Control and unknown tokens count only with
// parseSpecial.
func (t *Tokenizer) partition(text string, parseSpecial bool) []frag {
	if text == "" {
		return nil
	}
	frags := []frag{{tok: -1, text: text}}
	var pairs *bigramSet
	for _, id := range t.special {
		a := t.attrs[id]
		if !parseSpecial && a&(attrControl|attrUnknown) != 0 {
			continue
		}
		tt := t.texts[id]
		if pairs == nil {
			pairs = newBigramSet(text)
		}
		if !pairs.mayContain(tt) || !strings.Contains(text, tt) {
			continue
		}
		frags = splitAt(frags, id, tt, a)
	}
	return frags
}

// splitAt replaces every raw fragment containing tt by the pieces around its occurrences
// (leftmost first, not overlapping) and the token itself. LStrip drops white space before an
// occurrence, RStrip after it.
func splitAt(frags []frag, id int32, tt string, a attr) []frag {
	out := make([]frag, 0, len(frags)+2)
	for _, f := range frags {
		if f.tok >= 0 {
			out = append(out, f)
			continue
		}
		s := f.text
		for {
			i := strings.Index(s, tt)
			if i < 0 {
				break
			}
			left := s[:i]
			if a&attrLStrip != 0 {
				left = strings.TrimRight(left, cSpace)
			}
			if left != "" {
				out = append(out, frag{tok: -1, text: left})
			}
			out = append(out, frag{tok: id})
			s = s[i+len(tt):]
			if a&attrRStrip != 0 {
				s = strings.TrimLeft(s, cSpace)
			}
		}
		if s != "" {
			out = append(out, frag{tok: -1, text: s})
		}
	}
	return out
}

// cSpace is what C's isspace accepts.
const cSpace = " \t\n\v\f\r"

// bigramSet records which byte pairs occur in a text, to skip special tokens that cannot.
type bigramSet struct {
	bytes [256]bool
	pairs [1 << 16 / 64]uint64
}

func newBigramSet(s string) *bigramSet {
	b := &bigramSet{}
	for i := 0; i < len(s); i++ {
		b.bytes[s[i]] = true
		if i+1 < len(s) {
			k := uint(s[i])<<8 | uint(s[i+1])
			b.pairs[k/64] |= 1 << (k % 64)
		}
	}
	return b
}

func (b *bigramSet) mayContain(tt string) bool {
	switch len(tt) {
	case 0:
		return false
	case 1:
		return b.bytes[tt[0]]
	}
	k := uint(tt[0])<<8 | uint(tt[1])
	return b.pairs[k/64]&(1<<(k%64)) != 0
}
