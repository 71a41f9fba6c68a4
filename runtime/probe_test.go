package runtime_test

import (
	"context"
	"math"
	"testing"

	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/quant"
	scope "github.com/scopekv/scope/runtime"
	kvpolicy "github.com/scopekv/scope/scope"
)

// TestProbe checks that probed steps report, per head, probabilities over the live slots
// that sum to one, with the positions of the prompt and of the decoded tokens so far.
func TestProbe(t *testing.T) {
	w, err := model.Synth(model.SynthOptions{Shape: "tiny", Type: quant.F32, Seed: 5})
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
	slide := kvpolicy.DefaultConfig()
	slide.Decode, slide.DecodeBudget, slide.Recent = kvpolicy.DecodeSlide, 8, 4
	for _, kv := range []*kvpolicy.Config{nil, &slide} {
		s, err := m.NewSession(scope.SessionOptions{ContextLen: 128, KV: kv})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int]bool{}
		s.SetProbe(&scope.Probe{Steps: []int{1, 10}, Layers: []int{0, 2}, Fn: func(p scope.ProbeSample) error {
			seen[p.Step*10+p.Layer] = true
			for h := 0; h < p.Heads; h++ {
				var sum float64
				live, maxPos := 0, int32(-1)
				for i := 0; i < p.Cols; i++ {
					pos := p.Positions[h*p.Cols+i]
					if pos < 0 {
						continue
					}
					live++
					maxPos = max(maxPos, pos)
					sum += float64(p.Probs[h*p.Cols+i])
				}
				if math.Abs(sum-1) > 1e-4 || int(maxPos) != p.PromptLen+p.Step-1 {
					t.Fatalf("kv %v step %d layer %d head %d: probabilities sum to %g, newest position %d",
						kv != nil, p.Step, p.Layer, h, sum, maxPos)
				}
				if kv == nil && live != p.PromptLen+p.Step {
					t.Fatalf("step %d: %d live slots, want %d", p.Step, live, p.PromptLen+p.Step)
				}
			}
			return nil
		}})
		if _, err := s.Generate(context.Background(), "hello probe", scope.GenerateOptions{MaxTokens: 12}); err != nil {
			t.Fatal(err)
		}
		if len(seen) != 4 {
			t.Errorf("kv %v: probe saw %v, want steps 1 and 10 in layers 0 and 2", kv != nil, seen)
		}
	}
}
