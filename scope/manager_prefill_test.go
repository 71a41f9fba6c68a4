package scope

import (
	"errors"
	"slices"
	"testing"
)

// prefillCase runs a 40-token prompt (page size 5, chunks of 7) through one prefill method
// and returns the kept positions of every (layer, unit).
func prefillCase(t *testing.T, cfg Config, shape Shape, score func(h, j int) float32) (*driver, [][]int32) {
	t.Helper()
	cfg.PageSize = 5
	d := newDriver(t, cfg, shape, 200, 10)
	d.promptPad = 3 // rows as wide as a table of 43 slots: only the layout matters
	d.prompt(40, 7, score)
	if _, err := d.m.Begin(40); err != nil { // finishes the prefill of score-free methods
		t.Fatalf("Begin: %v", err)
	}
	defer func() {
		if err := d.m.End(); err != nil {
			t.Fatalf("End: %v", err)
		}
	}()
	units := shape.Units(cfg.GQA)
	var kept [][]int32
	for l := range shape.Layers {
		for u := range units {
			var ps []int32
			for _, p := range sortedKeys(d.resident(l, u)) {
				if p < 40 {
					ps = append(ps, p)
				}
			}
			kept = append(kept, ps)
			if len(ps) != d.m.PrefillBudget(l) {
				t.Errorf("layer %d unit %d keeps %d prompt entries, P_l = %d", l, u, len(ps), d.m.PrefillBudget(l))
			}
			// the one prefill compaction leaves the fewest pages (plus the new token's)
			if got, want := len(d.m.Seq().Table(l, u)), (len(ps)+1+4)/5; got != want {
				t.Errorf("layer %d unit %d uses %d pages after compaction, want %d", l, u, got, want)
			}
		}
	}
	return d, kept
}

func rangeOf(lo, hi int32) []int32 {
	var out []int32
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

func snapCfg(method PrefillMethod) Config {
	cfg := DefaultConfig()
	cfg.Prefill, cfg.PrefillBudget, cfg.Window, cfg.Kernel = method, 12, 4, 1
	return cfg
}

func TestPrefillSnapKVGroupAndFaithful(t *testing.T) {
	// head 0 prefers late positions, head 1 early ones: the group mean is flat, so the tie
	// rule keeps the earliest positions; faithful units follow their own head
	score := func(h, j int) float32 {
		if h == 0 {
			return float32(j) * 0.25 // exact in float32, so the mean is exactly flat
		}
		return float32(40-j) * 0.25
	}
	shape := Shape{Layers: 1, Heads: 2, KVHeads: 1}
	_, kept := prefillCase(t, snapCfg(PrefillSnapKV), shape, score)
	if want := append(rangeOf(0, 8), rangeOf(36, 40)...); !slices.Equal(kept[0], want) {
		t.Errorf("group: kept %v, want %v", kept[0], want)
	}
	cfg := snapCfg(PrefillSnapKV)
	cfg.GQA = GQAFaithful
	_, kept = prefillCase(t, cfg, shape, score)
	if want := rangeOf(28, 40); !slices.Equal(kept[0], want) {
		t.Errorf("faithful head 0: kept %v, want %v", kept[0], want)
	}
	if want := append(rangeOf(0, 8), rangeOf(36, 40)...); !slices.Equal(kept[1], want) {
		t.Errorf("faithful head 1: kept %v, want %v", kept[1], want)
	}
}

func TestPrefillSnapKVPooling(t *testing.T) {
	// two spikes at 10 and 20; max pooling with k=3 spreads each over its neighbours
	score := func(h, j int) float32 {
		if j == 10 || j == 20 {
			return 1
		}
		return float32(j) * 0.001
	}
	cfg := snapCfg(PrefillSnapKV)
	cfg.PrefillBudget, cfg.Kernel = 10, 3
	_, kept := prefillCase(t, cfg, Shape{Layers: 1, Heads: 1, KVHeads: 1}, score)
	if want := []int32{9, 10, 11, 19, 20, 21, 36, 37, 38, 39}; !slices.Equal(kept[0], want) {
		t.Errorf("kept %v, want %v", kept[0], want)
	}
}

func TestPrefillPyramidKVBudgets(t *testing.T) {
	cfg := snapCfg(PrefillPyramidKV)
	cfg.Window, cfg.PyramidBeta = 2, 2 // 2(P-w) = 20 <= 40: pyramid; min 5, max 15, step 5
	cfg.Decode, cfg.DecodeBudget, cfg.Recent = DecodeSlide, 6, 2
	d, kept := prefillCase(t, cfg, Shape{Layers: 2, Heads: 1, KVHeads: 1}, func(h, j int) float32 { return float32(j) })
	if !slices.Equal(d.m.Report().PrefillKept, []int{17, 12}) {
		t.Fatalf("P_l = %v, want [17 12]", d.m.Report().PrefillKept)
	}
	if want := rangeOf(23, 40); !slices.Equal(kept[0], want) {
		t.Errorf("layer 0 kept %v, want %v", kept[0], want)
	}
	// P4: decoding protects each layer's own P_l entries and keeps D decode entries
	for pos := int32(41); pos < 60; pos++ {
		d.step(pos)
	}
	for l, pl := range []int{17, 12} {
		res := d.resident(l, 0)
		prompt := 0
		for p := range res {
			if p < 40 {
				prompt++
			}
		}
		if prompt != pl || len(res) != pl+6 {
			t.Errorf("layer %d holds %d prompt and %d total entries, want %d and %d", l, prompt, len(res), pl, pl+6)
		}
	}
}

func TestPrefillStreamingAndFull(t *testing.T) {
	cfg := snapCfg(PrefillStreamingLLM) // window P/2 = 6
	_, kept := prefillCase(t, cfg, Shape{Layers: 1, Heads: 1, KVHeads: 1}, nil)
	if want := append(rangeOf(0, 6), rangeOf(34, 40)...); !slices.Equal(kept[0], want) {
		t.Errorf("streaming kept %v, want %v", kept[0], want)
	}
	cfg.StreamingWindow = 2
	_, kept = prefillCase(t, cfg, Shape{Layers: 1, Heads: 1, KVHeads: 1}, nil)
	if want := append(rangeOf(0, 10), rangeOf(38, 40)...); !slices.Equal(kept[0], want) {
		t.Errorf("streaming with 10 sinks kept %v, want %v", kept[0], want)
	}
	_, kept = prefillCase(t, DefaultConfig(), Shape{Layers: 1, Heads: 1, KVHeads: 1}, nil)
	if !slices.Equal(kept[0], rangeOf(0, 40)) {
		t.Errorf("full kept %v", kept[0])
	}
}

func TestPrefillH2OFromAccumulator(t *testing.T) {
	// the accumulator's causal sums: key j is seen by queries j..39, each giving 1/(q+1)
	acc, err := NewH2OAccumulator(1, 40)
	if err != nil {
		t.Fatal(err)
	}
	for q0 := 0; q0 < 40; q0 += 7 {
		rows := min(7, 40-q0)
		probs := make([]float32, rows*40)
		for r := range rows {
			for j := 0; j <= q0+r; j++ {
				probs[r*40+j] = 1 / float32(q0+r+1)
			}
		}
		if err := acc.AddProbs(0, probs, rows, 40, q0); err != nil {
			t.Fatal(err)
		}
	}
	scores := acc.Scores(nil)
	cfg := snapCfg(PrefillH2O)
	_, kept := prefillCase(t, cfg, Shape{Layers: 1, Heads: 1, KVHeads: 1}, func(h, j int) float32 { return scores[j] })
	// uniform causal attention favours the earliest keys (seen by the most queries)
	if want := append(rangeOf(0, 8), rangeOf(36, 40)...); !slices.Equal(kept[0], want) {
		t.Errorf("h2o kept %v, want %v", kept[0], want)
	}
}

func TestPrefillShortPromptUsesRealLength(t *testing.T) {
	// P5: a 10-token prompt under P = 12 keeps 10 entries and decode compression starts at
	// s = D, not P-N steps later
	cfg := snapCfg(PrefillSnapKV)
	cfg.Decode, cfg.DecodeBudget, cfg.Recent, cfg.PageSize = DecodeSlide, 6, 2, 5
	d := newDriver(t, cfg, Shape{Layers: 1, Heads: 1, KVHeads: 1}, 50, 40)
	d.prompt(10, 10, nil)
	for s := 1; s <= 8; s++ {
		d.step(int32(10 + s - 1))
	}
	r := d.m.Report()
	if r.PrefillKept[0] != 10 || r.FirstRebuild != 6 || d.m.Seq().Entries(0, 0) != 16 {
		t.Errorf("P_l %v, first rebuild %d, entries %d; want 10, 6, 16", r.PrefillKept, r.FirstRebuild, d.m.Seq().Entries(0, 0))
	}
	for p := range int32(10) {
		if !d.resident(0, 0)[p] {
			t.Errorf("prompt position %d was evicted", p)
		}
	}
}

func TestPrefillErrors(t *testing.T) {
	cfg := snapCfg(PrefillSnapKV)
	cfg.PageSize = 5
	d := newDriver(t, cfg, Shape{Layers: 2, Heads: 2, KVHeads: 1}, 100, 10)
	d.prompt(30, 30, nil)
	if !d.m.PrefillNeedsScores(0) {
		t.Fatal("SnapKV over budget must need scores")
	}
	if _, err := d.m.Begin(30); !errors.Is(err, ErrScores) {
		t.Errorf("Begin without prefill scores: %v, want ErrScores", err)
	}
	if err := d.m.PrefillLayer(0, make([]float32, 30), 30); !errors.Is(err, ErrScores) {
		t.Errorf("one head's scores for two heads: %v, want ErrScores", err)
	}
	if err := d.m.PrefillLayer(0, make([]float32, 60), 20); !errors.Is(err, ErrScores) {
		t.Errorf("rows narrower than the prompt: %v, want ErrScores", err)
	}
	if err := d.m.PrefillLayer(0, make([]float32, 60), 30); err != nil {
		t.Fatal(err)
	}
	if err := d.m.PrefillLayer(0, make([]float32, 60), 30); !errors.Is(err, ErrState) {
		t.Errorf("second selection of a layer: %v, want ErrState", err)
	}
	if _, err := d.m.AppendPrompt(30, 1); !errors.Is(err, ErrState) {
		t.Errorf("prompt append after selection: %v, want ErrState", err)
	}
	if err := d.m.PrefillLayer(1, make([]float32, 60), 30); err != nil {
		t.Fatal(err)
	}
	if _, err := d.m.Begin(31); !errors.Is(err, ErrInvalid) {
		t.Errorf("Begin at a gap: %v, want ErrInvalid", err)
	}
	if _, err := d.m.Begin(30); err != nil {
		t.Errorf("Begin after all layers selected: %v", err)
	}
}
