package tests

import (
	"testing"

	"github.com/scopekv/scope/eval"
	"github.com/scopekv/scope/internal/testdata"
	scope "github.com/scopekv/scope/runtime"
	kvpolicy "github.com/scopekv/scope/scope"
)

func policyConfig(t *testing.T, prefill, decode string, d, r int) *kvpolicy.Config {
	t.Helper()
	c := kvpolicy.DefaultConfig()
	var err error
	if c.Prefill, err = kvpolicy.ParsePrefill(prefill); err != nil {
		t.Fatal(err)
	}
	if c.Decode, err = kvpolicy.ParseDecode(decode); err != nil {
		t.Fatal(err)
	}
	c.DecodeBudget, c.Recent = d, r
	return &c
}

func generateWith(t *testing.T, m *scope.Model, kv *kvpolicy.Config, prompt string, n int) (string, *scope.Result) {
	t.Helper()
	s, err := m.NewSession(scope.SessionOptions{ContextLen: 512, KV: kv})
	if err != nil {
		t.Fatal(err)
	}
	var text []byte
	res, err := s.Generate(t.Context(), prompt, scope.GenerateOptions{MaxTokens: n,
		Stream: func(s string) error { text = append(text, s...); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return string(text), res
}

// TestPoliciesWithoutEvictionMatchContiguous: with a decode budget larger than the output and
// the full prefill, no policy evicts anything, so every one must give the contiguous
// cache's tokens exactly (stories260K, 400 tokens, every backend).
func TestPoliciesWithoutEvictionMatchContiguous(t *testing.T) {
	path := testdata.Path(t, "gguf", "stories260K.gguf")
	for _, be := range backends(t) {
		t.Run(be, func(t *testing.T) {
			m := openModel(t, be, path)
			want, _ := generateWith(t, m, nil, "Once upon a time", 400)
			for _, d := range []string{"none", "slide", "adaptive", "discontinuous", "h2o", "streamingllm"} {
				got, res := generateWith(t, m, policyConfig(t, "full", d, 420, 16), "Once upon a time", 400)
				if got != want {
					t.Errorf("%s: text differs from the contiguous cache\n got %q\nwant %q", d, got, want)
				}
				if res.KV == nil || res.KV.Evictions != 0 {
					t.Errorf("%s: expected a report without evictions, got %+v", d, res.KV)
				}
			}
		})
	}
}

// TestSlideBoundsResidentEntries: stories260K, "Once upon a time", 480 tokens, full prefill,
// Slide D=64 R=16 (and Discontinuous with its +delta+1 peak). Every (layer, unit) holds at
// most prompt + D + 1 entries at every step, and compaction copies at most a few pages.
func TestSlideBoundsResidentEntries(t *testing.T) {
	path := testdata.Path(t, "gguf", "stories260K.gguf")
	m := openModel(t, "cpu", path)
	c := m.Config()
	for _, d := range []string{"slide", "discontinuous"} {
		_, res := generateWith(t, m, policyConfig(t, "full", d, 64, 16), "Once upon a time", 480)
		r := res.KV
		limit := r.PromptLen + 64 + 1
		if d == "discontinuous" {
			// Its budget grows like Adaptive's (R + (s-1)/delta, past D as in the reference)
			// and it refreshes only every delta+1 steps.
			limit = r.PromptLen + max(64, 16+(r.Steps-1)/r.Delta) + r.Delta + 1
		}
		units := c.NLayers * r.Units
		for step, e := range r.StepEntries {
			if e > units*limit {
				t.Errorf("%s step %d: %d entries over %d units > %d each", d, step+1, e, units, limit)
			}
		}
		if r.PeakLayerEntries > limit {
			t.Errorf("%s: peak layer entries %d > %d", d, r.PeakLayerEntries, limit)
		}
		if r.Evictions == 0 {
			t.Errorf("%s: nothing evicted over %d steps", d, r.Steps)
		}
		pageBytes := int64(r.PageSize) * r.SlotSize
		for l, ls := range r.Layers {
			if perStep := ls.BytesCopied / int64(max(r.Steps, 1)); perStep > 4*pageBytes*int64(r.Units) {
				t.Errorf("%s layer %d: %d bytes copied per step on average", d, l, perStep)
			}
		}
		t.Logf("%s: %d steps, peak layer entries %d (limit %d), rebuilds %d, evictions %d", d, r.Steps,
			r.PeakLayerEntries, limit, r.Rebuilds, r.Evictions)
	}
}

// TestBackendsMakeSameDecisions runs Slide on every backend and compares the keep/evict
// accounting and text with the scalar reference's. Ties are broken the same way everywhere
// (package scope: equal scores keep the older position), so the decisions may differ only
// where two backends' probabilities differ in rounding at a near tie.
func TestBackendsMakeSameDecisions(t *testing.T) {
	path := testdata.Path(t, "gguf", "stories260K.gguf")
	kv := policyConfig(t, "full", "slide", 64, 16)
	wantText, want := generateWith(t, openModel(t, "ref", path), kv, "Once upon a time", 300)
	for _, be := range backends(t) {
		if be == "ref" {
			continue
		}
		t.Run(be, func(t *testing.T) {
			got, res := generateWith(t, openModel(t, be, path), kv, "Once upon a time", 300)
			if got != wantText {
				t.Errorf("text differs from the reference backend\n got %q\nwant %q", got, wantText)
			}
			if res.KV.Evictions != want.KV.Evictions || res.KV.Rebuilds != want.KV.Rebuilds {
				t.Errorf("evictions/rebuilds %d/%d, reference %d/%d", res.KV.Evictions, res.KV.Rebuilds,
					want.KV.Evictions, want.KV.Rebuilds)
			}
			if len(res.KV.StepEntries) != len(want.KV.StepEntries) || res.KV.Steps != want.KV.Steps {
				t.Fatalf("%d steps with %d entry counts, reference %d with %d", res.KV.Steps,
					len(res.KV.StepEntries), want.KV.Steps, len(want.KV.StepEntries))
			}
			for i := range want.KV.StepEntries {
				if res.KV.StepEntries[i] != want.KV.StepEntries[i] {
					t.Fatalf("step %d: %d entries, reference %d", i+1, res.KV.StepEntries[i], want.KV.StepEntries[i])
				}
			}
		})
	}
}

// TestFaithfulGQA runs the faithful GQA mode (a unit per query head, each with its own copy
// of its KV head's entries) on a GQA model: without evictions it must give the contiguous
// cache's tokens, and with Slide it must bound every unit like group mode does.
func TestFaithfulGQA(t *testing.T) {
	path := testdata.Path(t, "recall", "recall.gguf") // 4 heads over 2 KV heads
	for _, be := range backends(t) {
		t.Run(be, func(t *testing.T) {
			m := openModel(t, be, path)
			prompt := "recall:丄\n丂갅\n一갱\n丄갢\n七갡\n丁갵\n=\n"
			want, _ := generateWith(t, m, nil, prompt, 24)
			c := policyConfig(t, "full", "none", 64, 16)
			c.GQA = kvpolicy.GQAFaithful
			got, res := generateWith(t, m, c, prompt, 24)
			if got != want || res.KV.Units != 4 {
				t.Errorf("faithful without eviction: %q (units %d), want %q", got, res.KV.Units, want)
			}
			c = policyConfig(t, "full", "slide", 8, 4)
			c.GQA = kvpolicy.GQAFaithful
			_, res = generateWith(t, m, c, prompt, 24)
			if res.KV.PeakLayerEntries > res.KV.PromptLen+8+1 || res.KV.Evictions == 0 {
				t.Errorf("faithful slide: peak %d entries, %d evictions", res.KV.PeakLayerEntries, res.KV.Evictions)
			}
		})
	}
}

// TestCompactionOnEveryBackend: SnapKV prefill drops prompt entries and compacts the
// layer's pages (slot copies through KVCopy/KVSetPos), then Slide evicts decoded entries;
// every backend must produce the reference backend's text and accounting.
func TestCompactionOnEveryBackend(t *testing.T) {
	path := testdata.Path(t, "recall", "recall.gguf")
	tasks, err := eval.LoadRecall(testdata.Path(t, "recall", "recall_k32.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	kv := policyConfig(t, "snapkv", "slide", 48, 16)
	kv.PrefillBudget = 64
	wantText, want := generateWith(t, openModel(t, "ref", path), kv, tasks[0].Prompt, 100)
	var copied int64
	for _, l := range want.KV.Layers {
		copied += l.BytesCopied
	}
	if copied == 0 || want.KV.Evictions == 0 {
		t.Fatalf("expected compaction copies and evictions, got %d bytes copied, %d evictions", copied, want.KV.Evictions)
	}
	for _, be := range backends(t) {
		if be == "ref" {
			continue
		}
		t.Run(be, func(t *testing.T) {
			got, res := generateWith(t, openModel(t, be, path), kv, tasks[0].Prompt, 100)
			if got != wantText || res.KV.Evictions != want.KV.Evictions {
				t.Errorf("text or evictions differ from the reference backend\n got %q (%d)\nwant %q (%d)",
					got, res.KV.Evictions, wantText, want.KV.Evictions)
			}
		})
	}
}
