package run

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/scopekv/scope/eval"
	"github.com/scopekv/scope/eval/plot"
	"github.com/scopekv/scope/runtime"
)

// SurvivalPoints is how many decode steps of each recall prompt are probed for the share
// of prefill entries still resident (claim C3a).
const SurvivalPoints = 32

// RecallOutput returns T for a recall task: K lines of key, value and newline, then the end
// of text (3K+1 tokens).
func RecallOutput(k int) int { return 3*k + 1 }

// KVSummary is the accounting of one configuration, averaged over its prompts.
type KVSummary struct {
	Delta       int     `json:"delta,omitempty"`
	Period      int     `json:"refresh_period,omitempty"`
	PrefillKept float64 `json:"prefill_kept"` // mean P_l
	// PeakDecode and MeanDecode are the decode entries resident per (layer, unit) beyond
	// the prompt's P_l (the new token included): the peak over the steps and their mean.
	PeakDecode float64 `json:"peak_decode_entries"`
	MeanDecode float64 `json:"mean_decode_entries"`
	Units      int     `json:"units_per_layer,omitempty"` // KV heads (group) or query heads (faithful)
	// PeakBytes is the most KV bytes the sequence held: every layer and unit at P_l plus
	// the peak decode entries, times the bytes of one entry (K, V and its position).
	PeakBytes        float64 `json:"peak_bytes"`
	PeakLayerEntries float64 `json:"peak_layer_entries"` // P_l + peak decode entries, per KV head
	MeanEntries      float64 `json:"mean_entries"`       // attended entries per layer and KV head, mean over steps
	Rebuilds         float64 `json:"rebuilds"`           // selection runs per layer
	EvictingRebuilds float64 `json:"evicting_rebuilds"`
	Evictions        float64 `json:"evictions"`    // entries freed, all layers and heads
	BytesCopied      float64 `json:"bytes_copied"` // by compaction, all layers
	SlotsCompacted   float64 `json:"slots_compacted"`
}

// Timing holds the measured speeds, which vary between runs (kept apart from the
// deterministic results).
type Timing struct {
	GenTokensPerSec float64 `json:"gen_tokens_per_sec"`
	Seconds         float64 `json:"seconds"`
}

// RecallRun is one spec's result on a recall set.
type RecallRun struct {
	Spec        Spec       `json:"spec"`
	Budget      Budget     `json:"budget"` // of the first prompt (recall prompts of a set have one length)
	Accuracy    float64    `json:"accuracy"`
	PerPrompt   []float64  `json:"per_prompt"`
	PerPosition []float64  `json:"per_position"` // accuracy of answer line i over the prompts
	Thirds      [3]float64 `json:"thirds"`       // early, middle, late answer lines
	GenTokens   int        `json:"gen_tokens"`
	KV          KVSummary  `json:"kv"`
	// StepEntries is the attended entries per layer and KV head at each decode step, averaged
	// over the prompts that reached the step: the memory curve of claim C8.
	StepEntries []float64 `json:"step_entries"`
	// SurvivalSteps and Survival are the share of the prefill entries still resident at
	// sampled decode steps, relative to step 1 (claim C3a).
	SurvivalSteps []int     `json:"survival_steps"`
	Survival      []float64 `json:"survival"`
	Timing        Timing    `json:"timing"`
}

// RunRecall runs one spec over recall tasks (greedy, T = 3K+1 new tokens) and scores the
// outputs by line position.
func RunRecall(ctx context.Context, m *runtime.Model, spec Spec, tasks []eval.RecallTask) (RecallRun, error) {
	out := RecallRun{Spec: spec}
	if len(tasks) == 0 {
		return out, fmt.Errorf("%w: no recall tasks", ErrInput)
	}
	acc := newRecallAcc()
	var genTime time.Duration
	for i, t := range tasks {
		r, err := runRecallTask(ctx, m, spec, t)
		if err != nil {
			return out, fmt.Errorf("%s, prompt %d: %w", spec.Name, i, err)
		}
		if i == 0 {
			out.Budget = r.budget
		}
		acc.add(r)
		genTime += r.res.GenerateTime
	}
	acc.fill(&out)
	out.Timing = Timing{Seconds: genTime.Seconds()}
	if genTime > 0 {
		out.Timing.GenTokensPerSec = float64(out.GenTokens) / genTime.Seconds()
	}
	return out, nil
}

type recallTaskResult struct {
	budget   Budget
	res      *runtime.Result
	matches  []bool
	survival *survival
}

func runRecallTask(ctx context.Context, m *runtime.Model, spec Spec, t eval.RecallTask) (recallTaskResult, error) {
	n := len(m.Tokenizer().Encode(t.Prompt, true, false))
	T := RecallOutput(t.K)
	cfg, b, err := spec.ConfigLayers(n, T, m.Config().NLayers)
	if err != nil {
		return recallTaskResult{}, err
	}
	s, err := m.NewSession(runtime.SessionOptions{KV: &cfg, ContextLen: n + T, MaxPromptTokens: n})
	if err != nil {
		return recallTaskResult{}, err
	}
	defer s.Close()
	sv := newSurvival(T)
	s.SetProbe(&runtime.Probe{Steps: sv.steps, Fn: sv.observe})
	res, err := s.Generate(ctx, t.Prompt, runtime.GenerateOptions{MaxTokens: T})
	if err != nil {
		return recallTaskResult{}, err
	}
	return recallTaskResult{budget: b, res: res, matches: eval.RecallMatches(res.Text, t.Answers), survival: sv}, nil
}

// recallAcc sums per-prompt results.
type recallAcc struct {
	n         int
	posHits   []int
	perPrompt []float64
	gen       int
	kv        kvAcc
	survSteps []int
	survSum   []float64
	survCount []int
}

func newRecallAcc() *recallAcc { return &recallAcc{} }

func (a *recallAcc) add(r recallTaskResult) {
	a.n++
	hits := 0
	for i, ok := range r.matches {
		if i == len(a.posHits) {
			a.posHits = append(a.posHits, 0)
		}
		if ok {
			a.posHits[i]++
			hits++
		}
	}
	if len(r.matches) > 0 {
		a.perPrompt = append(a.perPrompt, float64(hits)/float64(len(r.matches)))
	} else {
		a.perPrompt = append(a.perPrompt, 0)
	}
	a.gen += len(r.res.Tokens)
	if rep := r.res.KV; rep != nil {
		a.kv.add(rep)
	}
	a.addSurvival(r.survival)
}

func (a *recallAcc) addSurvival(sv *survival) {
	steps, frac := sv.curve()
	for i, st := range steps {
		j := indexOf(a.survSteps, st)
		if j < 0 {
			a.survSteps, a.survSum, a.survCount = append(a.survSteps, st), append(a.survSum, 0), append(a.survCount, 0)
			j = len(a.survSteps) - 1
		}
		a.survSum[j] += frac[i]
		a.survCount[j]++
	}
}

func (a *recallAcc) fill(out *RecallRun) {
	n := float64(max(a.n, 1))
	out.PerPrompt = a.perPrompt
	out.Accuracy = mean64(a.perPrompt)
	out.PerPosition = make([]float64, len(a.posHits))
	for i, h := range a.posHits {
		out.PerPosition[i] = float64(h) / n
	}
	out.Thirds = plot.Thirds(out.PerPosition)
	for i, v := range out.Thirds {
		if math.IsNaN(v) {
			out.Thirds[i] = -1 // an empty third (K < 3); JSON has no NaN
		}
	}
	out.GenTokens = a.gen
	out.KV, out.StepEntries = a.kv.summary(), a.kv.steps()
	out.SurvivalSteps = a.survSteps
	out.Survival = make([]float64, len(a.survSum))
	for i := range a.survSum {
		out.Survival[i] = a.survSum[i] / float64(a.survCount[i])
	}
}

func mean64(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func indexOf(v []int, x int) int {
	for i, y := range v {
		if y == x {
			return i
		}
	}
	return -1
}
