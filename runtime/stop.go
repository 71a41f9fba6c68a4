package runtime

import (
	"errors"
	"math"
	"strings"

	"github.com/scopekv/scope/model/tokenizer"
)

// errStopString tells the sample loop that a stop string was generated.
var errStopString = errors.New("stop string")

// stopFilter ends generation at the first stop string (GenerateOptions.Stop). While the
// text generated so far ends with the beginning of a stop string, that tail is held back,
// so neither the stream nor Result.Text ever shows a stop string or a part of one.
type stopFilter struct {
	stops   []string
	pending string // generated text not yet emitted
	emit    func(string) error
}

func newStopFilter(stops []string, emit func(string) error) *stopFilter {
	f := &stopFilter{emit: emit}
	for _, s := range stops {
		if s != "" {
			f.stops = append(f.stops, s)
		}
	}
	return f
}

// push adds generated text and emits what can no longer be part of a stop string. It
// reports whether a stop string is complete: the text before it is emitted, the stop
// string and anything after it are dropped.
func (f *stopFilter) push(text string) (bool, error) {
	if len(f.stops) == 0 {
		return false, f.emit(text)
	}
	f.pending += text
	if i := f.firstStop(); i >= 0 {
		before := f.pending[:i]
		f.pending = ""
		return true, f.emit(before)
	}
	n := len(f.pending) - f.partial()
	ready := f.pending[:n]
	f.pending = f.pending[n:]
	return false, f.emit(ready)
}

// flush emits the held-back text when generation ends for another reason.
func (f *stopFilter) flush() error {
	text := f.pending
	f.pending = ""
	return f.emit(text)
}

// firstStop returns the offset of the earliest stop string in the pending text, or -1.
func (f *stopFilter) firstStop() int {
	first := -1
	for _, s := range f.stops {
		if i := strings.Index(f.pending, s); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	return first
}

// partial returns the length of the longest tail of the pending text that begins a stop
// string.
func (f *stopFilter) partial() int {
	longest := 0
	for _, s := range f.stops {
		for k := min(len(s)-1, len(f.pending)); k > longest; k-- {
			if strings.HasSuffix(f.pending, s[:k]) {
				longest = k
				break
			}
		}
	}
	return longest
}

// endTokens lists the ids whose sampling ends generation: the end-of-generation tokens
// and BOS.
func endTokens(tok *tokenizer.Tokenizer) []int32 {
	var ids []int32
	for id := int32(0); int(id) < tok.VocabSize(); id++ {
		if tok.IsEOG(id) || id == tok.BOS() {
			ids = append(ids, id)
		}
	}
	return ids
}

// suppress makes ids impossible to sample (GenerateOptions.IgnoreEOS).
func suppress(logits []float32, ids []int32) {
	for _, id := range ids {
		if int(id) < len(logits) {
			logits[id] = float32(math.Inf(-1))
		}
	}
}
