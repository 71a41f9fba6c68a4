package runtime_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/quant"
	scope "github.com/scopekv/scope/runtime"
	kvpolicy "github.com/scopekv/scope/scope"
)

func openF32Tiny(t *testing.T) *scope.Model {
	t.Helper()
	// F32 weights: quantised activations could move a rounding step between a batched
	// prompt and single-token steps.
	w, err := model.Synth(model.SynthOptions{Shape: "tiny", Type: quant.F32, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/tiny.gguf"
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	m, err := scope.Open(path, scope.Config{Backend: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

var turns = []string{"Once upon a time", " there was a cat.\nThe cat", "\nAnd then"}

// continueTurns runs the turns on s and checks that each one evaluated only its own
// tokens and its answer: the position advances by exactly those.
func continueTurns(t *testing.T, m *scope.Model, s *scope.Session) [][]int32 {
	t.Helper()
	var answers [][]int32
	for i, text := range turns {
		before := s.Pos()
		res, err := s.Continue(context.Background(), text, scope.GenerateOptions{MaxTokens: 5})
		if err != nil {
			t.Fatalf("turn %d: %v", i+1, err)
		}
		if want := len(m.Tokenizer().Encode(text, before == 0, true)); res.PromptTokens != want {
			t.Errorf("turn %d evaluated %d prompt tokens, want its own %d", i+1, res.PromptTokens, want)
		}
		if got, want := s.Pos(), before+res.PromptTokens+len(res.Tokens); got != want {
			t.Errorf("turn %d: position %d after the turn, want %d + %d new + %d answer = %d",
				i+1, got, before, res.PromptTokens, len(res.Tokens), want)
		}
		answers = append(answers, res.Tokens)
	}
	return answers
}

// TestContinueEvaluatesOnlyNewTokens: three turns on one session evaluate only each turn's
// tokens, and answer exactly like a session that evaluated the whole history at once.
func TestContinueEvaluatesOnlyNewTokens(t *testing.T) {
	m := openF32Tiny(t)
	s, err := m.NewSession(scope.SessionOptions{ContextLen: 128})
	if err != nil {
		t.Fatal(err)
	}
	got := continueTurns(t, m, s)

	tok := m.Tokenizer()
	hist := tok.Encode(turns[0], true, true)
	hist = append(append(hist, got[0]...), tok.Encode(turns[1], false, true)...)
	hist = append(hist, got[1]...)
	ref, err := m.NewSession(scope.SessionOptions{ContextLen: 128})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ref.Eval(context.Background(), hist); err != nil {
		t.Fatal(err)
	}
	res, err := ref.Continue(context.Background(), turns[2], scope.GenerateOptions{MaxTokens: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Tokens, got[2]) {
		t.Errorf("third answer %v, want %v as from the whole history", got[2], res.Tokens)
	}
}

// TestContinueEveryPolicy: later turns are decode steps of the first turn's request and
// work with every KV policy, also past the tokens the first turn asked for.
func TestContinueEveryPolicy(t *testing.T) {
	m := openF32Tiny(t)
	var want [][]int32
	if s, err := m.NewSession(scope.SessionOptions{ContextLen: 128}); err != nil {
		t.Fatal(err)
	} else {
		want = continueTurns(t, m, s)
	}
	type pol struct {
		name    string
		prefill kvpolicy.PrefillMethod
		decode  kvpolicy.DecodePolicy
		evicts  bool
	}
	pols := []pol{{"full+none", kvpolicy.PrefillFull, kvpolicy.DecodeNone, false}}
	for d := kvpolicy.DecodeSlide; d <= kvpolicy.DecodeStreamingLLM; d++ {
		pols = append(pols, pol{"full+" + d.String(), kvpolicy.PrefillFull, d, true})
	}
	for p := kvpolicy.PrefillSnapKV; p <= kvpolicy.PrefillStreamingLLM; p++ {
		pols = append(pols, pol{p.String() + "+slide", p, kvpolicy.DecodeSlide, true})
	}
	for _, p := range pols {
		t.Run(p.name, func(t *testing.T) {
			cfg := kvpolicy.DefaultConfig()
			cfg.Prefill, cfg.Decode = p.prefill, p.decode
			if p.evicts {
				cfg.PrefillBudget, cfg.Window, cfg.DecodeBudget, cfg.Recent = 4, 2, 6, 3
			}
			s, err := m.NewSession(scope.SessionOptions{ContextLen: 128, KV: &cfg})
			if err != nil {
				t.Fatal(err)
			}
			got := continueTurns(t, m, s)
			// A first turn through Generate asks for 5 new tokens (T = 5); later turns go past it.
			if _, err := s.Generate(context.Background(), turns[0], scope.GenerateOptions{MaxTokens: 5}); err != nil {
				t.Fatal(err)
			}
			for _, text := range turns[1:] {
				before := s.Pos()
				res, err := s.Continue(context.Background(), text, scope.GenerateOptions{MaxTokens: 5})
				if err != nil {
					t.Fatalf("after Generate: %v", err)
				}
				if s.Pos() != before+res.PromptTokens+len(res.Tokens) {
					t.Errorf("after Generate: position %d, want %d", s.Pos(), before+res.PromptTokens+len(res.Tokens))
				}
			}
			if !p.evicts && !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("answers %v, want %v as without a policy", got, want)
			}
		})
	}
}

// TestContinueStoppedAnswerIsHeld: an answer stopped by Stream still ends with all its
// tokens in the session, so the next turn continues after it.
func TestContinueStoppedAnswerIsHeld(t *testing.T) {
	m := openF32Tiny(t)
	s, err := m.NewSession(scope.SessionOptions{ContextLen: 64})
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	pieces := 0
	res, err := s.Continue(context.Background(), "Once upon a time", scope.GenerateOptions{MaxTokens: 20,
		Stream: func(string) error {
			if pieces++; pieces == 3 {
				return stop
			}
			return nil
		}})
	if !errors.Is(err, stop) {
		t.Fatalf("got %v, want the stream's error", err)
	}
	if want := res.PromptTokens + len(res.Tokens); s.Pos() != want || len(res.Tokens) == 0 {
		t.Errorf("position %d, want %d prompt + %d answer tokens", s.Pos(), res.PromptTokens, len(res.Tokens))
	}
	if _, err := s.Continue(context.Background(), strings50(), scope.GenerateOptions{MaxTokens: 1}); !errors.Is(err, scope.ErrContextFull) {
		t.Errorf("a turn past the context: %v, want ErrContextFull", err)
	}
	if _, err := s.Continue(context.Background(), "", scope.GenerateOptions{}); !errors.Is(err, scope.ErrBadConfig) {
		t.Errorf("an empty turn: %v, want ErrBadConfig", err)
	}
}

func strings50() string {
	b := make([]byte, 0, 100)
	for range 50 {
		b = append(b, " x"...)
	}
	return string(b)
}
