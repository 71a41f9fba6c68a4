package tests

import (
	"context"
	"slices"
	"testing"

	"github.com/scopekv/scope/model/quant"
	scope "github.com/scopekv/scope/runtime"
	kvpolicy "github.com/scopekv/scope/scope"
)

// batchCase is one sequence of the batched run: its KV policy, prompt length, new tokens
// and the step it joins at.
type batchCase struct {
	name   string
	kv     *kvpolicy.Config
	prompt int
	maxNew int
	join   int
}

func batchCases() []batchCase {
	slide := kvpolicy.DefaultConfig()
	slide.Decode, slide.DecodeBudget, slide.Recent = kvpolicy.DecodeSlide, 12, 4
	snap := kvpolicy.DefaultConfig()
	snap.Prefill, snap.PrefillBudget, snap.Window = kvpolicy.PrefillSnapKV, 16, 4
	snap.Decode, snap.DecodeBudget, snap.Recent = kvpolicy.DecodeAdaptive, 12, 4
	disc := kvpolicy.DefaultConfig()
	disc.Decode, disc.DecodeBudget, disc.Recent = kvpolicy.DecodeDiscontinuous, 12, 4
	return []batchCase{
		{"full", nil, 37, 30, 0},
		{"slide", &slide, 23, 40, 0},
		{"snapkv+adaptive", &snap, 51, 25, 3},
		{"discontinuous", &disc, 9, 35, 6},
		{"full short", nil, 3, 12, 8},
	}
}

func batchPrompt(n, seed int) []int32 {
	ids := make([]int32, n)
	for i := range ids {
		ids[i] = int32(1 + (i*7+seed*13)%250)
	}
	return ids
}

// TestBatchMatchesSingleRuns: sequences with different KV policies, prompt lengths and
// start steps share one Batch (one KV pool, one forward pass per step); with greedy
// sampling each produces exactly the tokens of its request run alone, on every backend, and
// every page returns to the pool.
func TestBatchMatchesSingleRuns(t *testing.T) {
	path := synthModel(t, "tiny", quant.Q8_0)
	for _, be := range backends(t) {
		t.Run(be, func(t *testing.T) {
			m := openModel(t, be, path)
			cases := batchCases()
			got := batchGreedy(t, m, cases)
			for i, c := range cases {
				want := aloneGreedy(t, m, c, batchPrompt(c.prompt, i))
				if !slices.Equal(got[i], want) {
					t.Errorf("%s: batched %v\nalone %v", c.name, got[i], want)
				}
			}
		})
	}
}

func argmax(x []float32) int32 {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return int32(best)
}

// aloneGreedy runs one request in a session of its own.
func aloneGreedy(t *testing.T, m *scope.Model, c batchCase, prompt []int32) []int32 {
	t.Helper()
	s, err := m.NewSession(scope.SessionOptions{ContextLen: 256, KV: c.kv})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	logits, err := s.Prefill(ctx, prompt, c.maxNew)
	if err != nil {
		t.Fatal(err)
	}
	var out []int32
	for len(out) < c.maxNew {
		tok := argmax(logits)
		out = append(out, tok)
		if len(out) == c.maxNew {
			break
		}
		if logits, err = s.Eval(ctx, []int32{tok}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// batchGreedy runs every case in one Batch, each joining at its step.
func batchGreedy(t *testing.T, m *scope.Model, cases []batchCase) [][]int32 {
	t.Helper()
	prompts := make([][]int32, len(cases))
	for i, c := range cases {
		prompts[i] = batchPrompt(c.prompt, i)
	}
	out, _ := batchGreedyPrompts(t, m, cases, prompts)
	return out
}

// batchGreedyPrompts is batchGreedy with the prompts given; it also returns the prompt
// tokens each case shared with another sequence.
func batchGreedyPrompts(t *testing.T, m *scope.Model, cases []batchCase, prompts [][]int32) ([][]int32, []int) {
	t.Helper()
	b, err := m.NewBatch(scope.BatchOptions{ContextLen: 256, KVMemory: 2 << 20, StepTokens: 32, Seqs: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	_, total := b.Pages()
	out := make([][]int32, len(cases))
	shared := make([]int, len(cases))
	pending := make([]bool, len(cases))
	pendingSteps := 0
	sess := make([]*scope.Session, len(cases))
	for i, c := range cases {
		if sess[i], err = b.NewSession(c.kv); err != nil {
			t.Fatal(err)
		}
	}
	for step := 0; ; step++ {
		var items []scope.BatchItem
		var who []int
		for i, c := range cases {
			switch {
			case step == c.join:
				items = append(items, scope.BatchItem{Session: sess[i], Tokens: prompts[i], Prefill: true, MaxNew: c.maxNew})
			case step > c.join && pending[i]: // the rest of its prompt
				items = append(items, scope.BatchItem{Session: sess[i]})
			case step > c.join && len(out[i]) < c.maxNew:
				items = append(items, scope.BatchItem{Session: sess[i], Tokens: out[i][len(out[i])-1:]})
			default:
				continue
			}
			who = append(who, i)
		}
		if len(items) == 0 && step > 8 {
			break
		}
		if err := b.Step(context.Background(), items); err != nil {
			t.Fatal(err)
		}
		for j, it := range items {
			i := who[j]
			if it.Err != nil {
				t.Fatalf("%s at step %d: %v", cases[i].name, step, it.Err)
			}
			shared[i] += it.Shared
			if pending[i] = it.Pending; it.Pending {
				pendingSteps++
				continue
			}
			out[i] = append(out[i], argmax(it.Logits))
			if len(out[i]) == cases[i].maxNew {
				sess[i].Close()
			}
		}
	}
	if pendingSteps == 0 {
		t.Error("no prompt was taken in chunks over several steps")
	}
	if used, _ := b.Pages(); used != 0 {
		t.Errorf("%d of %d pages still used after every sequence closed", used, total)
	}
	return out, shared
}

// TestBatchSharesPromptPrefix: a prompt that begins like a running sequence's prompt takes
// its leading full pages instead of computing them, and both sequences still produce the
// tokens of their requests run alone (the second one with a Slide policy over full
// prefill, so its decode evictions touch only its own pages).
func TestBatchSharesPromptPrefix(t *testing.T) {
	path := synthModel(t, "tiny", quant.Q8_0)
	for _, be := range backends(t) {
		t.Run(be, func(t *testing.T) {
			m := openModel(t, be, path)
			slide := kvpolicy.DefaultConfig()
			slide.Decode, slide.DecodeBudget, slide.Recent = kvpolicy.DecodeSlide, 12, 4
			long := batchPrompt(50, 1)
			branch := append(append([]int32(nil), long[:45]...), batchPrompt(9, 2)...)
			cases := []batchCase{{"donor", nil, len(long), 30, 0}, {"branch", &slide, len(branch), 25, 3}}
			prompts := [][]int32{long, branch}
			got, shared := batchGreedyPrompts(t, m, cases, prompts)
			if shared[1] != 32 { // two full 16-slot pages of the 45 common tokens
				t.Errorf("branch shared %d prompt tokens, want 32", shared[1])
			}
			for i, c := range cases {
				if want := aloneGreedy(t, m, c, prompts[i]); !slices.Equal(got[i], want) {
					t.Errorf("%s: batched %v\nalone %v", c.name, got[i], want)
				}
			}
		})
	}
}
