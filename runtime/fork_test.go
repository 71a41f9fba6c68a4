package runtime_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/quant"
	scope "github.com/scopekv/scope/runtime"
	kvpolicy "github.com/scopekv/scope/scope"
)

// TestForkSharesPrompt evaluates a prompt once, forks the session, and checks that both
// branches continue exactly like a session that evaluated everything itself, while a
// branch's evictions do not disturb the other branch.
func TestForkSharesPrompt(t *testing.T) {
	// F32 weights: with quantised ones the CPU backend quantises activations to Q8, and a
	// rounding-level change of the attention order can move a quantisation step.
	w, err := model.Synth(model.SynthOptions{Shape: "tiny", Type: quant.F32, Seed: 2})
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
	defer m.Close()
	cfg := kvpolicy.DefaultConfig()
	cfg.Decode, cfg.DecodeBudget, cfg.Recent = kvpolicy.DecodeSlide, 12, 4
	ctx := context.Background()
	prompt := []int32{1, 300, 301, 302, 303, 304, 305, 306, 307, 308}
	run := func(s *scope.Session, toks []int32) [][]float32 {
		var out [][]float32
		for _, tk := range toks {
			l, err := s.Eval(ctx, []int32{tk})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, slices.Clone(l))
		}
		return out
	}
	a := []int32{400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 419}
	b := []int32{450, 451, 452, 453, 454, 455, 456, 457, 458, 459, 460, 461, 462, 463, 464, 465, 466, 467, 468, 469}
	want := map[string][][]float32{}
	for name, toks := range map[string][]int32{"a": a, "b": b} {
		s, err := m.NewSession(scope.SessionOptions{ContextLen: 64, KV: &cfg})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Eval(ctx, prompt); err != nil {
			t.Fatal(err)
		}
		want[name] = run(s, toks)
	}
	s, err := m.NewSession(scope.SessionOptions{ContextLen: 64, KV: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Fork(); !errors.Is(err, scope.ErrBadConfig) {
		t.Errorf("fork before the prompt: %v", err)
	}
	if _, err := s.Eval(ctx, prompt); err != nil {
		t.Fatal(err)
	}
	f, err := s.Fork()
	if err != nil {
		t.Fatal(err)
	}
	gotA, gotB := run(s, a[:10]), run(f, b[:10])
	gotA = append(gotA, run(s, a[10:])...)
	gotB = append(gotB, run(f, b[10:])...)
	// A branch's new tokens go to fresh pages (shared pages are never appended to), so
	// attention sums its terms in another order: equal up to rounding.
	for i := range a {
		if d := maxDiff(gotA[i], want["a"][i]); d > 1e-4 {
			t.Fatalf("step %d: the original branch differs by %g from its own session", i, d)
		}
		if d := maxDiff(gotB[i], want["b"][i]); d > 1e-4 {
			t.Fatalf("step %d: the forked branch differs by %g from its own session", i, d)
		}
	}
}

func maxDiff(a, b []float32) float64 {
	var d float64
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// TestOutOfPages: a KV pool too small for the request fails with ErrOutOfPages.
func TestOutOfPages(t *testing.T) {
	m, err := scope.Open(exampleModel(), scope.Config{Backend: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	cfg := kvpolicy.DefaultConfig()
	s, err := m.NewSession(scope.SessionOptions{ContextLen: 256, KV: &cfg, KVMemory: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Generate(context.Background(), "a prompt that needs more pages than the pool holds, surely",
		scope.GenerateOptions{MaxTokens: 200})
	if !errors.Is(err, scope.ErrOutOfPages) {
		t.Errorf("got %v, want ErrOutOfPages", err)
	}
}
