package tokenizer

import (
	"fmt"
	"strconv"
	"strings"
)

// buildPieces computes every token's text as llama_token_to_piece(special=false) gives it:
// control and unknown tokens are empty, user-defined tokens are their text, byte tokens their
// byte, normal SPM tokens have U+2581 turned into spaces and normal BPE tokens are mapped back
// from GPT-2's byte-level alphabet. Other token types are empty.
func (t *Tokenizer) buildPieces() {
	t.pieces = make([]string, len(t.texts))
	for id, text := range t.texts {
		a := t.attrs[id]
		switch {
		case a&(attrUnknown|attrControl) != 0:
		case a&attrUserDefined != 0:
			t.pieces[id] = text
		case a&attrNormal != 0 && t.spm:
			t.pieces[id] = strings.ReplaceAll(text, spaceEscape, " ")
		case a&attrNormal != 0:
			t.pieces[id] = byteLevelDecode(text)
		case a&attrByte != 0:
			t.pieces[id] = string([]byte{byteTokenValue(text)})
		}
	}
}

// byteTokenValue reads the XX of "<0xXX>" as llama.cpp does (strtol on characters 3 and 4,
// stopping at the first non-hex digit).
func byteTokenValue(text string) byte {
	if len(text) < 3 {
		return 0
	}
	hex := text[3:min(5, len(text))]
	v := 0
	for i := 0; i < len(hex); i++ {
		d, err := strconv.ParseUint(hex[i:i+1], 16, 8)
		if err != nil {
			break
		}
		v = v*16 + int(d)
	}
	return byte(v)
}

// byteLevelDecode maps a byte-level BPE token back to bytes. Like llama.cpp, a character
// outside GPT-2's alphabet is written as "[UNK_BYTE_0x<its UTF-8 in hex><token text>]".
func byteLevelDecode(text string) string {
	var b strings.Builder
	for _, r := range decodeRunes(text) {
		if c, ok := runeToByte[r]; ok {
			b.WriteByte(c)
			continue
		}
		b.WriteString("[UNK_BYTE_0x")
		for _, c := range appendRune(nil, r) {
			fmt.Fprintf(&b, "%02x", c)
		}
		b.WriteString(text + "]")
	}
	return b.String()
}

// Piece returns the bytes of one token as printed while streaming:
// llama_token_to_piece(special=false), so control tokens (BOS, EOS, <|im_end|>, ...) print
// nothing, and a byte token gives its raw byte (possibly part of a UTF-8 sequence). No leading
// space is removed. An id outside the vocabulary gives nil.
func (t *Tokenizer) Piece(id int32) []byte {
	if id < 0 || int(id) >= len(t.pieces) {
		return nil
	}
	return []byte(t.pieces[id])
}

// Decode returns the text of ids as llama_detokenize(remove_special=false,
// unparse_special=false): the concatenated pieces, with one leading space of the first token
// removed when the vocabulary adds a space prefix (even when that token prints nothing), and
// llama.cpp's clean-up of spaces before punctuation for the BPE pre-tokenizers that use it.
// Ids outside the vocabulary are skipped.
func (t *Tokenizer) Decode(ids []int32) string {
	var b []byte
	removeSpace := t.v.AddSpacePrefix
	for _, id := range ids {
		if id < 0 || int(id) >= len(t.pieces) {
			continue
		}
		p := t.pieces[id]
		if removeSpace && strings.HasPrefix(p, " ") {
			p = p[1:]
		}
		removeSpace = false
		b = append(b, p...)
	}
	if !t.spm && t.pre.cleanSpaces {
		b = cleanSpaces(b)
	}
	return string(b)
}

// cleanSpaces is llama.cpp's clean_up_tokenization_spaces: " ?", " !", " .", " ," lose their
// space; a lone apostrophe between spaces loses both; " 's", " 'm", " 're", " 've" lose their
// space.
func cleanSpaces(t []byte) []byte {
	t = cleanPass(t, func(t []byte, i int) (bool, bool) {
		x := t[i]
		return t[i-1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ','), false
	})
	t = cleanPass(t, func(t []byte, i int) (bool, bool) {
		lone := t[i] == '\'' && i+1 < len(t) && t[i-1] == ' ' && t[i+1] == ' '
		return lone, lone
	})
	return cleanPass(t, func(t []byte, i int) (bool, bool) {
		if t[i-1] != ' ' || t[i] != '\'' || i+1 >= len(t) {
			return false, false
		}
		x1 := t[i+1]
		if x1 == 's' || x1 == 'm' {
			return true, false
		}
		if i+2 < len(t) {
			x2 := t[i+2]
			return (x1 == 'r' || x1 == 'v') && x2 == 'e', false
		}
		return false, false
	})
}

// cleanPass copies t keeping its first byte, then for each later byte asks rule whether to
// drop the byte written before it and whether to skip the byte after it (which then reads as
// NUL to the next test, as llama.cpp's in-place loop leaves it).
func cleanPass(t []byte, rule func(t []byte, i int) (dropPrev, skipNext bool)) []byte {
	if len(t) == 0 {
		return t
	}
	src := append([]byte(nil), t...)
	out := make([]byte, 1, len(src))
	out[0] = src[0]
	for i := 1; i < len(src); i++ {
		dropPrev, skipNext := rule(src, i)
		if dropPrev {
			out = out[:len(out)-1]
		}
		out = append(out, src[i])
		if skipNext {
			src[i+1] = 0
			i++
		}
	}
	return out
}
