package runtime_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/quant"
	scope "github.com/scopekv/scope/runtime"
)

// tinySession opens a session of 32 positions on a tiny synthetic model on the CPU.
func tinySession(t *testing.T) *scope.Session {
	t.Helper()
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
	s, err := m.NewSession(scope.SessionOptions{ContextLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestGenerateRejectsBadSampling: NaN, infinite and out-of-range sampling values fail with
// ErrBadConfig before any token is evaluated.
func TestGenerateRejectsBadSampling(t *testing.T) {
	s := tinySession(t)
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, p := range []scope.Sampling{{Temperature: nan}, {Temperature: inf}, {Temperature: -1},
		{Temperature: 1, TopP: nan}, {Temperature: 1, MinP: nan}, {Temperature: 1, RepeatPenalty: nan},
		{Temperature: 1, TopP: 2}, {Temperature: 1, TopK: -3}} {
		res, err := s.Generate(context.Background(), "hello", scope.GenerateOptions{MaxTokens: 4, Sampling: p})
		if !errors.Is(err, scope.ErrBadConfig) || res != nil {
			t.Errorf("%+v: %v, %v; want ErrBadConfig", p, res, err)
		}
	}
	res, err := s.Generate(context.Background(), "hello", scope.GenerateOptions{MaxTokens: 4,
		Sampling: scope.Sampling{Temperature: 0.8, TopK: 40, TopP: 0.95, MinP: 0.05, RepeatPenalty: 1.1, Seed: 1}})
	if err != nil || len(res.Tokens) == 0 {
		t.Errorf("valid sampling: %v %v", res, err)
	}
}

// TestContinueRejectsBadSampling: Continue checks sampling values before evaluating text.
func TestContinueRejectsBadSampling(t *testing.T) {
	s := tinySession(t)
	p := scope.Sampling{Temperature: float32(math.NaN())}
	res, err := s.Continue(context.Background(), "hello", scope.GenerateOptions{MaxTokens: 4, Sampling: p})
	if !errors.Is(err, scope.ErrBadConfig) || res != nil || s.Pos() != 0 {
		t.Errorf("NaN temperature: %v, %v, position %d; want ErrBadConfig before any evaluation", res, err, s.Pos())
	}
}
