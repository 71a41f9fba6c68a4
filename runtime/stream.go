package runtime

import (
	"strings"

	"github.com/scopekv/scope/model/tokenizer"
)

// textStream turns tokens into text as llama2.c prints it: the piece of each token, with
// the leading space dropped right after BOS, and ASCII control bytes other than whitespace
// left out.
type textStream struct {
	tok       *tokenizer.Tokenizer
	emit      func(string) error
	prev      int32
	generated strings.Builder // the generated text emitted so far
	stop      *stopFilter
}

func newTextStream(tok *tokenizer.Tokenizer, emit func(string) error) *textStream {
	t := &textStream{tok: tok, emit: emit, prev: -1}
	t.stopAt(nil)
	return t
}

// stopAt makes generated text end before the first of stops.
func (t *textStream) stopAt(stops []string) {
	t.stop = newStopFilter(stops, func(s string) error {
		t.generated.WriteString(s)
		return t.send(s)
	})
}

func (t *textStream) piece(id int32) string {
	b := t.tok.Piece(id)
	if t.prev == t.tok.BOS() && len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	t.prev = id
	if len(b) == 1 && b[0] < 0x20 && !strings.ContainsRune(" \t\n\r\v\f", rune(b[0])) {
		return ""
	}
	if len(b) == 1 && b[0] == 0x7f {
		return ""
	}
	return string(b)
}

// prompt emits the prompt's own tokens, as the stream's first call.
func (t *textStream) prompt(ids []int32) error {
	var sb strings.Builder
	for _, id := range ids {
		if id == t.tok.BOS() {
			t.prev = id
			continue
		}
		sb.WriteString(t.piece(id))
	}
	if t.emit == nil {
		return nil
	}
	return t.emit(sb.String()) // even when empty: the first call is always the prompt
}

// token emits one generated token; it returns errStopString once a stop string is complete.
func (t *textStream) token(id int32) error {
	hit, err := t.stop.push(t.piece(id))
	if err == nil && hit {
		err = errStopString
	}
	return err
}

// finish emits the text held back as a possible start of a stop string.
func (t *textStream) finish() error { return t.stop.flush() }

func (t *textStream) send(s string) error {
	if t.emit == nil || s == "" {
		return nil
	}
	return callSafely(func() error { return t.emit(s) })
}
