package run

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/scopekv/scope/eval"
	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/quant"
	"github.com/scopekv/scope/runtime"
)

// synthModel writes a tiny random-weight model (3 layers, GQA) and returns its path.
func synthModel(t *testing.T) string {
	t.Helper()
	w, err := model.Synth(model.SynthOptions{Shape: "tiny", Type: quant.F32, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tiny.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// recallSet writes a generated recall set of n prompts with k records.
func recallSet(t *testing.T, k, n int) string {
	t.Helper()
	tasks, err := eval.GenerateRecall(k, n, 3)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "recall.jsonl")
	if err := eval.SaveRecall(path, tasks); err != nil {
		t.Fatal(err)
	}
	return path
}

// smallGrid has one method or policy of each kind.
func smallGrid() Grid {
	return Grid{PrefillMethods: []string{"snapkv"}, PrefillRatios: []float64{0.5},
		DecodePolicies: []string{"slide", "discontinuous", "h2o"}, DecodeRatios: []float64{0.25},
		Recents: []int{2}, Plugins: []Pair{{"h2o", "slide"}}, PluginRatio: 0.6, PluginRecent: 2}
}

// TestSweepRecallSynthetic runs a tiny sweep end to end and checks its accounting: the
// memory curves, budgets, survival and refresh counts follow from the policies.
func TestSweepRecallSynthetic(t *testing.T) {
	opts := RecallSweepOptions{Models: []string{synthModel(t)}, Sets: []string{recallSet(t, 5, 2)}, Grid: smallGrid()}
	sw, err := SweepRecall(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(sw.Sets) != 1 || len(sw.Sets[0].Runs) != 6 {
		t.Fatalf("got %d sets, %d runs; want 1 set of 6 runs", len(sw.Sets), len(sw.Sets[0].Runs))
	}
	set := sw.Sets[0]
	full, slide, unified := set.Run("full"), set.Run("slide D=1/4 R=2"), set.Run("h2o-unified D=1/4 R=2")
	if full == nil || slide == nil || unified == nil {
		t.Fatalf("missing runs in %v", set.Runs)
	}
	n, T := set.PromptLen, set.OutputLen
	if T != 16 || slide.Budget.D != 4 || slide.Budget.Total != n+4 {
		t.Fatalf("T %d, slide budget %+v; want T 16, D 4, total %d", T, slide.Budget, n+4)
	}
	for _, r := range set.Runs {
		if len(r.PerPrompt) != 2 || r.Accuracy < 0 || r.Accuracy > 1 || len(r.PerPosition) != 5 {
			t.Errorf("%s: per prompt %v, accuracy %g, %d positions", r.Spec.Name, r.PerPrompt, r.Accuracy, len(r.PerPosition))
		}
	}
	// The full cache grows by one entry per step; Slide never attends more than N + D + 1.
	if len(full.StepEntries) == 0 || full.StepEntries[0] != float64(n+1) {
		t.Errorf("full step entries %v, want to start at %d", full.StepEntries, n+1)
	}
	for i, e := range slide.StepEntries {
		if e > float64(n+slide.Budget.D+1)+1e-9 {
			t.Errorf("slide step %d attends %g entries, more than N+D+1 = %d", i+1, e, n+slide.Budget.D+1)
		}
	}
	if full.KV.Rebuilds != 0 || slide.KV.Rebuilds == 0 {
		t.Errorf("rebuilds: full %g, slide %g; want 0 and > 0", full.KV.Rebuilds, slide.KV.Rebuilds)
	}
	if full.KV.Evictions != 0 || slide.KV.Evictions == 0 {
		t.Errorf("evictions: full %g, slide %g; want 0 and > 0", full.KV.Evictions, slide.KV.Evictions)
	}
	// Slide never evicts prompt entries; the unified baseline is allowed to.
	for i, s := range slide.Survival {
		if math.Abs(s-1) > 1e-12 {
			t.Errorf("slide: prefill survival %g at step %d, want 1", s, slide.SurvivalSteps[i])
		}
	}
	if len(unified.Survival) == 0 || unified.Survival[0] != 1 {
		t.Errorf("unified survival %v, want to start at 1", unified.Survival)
	}
}

// TestSweepDeterministic runs the same sweep twice, with different worker counts, and
// expects the same JSON apart from timings.
func TestSweepDeterministic(t *testing.T) {
	opts := RecallSweepOptions{Models: []string{synthModel(t)}, Sets: []string{recallSet(t, 4, 1)}, Grid: smallGrid()}
	var out [][]byte
	for _, workers := range []int{1, 2} {
		opts.Workers = workers
		sw, err := SweepRecall(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		b, err := WithoutTiming(sw)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(`"timing"`)) {
			t.Fatal("WithoutTiming left a timing field")
		}
		out = append(out, b)
	}
	if !bytes.Equal(out[0], out[1]) {
		t.Errorf("two runs differ:\n%s\n%s", out[0], out[1])
	}
}

// TestFidelitySynthetic checks that the full cache agrees with itself and that a small
// decode budget on a random model is measured, within the bounds of the metrics.
func TestFidelitySynthetic(t *testing.T) {
	g := Grid{DecodePolicies: []string{"slide"}, DecodeRatios: []float64{0.25}, Recents: []int{3}}
	sw, err := SweepFidelity(context.Background(), FidelitySweepOptions{Model: synthModel(t),
		Prompts: []string{"abc def", "hello there, probe"}, Fidelity: FidelityOptions{MaxTokens: 24, IgnoreEOS: true}, Grid: g})
	if err != nil {
		t.Fatal(err)
	}
	full, slide := sw.Run("full"), sw.Run("slide D=1/4 R=3")
	if full == nil || slide == nil {
		t.Fatalf("runs %v", sw.Runs)
	}
	if full.Agreement != 1 || full.Prefix != 24 || full.MeanKL > 1e-6 || full.ForcedTop1 != 1 {
		t.Errorf("full vs itself: agreement %g, prefix %g, KL %g, top1 %g", full.Agreement, full.Prefix, full.MeanKL, full.ForcedTop1)
	}
	if len(slide.KLCurve) != 24 || slide.MeanKL < 0 || slide.Agreement < 0 || slide.Agreement > 1 {
		t.Errorf("slide: %d KL steps, KL %g, agreement %g", len(slide.KLCurve), slide.MeanKL, slide.Agreement)
	}
	// Before the decode region fills (D = 6 entries) nothing is evicted: KL is ~0. After it,
	// Slide evicts, stays within its budget, and the distributions move away from the full
	// cache's.
	for i := range 5 {
		if slide.KLCurve[i] > 1e-6 {
			t.Errorf("slide KL at step %d = %g before any eviction", i, slide.KLCurve[i])
		}
	}
	if full.KV.Evictions != 0 || slide.KV.Evictions == 0 {
		t.Errorf("evictions: full %g, slide %g; want 0 and > 0", full.KV.Evictions, slide.KV.Evictions)
	}
	if peak := slide.KV.PeakLayerEntries - slide.KV.PrefillKept; peak > float64(slide.Budget.D+1) {
		t.Errorf("slide attends %g decode entries per head at its peak, budget D+1 = %d", peak, slide.Budget.D+1)
	}
	if slide.MaxKL <= 1e-6 {
		t.Errorf("slide max KL %g: evicting changed no distribution", slide.MaxKL)
	}
}

// TestRecallModelSanity checks the runner against the trained recall model: the full cache
// recalls a short set exactly, and unified H2O at a small total budget loses answers.
func TestRecallModelSanity(t *testing.T) {
	mp := testdata.Path(t, "recall", "recall.gguf")
	set := recallSet(t, 24, 2)
	g := Grid{DecodePolicies: []string{"slide", "h2o"}, DecodeRatios: []float64{0.25}, Recents: []int{8}}
	sw, err := SweepRecall(context.Background(), RecallSweepOptions{Models: []string{mp}, Sets: []string{set}, Grid: g})
	if err != nil {
		t.Fatal(err)
	}
	s := sw.Sets[0]
	full, slide, unified := s.Run("full"), s.Run("slide D=1/4 R=8"), s.Run("h2o-unified D=1/4 R=8")
	if full.Accuracy != 1 {
		t.Errorf("full cache accuracy %g on K=24, want 1", full.Accuracy)
	}
	if slide.Accuracy < unified.Accuracy {
		t.Errorf("slide %g below unified H2O %g at the same total budget", slide.Accuracy, unified.Accuracy)
	}
	if unified.Survival[len(unified.Survival)-1] >= 1 {
		t.Errorf("unified H2O kept every prefill entry: %v", unified.Survival)
	}
}

// TestChartsWritten draws every chart of a small sweep and of the drift probe.
func TestChartsWritten(t *testing.T) {
	mp := synthModel(t)
	g := smallGrid()
	sw, err := SweepRecall(context.Background(), RecallSweepOptions{Models: []string{mp}, Sets: []string{recallSet(t, 5, 1)}, Grid: g})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bases, err := RecallCharts(&sw.Sets[0], g, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(bases) != 7 {
		t.Errorf("wrote %d charts, want 7: %v", len(bases), bases)
	}
	summary, err := SweepCharts(sw, dir)
	if err != nil {
		t.Fatal(err)
	}
	bases = append(bases, summary)
	for _, b := range bases {
		for _, ext := range []string{".png", ".svg"} {
			if st, err := os.Stat(b + ext); err != nil || st.Size() == 0 {
				t.Errorf("%s%s: %v", b, ext, err)
			}
		}
	}
}

// TestRunDrift probes a tiny model with the full cache: the top set has round(15%) of
// the resident keys, overlaps fully with itself at step 1, and fractions stay in [0, 1].
func TestRunDrift(t *testing.T) {
	m, err := runtime.Open(synthModel(t), runtime.Config{Backend: "cpu", Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	d, err := RunDrift(context.Background(), m, []string{"once upon a time there was"}, DriftOptions{MaxTokens: 40, Steps: []int{9, 33}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Layers) != 3 || d.Layers[0].Layer != 0 || d.Layers[2].Layer != 2 {
		t.Fatalf("layers %+v, want 0, 1, 2", d.Layers)
	}
	n := d.PromptLens[0]
	for _, l := range d.Layers {
		if len(l.Steps) != 3 || l.Steps[0] != 1 || l.Overlap[0] != 1 {
			t.Fatalf("layer %d: steps %v overlap %v; want step 1 added with overlap 1", l.Layer, l.Steps, l.Overlap)
		}
		for i, st := range l.Steps {
			if want := math.Round(0.15 * float64(n+st)); l.TopKeys[i] != max(1, want) {
				t.Errorf("layer %d step %d: %g top keys, want %g", l.Layer, st, l.TopKeys[i], want)
			}
			if f := l.DecodedFraction[i]; f < 0 || f > 1 || l.Overlap[i] < 0 || l.Overlap[i] > 1 {
				t.Errorf("layer %d step %d: fraction %g overlap %g", l.Layer, st, f, l.Overlap[i])
			}
		}
	}
	if err := DriftChart(d, "tiny", filepath.Join(t.TempDir(), "drift")); err != nil {
		t.Fatal(err)
	}
}
