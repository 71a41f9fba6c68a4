package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/scopekv/scope/runtime"
)

// eosRunner is a Runner whose every step predicts end of text, or fails with err.
type eosRunner struct {
	eos, vocab int
	err        error
	steps      int
}

type fakeSeq struct{}

func (fakeSeq) Close() {}

func (r *eosRunner) Open(SeqSpec) (Seq, error) { return fakeSeq{}, nil }

func (r *eosRunner) Step(_ context.Context, work []Work) {
	r.steps++
	for i := range work {
		logits := make([]float32, r.vocab)
		logits[r.eos] = 1
		work[i].Logits, work[i].Err = logits, r.err
	}
}

func TestIgnoreEOS(t *testing.T) {
	m := openStories(t)
	tok := m.Tokenizer()
	e := newEngine(t, m, Options{Runner: &eosRunner{eos: int(tok.EOS()), vocab: m.Config().VocabSize}})
	for _, ignore := range []bool{false, true} {
		ch, err := e.Submit(context.Background(), Request{Prompt: []int32{tok.BOS()}, MaxTokens: 7, IgnoreEOS: ignore})
		if err != nil {
			t.Fatal(err)
		}
		_, last := collect(t, ch)
		want, finish := 0, "stop"
		if ignore {
			want, finish = 7, "length"
		}
		if last.Usage.CompletionTokens != want || last.Finish != finish {
			t.Errorf("IgnoreEOS %v: %d tokens, finish %q; want %d, %q", ignore, last.Usage.CompletionTokens, last.Finish, want, finish)
		}
	}
}

// A sequence that keeps running out of pages is preempted with a doubled reservation until
// it reaches the full-KV size; then it fails instead of being preempted forever.
func TestOutOfPagesAtFullReservationFails(t *testing.T) {
	m := openStories(t)
	r := &eosRunner{vocab: m.Config().VocabSize, err: runtime.ErrOutOfPages}
	e := newEngine(t, m, Options{Runner: r})
	ch, err := e.Submit(context.Background(), Request{Prompt: []int32{1, 5, 6}, MaxTokens: 100, KV: slide(16, 8)})
	if err != nil {
		t.Fatal(err)
	}
	_, last := collect(t, ch)
	if !errors.Is(last.Err, runtime.ErrOutOfPages) {
		t.Fatalf("final event %+v, want ErrOutOfPages", last)
	}
	if p := e.Stats().Preemptions; p == 0 || p > 8 || r.steps != int(p)+1 {
		t.Errorf("%d preemptions in %d steps", p, r.steps)
	}
	waitIdle(t, e)
}
