package engine

import (
	"strings"
	"unicode/utf8"

	"github.com/scopekv/scope/model/tokenizer"
)

// textOut turns generated tokens into text for a client: pieces as the runtime prints
// them, whole UTF-8 characters only, and text that may be the start of a stop string held
// back until it is known not to be one.
type textOut struct {
	tok     *tokenizer.Tokenizer
	prev    int32
	stops   []string
	partial []byte // an incomplete UTF-8 sequence
	held    string // a suffix that is a prefix of a stop string
}

func newTextOut(tok *tokenizer.Tokenizer, prev int32, stops []string) *textOut {
	return &textOut{tok: tok, prev: prev, stops: stops}
}

// piece is the token's text: the leading space dropped right after BOS, lone ASCII
// control bytes other than whitespace left out.
func (t *textOut) piece(id int32) []byte {
	b := t.tok.Piece(id)
	if t.prev == t.tok.BOS() && len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	t.prev = id
	if len(b) == 1 && (b[0] < 0x20 && !strings.ContainsRune(" \t\n\r\v\f", rune(b[0])) || b[0] == 0x7f) {
		return nil
	}
	return b
}

// add takes one token and returns the text the client may see now, and whether a stop
// string ended the text (the stop string itself is not returned).
func (t *textOut) add(id int32) (string, bool) {
	t.partial = append(t.partial, t.piece(id)...)
	n := completeUTF8(t.partial)
	text := t.held + string(t.partial[:n])
	t.partial = append(t.partial[:0], t.partial[n:]...)
	t.held = ""
	for _, s := range t.stops {
		if i := strings.Index(text, s); i >= 0 {
			t.partial = t.partial[:0]
			return text[:i], true
		}
	}
	keep := t.stopPrefix(text)
	t.held = text[len(text)-keep:]
	return text[:len(text)-keep], false
}

// flush returns what is still held when the sequence ends without a stop string.
func (t *textOut) flush() string {
	s := t.held + string(t.partial)
	t.held, t.partial = "", nil
	return s
}

// stopPrefix is the length of the longest suffix of text that begins some stop string.
func (t *textOut) stopPrefix(text string) int {
	best := 0
	for _, s := range t.stops {
		for k := min(len(s)-1, len(text)); k > best; k-- {
			if strings.HasSuffix(text, s[:k]) {
				best = k
				break
			}
		}
	}
	return best
}

// completeUTF8 is the length of b's prefix that ends on a character boundary: a trailing
// sequence that could still complete is left for the next token.
func completeUTF8(b []byte) int {
	for back := 1; back <= min(3, len(b)); back++ {
		c := b[len(b)-back]
		if c < 0x80 {
			return len(b)
		}
		if utf8.RuneStart(c) {
			if utf8.FullRune(b[len(b)-back:]) {
				return len(b)
			}
			return len(b) - back
		}
	}
	return len(b)
}
