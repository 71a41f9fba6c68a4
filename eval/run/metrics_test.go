package run

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/scopekv/scope/runtime"
	kvscope "github.com/scopekv/scope/scope"
)

func TestArgmax(t *testing.T) {
	nan := float32(math.NaN())
	cases := []struct {
		in   []float32
		want int
	}{
		{nil, -1},
		{[]float32{1}, 0},
		{[]float32{1, 3, 3, 2}, 1}, // tie: lower index
		{[]float32{nan, -5, -7}, 1},
		{[]float32{nan, nan}, 0},
		{[]float32{-1, float32(math.Inf(1)), 4}, 1},
	}
	for _, c := range cases {
		if got := Argmax(c.in); got != c.want {
			t.Errorf("Argmax(%v) = %d, want %d", c.in, got, c.want)
		}
	}
}

// TestKL checks KL(p||q) against values worked out by hand.
func TestKL(t *testing.T) {
	ln := float32(math.Log(2))
	// softmax(0, ln2, 0) = (1/4, 1/2, 1/4); softmax(0,0,0) = 1/3 each.
	// KL = 1/4 ln(3/4) + 1/2 ln(3/2) + 1/4 ln(3/4) = 1/2 ln(3/4) + 1/2 ln(3/2) = 1/2 ln(9/8).
	got, err := KL([]float32{0, ln, 0}, []float32{0, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	if want := 0.5 * math.Log(9.0/8); math.Abs(got-want) > 1e-6 {
		t.Errorf("KL = %.9f, want %.9f", got, want)
	}
	// Shifted logits are the same distribution: KL 0.
	if got, _ := KL([]float32{1, 2, 3, 4, 5}, []float32{101, 102, 103, 104, 105}); got > 1e-9 {
		t.Errorf("KL of shifted logits = %g, want 0", got)
	}
	// Large logits stay finite (stable log-sum-exp): p = (1, 0), q = (1/2, 1/2) -> ln 2.
	if got, _ := KL([]float32{1000, -1000}, []float32{500, 500}); math.Abs(got-math.Log(2)) > 1e-6 {
		t.Errorf("KL with large logits = %g, want ln 2", got)
	}
	if _, err := KL([]float32{1, 2}, []float32{1}); !errors.Is(err, ErrInput) {
		t.Errorf("mismatched lengths: err %v, want ErrInput", err)
	}
	if _, err := KL(nil, nil); !errors.Is(err, ErrInput) {
		t.Errorf("empty: err %v, want ErrInput", err)
	}
}

func TestAgree(t *testing.T) {
	cases := []struct {
		want, got []int32
		prefix    int
		overall   float64
	}{
		{nil, []int32{1}, 0, 1},
		{[]int32{1, 2, 3, 4}, []int32{1, 2, 3, 4}, 4, 1},
		{[]int32{1, 2, 3, 4}, []int32{1, 2, 9, 4}, 2, 0.75},
		{[]int32{1, 2, 3, 4}, []int32{1, 2}, 2, 0.5},              // a short policy output: misses
		{[]int32{1, 2, 3}, []int32{1, 2, 3, 7, 7}, 3, 1},          // past the reference: ignored
		{[]int32{5, 2, 3, 4, 5, 6, 7}, []int32{1, 2}, 0, 1.0 / 7}, // odd length
	}
	for _, c := range cases {
		a := Agree(c.want, c.got)
		if a.Prefix != c.prefix || math.Abs(a.Overall-c.overall) > 1e-12 {
			t.Errorf("Agree(%v, %v) = %+v, want prefix %d overall %g", c.want, c.got, a, c.prefix, c.overall)
		}
	}
	if f := (Agreement{Prefix: 3}).PrefixFraction(12); f != 0.25 {
		t.Errorf("PrefixFraction = %g, want 0.25", f)
	}
}

// sample builds a probe sample from per-head rows of (position, probability).
func sample(promptLen int, rows [][][2]float64) runtime.ProbeSample {
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	s := runtime.ProbeSample{PromptLen: promptLen, Heads: len(rows), Cols: cols,
		Probs: make([]float32, len(rows)*cols), Positions: make([]int32, len(rows)*cols)}
	for h, r := range rows {
		for i := range cols {
			s.Positions[h*cols+i] = -1
			if i < len(r) {
				s.Positions[h*cols+i] = int32(r[i][0])
				s.Probs[h*cols+i] = float32(r[i][1])
			}
		}
	}
	return s
}

func TestHeadAverageAndTopKeys(t *testing.T) {
	// Two heads of different units: head 1 evicted position 2 and holds position 5.
	s := sample(4, [][][2]float64{
		{{0, 0.1}, {1, 0.2}, {2, 0.4}, {3, 0.1}, {4, 0.2}},
		{{0, 0.3}, {1, 0.1}, {3, 0.1}, {4, 0.1}, {5, 0.4}},
	})
	keys, err := HeadAverage(s)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int32]float64{0: 0.2, 1: 0.15, 2: 0.2, 3: 0.1, 4: 0.15, 5: 0.2}
	if len(keys) != len(want) {
		t.Fatalf("HeadAverage gave %d keys, want %d", len(keys), len(want))
	}
	for i, k := range keys {
		if i > 0 && keys[i-1].Pos >= k.Pos {
			t.Fatalf("keys not in position order: %v", keys)
		}
		if math.Abs(k.Weight-want[k.Pos]) > 1e-6 {
			t.Errorf("position %d: weight %g, want %g", k.Pos, k.Weight, want[k.Pos])
		}
	}
	// Top 50% of 6 keys = 3 keys; positions 0, 2 and 5 tie at 0.2, all kept.
	top := TopKeys(keys, 0.5)
	if len(top) != 3 || top[0] != 0 || top[1] != 2 || top[2] != 5 {
		t.Errorf("TopKeys(0.5) = %v, want [0 2 5]", top)
	}
	// Top 1/3 = 2 keys among the three tied at 0.2: the older ones win.
	if top := TopKeys(keys, 1.0/3); len(top) != 2 || top[0] != 0 || top[1] != 2 {
		t.Errorf("TopKeys(1/3) = %v, want [0 2]", top)
	}
	// A tiny fraction still keeps one key.
	if top := TopKeys(keys, 0.01); len(top) != 1 {
		t.Errorf("TopKeys(0.01) = %v, want one key", top)
	}
	if f := DecodedFraction([]int32{0, 2, 5}, 4); math.Abs(f-1.0/3) > 1e-12 {
		t.Errorf("DecodedFraction = %g, want 1/3", f)
	}
	if m := MassFrom(keys, 4); math.Abs(m-0.35) > 1e-6 { // positions 4 and 5
		t.Errorf("MassFrom(4) = %g, want 0.35", m)
	}
	// Weights from position 1: 0.2 (2), 0.2 (5), 0.15, 0.15, 0.1 = 0.8 in all; 80% = 0.64 takes 4 keys.
	if n := Cover(keys, 1, 0.8); n != 4 {
		t.Errorf("Cover(1, 0.8) = %d, want 4", n)
	}
	if n := Cover(keys, 9, 0.8); n != 0 {
		t.Errorf("Cover past the last key = %d, want 0", n)
	}
	if r := PrefillResident(s); r != 3.5 { // head 0 holds 4 prompt keys, head 1 holds 3
		t.Errorf("PrefillResident = %g, want 3.5", r)
	}
	if _, err := HeadAverage(runtime.ProbeSample{Heads: 2, Cols: 3, Probs: make([]float32, 5)}); !errors.Is(err, ErrInput) {
		t.Errorf("short sample: err %v, want ErrInput", err)
	}
}

func TestJaccard(t *testing.T) {
	cases := []struct {
		a, b []int32
		want float64
	}{
		{nil, nil, 1},
		{[]int32{1, 2, 3}, nil, 0},
		{[]int32{1, 2, 3}, []int32{1, 2, 3}, 1},
		{[]int32{1, 2, 3}, []int32{2, 3, 4, 5}, 2.0 / 5},
		{[]int32{0, 7}, []int32{1, 8, 9}, 0},
	}
	for _, c := range cases {
		if got := Jaccard(c.a, c.b); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Jaccard(%v, %v) = %g, want %g", c.a, c.b, got, c.want)
		}
	}
}

func TestSpecBudgets(t *testing.T) {
	n, tt := 396, 385
	cases := []struct {
		s              Spec
		p, d, r, total int
		wantValid      bool
	}{
		{Spec{Name: "full", Prefill: "full", Decode: "none"}, 396, 0, 0, 396 + 385, true},
		{Spec{Name: "snap", Prefill: "snapkv", PrefillRatio: 0.6, Decode: "none"}, 238, 0, 0, 238 + 385, true},
		{Spec{Name: "slide", Prefill: "full", Decode: "slide", DecodeRatio: 0.125, Recent: 32}, 396, 48, 32, 444, true},
		{Spec{Name: "unified", Prefill: "full", Decode: "h2o", DecodeRatio: 0.25, Recent: 16}, 396, 96, 16, 492, true},
		{Spec{Name: "bad", Prefill: "full", Decode: "slide", DecodeRatio: 0.125, Recent: 64}, 396, 48, 64, 444, false},
	}
	for _, c := range cases {
		_, b, err := c.s.Config(n, tt)
		if (err == nil) != c.wantValid {
			t.Errorf("%s: err %v, want valid %v", c.s.Name, err, c.wantValid)
		}
		if b.P != c.p || b.D != c.d || b.R != c.r || b.Total != c.total {
			t.Errorf("%s: budget %+v, want P %d D %d R %d total %d", c.s.Name, b, c.p, c.d, c.r, c.total)
		}
	}
	specs := DefaultGrid().Specs(n, tt)
	// 1 full + 16 prefill + 5 policies x (2 D x 3 R - the R=64 >= D=48 pair) + 6 pairs x 2 D.
	if want := 1 + 16 + 5*5 + 12; len(specs) != want {
		t.Errorf("default grid has %d specs, want %d", len(specs), want)
	}
	seen := map[string]bool{}
	for _, s := range specs {
		if seen[s.Name] {
			t.Errorf("duplicate spec name %q", s.Name)
		}
		seen[s.Name] = true
	}
}

// TestEqualPeakAndPyramidMean: with EqualPeak every decode policy's schedule attends at
// most Slide's D+1 decode entries (Discontinuous at D = T/8 needs a capped budget and a
// smaller delta for that), and PyramidMean brings PyramidKV's mean P_l to at most SnapKV's P.
func TestEqualPeakAndPyramidMean(t *testing.T) {
	const n, tt, layers = 396, 385, 4
	g := DefaultGrid()
	g.GQAModes, g.DecodeScores = []string{"group", "faithful"}, []string{"decay:0.9"}
	for _, s := range g.Specs(n, tt) {
		c, b, err := s.ConfigLayers(n, tt, layers)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if c.Decode != kvscope.DecodeNone {
			nominal := ratioOf(s.DecodeRatio, tt)
			peak, _, err := kvscope.DecodeFootprint(c, tt)
			if err != nil || peak > nominal+1 {
				t.Errorf("%s: peak %d decode entries (D=%d, delta %d, cap %v), limit %d: %v", s.Name, peak, b.D, c.Delta, c.CapBudget, nominal+1, err)
			}
			if s.Decode == "slide" && (b.D != nominal || b.NominalD != 0) {
				t.Errorf("%s: slide's D changed to %d", s.Name, b.D)
			}
		}
		if s.Prefill == "pyramidkv" {
			p := ratioOf(s.PrefillRatio, n)
			if m := mean(c.PrefillBudgets(n, layers)); m > float64(p) || m < 0.95*float64(p) {
				t.Errorf("%s: mean P_l %.1f, want at most (and near) %d", s.Name, m, p)
			}
		}
		if strings.Contains(s.Name, "faithful") != (c.GQA == kvscope.GQAFaithful) ||
			strings.Contains(s.Name, "decay") != (c.Score == kvscope.ScoreDecay) {
			t.Errorf("%s: GQA %v, score %v", s.Name, c.GQA, c.Score)
		}
	}
	// 2 modes x (the 54 specs + 4 scored policies x 5 (D, R) + 5 scored pairs x 2 D)
	if got, want := len(g.Specs(n, tt)), 2*(54+4*5+5*2); got != want {
		t.Errorf("%d specs, want %d", got, want)
	}
	c := DefaultGrid()
	c.EqualPeak = false
	for _, s := range c.Specs(n, tt) {
		if s.Decode == "discontinuous" && s.DecodeRatio == 0.125 && s.Recent == 32 {
			cfg, _, _ := s.Config(n, tt)
			if peak, _, _ := kvscope.DecodeFootprint(cfg, tt); peak <= 49 {
				t.Errorf("nominal discontinuous D=48 R=32 peaks at %d: the equal-peak fit is not exercised", peak)
			}
		}
	}
}
