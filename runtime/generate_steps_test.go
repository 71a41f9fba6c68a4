package runtime_test

import (
	"context"
	"testing"

	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/quant"
	scope "github.com/scopekv/scope/runtime"
	kvpolicy "github.com/scopekv/scope/scope"
)

func openTiny(t *testing.T) *scope.Model {
	t.Helper()
	w, err := model.Synth(model.SynthOptions{Shape: "tiny", Type: quant.Q8_0, Seed: 5})
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

// generateT runs Generate with MaxTokens = T and insists that it stopped on the limit.
func generateT(t *testing.T, s *scope.Session, prompt string, T int) *scope.Result {
	t.Helper()
	res, err := s.Generate(context.Background(), prompt, scope.GenerateOptions{MaxTokens: T})
	if err != nil {
		t.Fatal(err)
	}
	if res.StopReason != "length" || len(res.Tokens) != T {
		t.Fatalf("stopped with %q after %d tokens, want length after %d", res.StopReason, len(res.Tokens), T)
	}
	return res
}

// TestGenerateRunsTMinusOnePasses: MaxTokens = T returns T tokens after T-1 decode passes
// (the last token is sampled, never evaluated), with or without a KV policy.
func TestGenerateRunsTMinusOnePasses(t *testing.T) {
	m := openTiny(t)
	const T = 40
	s, err := m.NewSession(scope.SessionOptions{ContextLen: 256})
	if err != nil {
		t.Fatal(err)
	}
	res := generateT(t, s, "abc", T)
	if want := res.PromptTokens + T - 1; s.Pos() != want {
		t.Errorf("full KV: session at position %d after %d tokens, want %d", s.Pos(), T, want)
	}
	cfg := kvpolicy.DefaultConfig()
	cfg.Decode, cfg.DecodeBudget, cfg.Recent = kvpolicy.DecodeSlide, 16, 4
	s, err = m.NewSession(scope.SessionOptions{ContextLen: 256, KV: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	res = generateT(t, s, "abc", T)
	if s.Pos() != res.PromptTokens+T-1 || res.KV.Steps != T-1 || len(res.KV.StepEntries) != T-1 {
		t.Errorf("policy cache: position %d, %d decode steps (%d step entries), want %d and %d",
			s.Pos(), res.KV.Steps, len(res.KV.StepEntries), res.PromptTokens+T-1, T-1)
	}
}

// TestGenerateMatchesSpecCounts: the §1.6 counts through Generate. Slide's first rebuild is
// at step D and it rebuilds T-D times (§1.6: T=4096, D=512 gives 512 and 3584); Adaptive
// and Discontinuous match a replay of the schedule over T-1 passes, and every policy's
// resident peak is P + the replay's peak decode entries.
func TestGenerateMatchesSpecCounts(t *testing.T) {
	m := openTiny(t)
	const T, D, R = 300, 48, 16
	for _, pol := range []kvpolicy.DecodePolicy{kvpolicy.DecodeSlide, kvpolicy.DecodeAdaptive, kvpolicy.DecodeDiscontinuous} {
		t.Run(pol.String(), func(t *testing.T) {
			cfg := kvpolicy.DefaultConfig()
			cfg.Decode, cfg.DecodeBudget, cfg.Recent = pol, D, R
			s, err := m.NewSession(scope.SessionOptions{ContextLen: 512, KV: &cfg})
			if err != nil {
				t.Fatal(err)
			}
			r := generateT(t, s, "Once upon a time", T).KV
			sched, err := kvpolicy.NewSchedule(cfg, T)
			if err != nil {
				t.Fatal(err)
			}
			first, rebuilds, peak := 0, 0, 0
			for range T - 1 {
				p := sched.Next()
				peak = max(peak, p.Entries)
				if p.Rebuild {
					rebuilds++
					if first == 0 {
						first = p.Step
					}
				}
			}
			if pol == kvpolicy.DecodeSlide && (first != D || rebuilds != T-D) {
				t.Fatalf("slide replay: first rebuild %d, %d rebuilds; want %d and %d", first, rebuilds, D, T-D)
			}
			if r.Steps != T-1 || r.FirstRebuild != first || r.Rebuilds != rebuilds || r.DecodeEntries != sched.Entries() ||
				r.PeakLayerEntries != r.PromptLen+peak {
				t.Errorf("report: steps %d, first rebuild %d, rebuilds %d, decode entries %d, peak %d; want %d, %d, %d, %d, %d",
					r.Steps, r.FirstRebuild, r.Rebuilds, r.DecodeEntries, r.PeakLayerEntries,
					T-1, first, rebuilds, sched.Entries(), r.PromptLen+peak)
			}
		})
	}
}
