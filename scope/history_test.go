package scope

import (
	"errors"
	"fmt"
	"testing"
)

// refHistory is the naive model of a history score: every step, each live candidate's
// record is updated with the unit's mean attention, then ranked as documented.
type refHistory struct {
	cfg  Config
	vals map[int32][]float32 // pos -> decayed sum (1 value) or the attention of every step
}

func (h *refHistory) record(pos int32, a float32) {
	if h.cfg.Score == ScoreDecay {
		v := h.vals[pos]
		if v == nil {
			v = []float32{0}
		}
		v[0] = v[0]*h.cfg.ScoreDecay + a
		h.vals[pos] = v
		return
	}
	h.vals[pos] = append(h.vals[pos], a)
}

func (h *refHistory) score(pos int32) float32 {
	v := h.vals[pos]
	if h.cfg.Score == ScoreDecay {
		return v[0]
	}
	var best float32
	for _, x := range v[max(0, len(v)-h.cfg.ScoreWindow):] {
		best = max(best, x)
	}
	return best
}

// checkHistoryAgainstModel drives a Manager with history scores and compares every unit's
// live positions after every step with the naive model's.
func checkHistoryAgainstModel(t *testing.T, cfg Config, shape Shape, n, maxNew int, score func(int, int, int32) float32) {
	t.Helper()
	d := newDriver(t, cfg, shape, 400, maxNew)
	d.score = score
	d.prompt(n, 7, nil)
	units := shape.Units(cfg.GQA)
	model := make([]refUnit, shape.Layers*units)
	hist := make([]*refHistory, len(model))
	for i := range model {
		model[i] = d.resident(i/units, i%units)
		hist[i] = &refHistory{cfg: cfg, vals: map[int32][]float32{}}
	}
	lo := int32(n)
	if cfg.Decode == DecodeH2O {
		lo = 0
	}
	for s := 1; s < maxNew; s++ {
		pos := int32(n + s - 1)
		p := d.step(pos)
		if !p.NeedScores {
			t.Fatalf("step %d: a history score needs scores at every step", s)
		}
		for i, ref := range model {
			l, u := i/units, i%units
			ref[pos] = true
			for q := range ref {
				if q >= lo {
					hist[i].record(q, unitScore(d, s, u, q))
				}
			}
			if p.Evict > 0 {
				keep := p.Budget - cfg.Recent
				if cfg.Decode == DecodeH2O {
					keep = d.m.PrefillBudget(l) + cfg.DecodeBudget - cfg.Recent
				}
				refSelect(ref, lo, pos-int32(cfg.Recent)+1, keep, hist[i].score)
			}
			if got := d.resident(l, u); !mapsEqual(got, ref) {
				t.Fatalf("step %d layer %d unit %d:\n got  %v\n want %v", s, l, u, sortedKeys(got), sortedKeys(ref))
			}
		}
	}
	d.m.Close()
}

func TestHistoryScoresMatchReferenceModel(t *testing.T) {
	shape := Shape{Layers: 2, Heads: 4, KVHeads: 2}
	scores := []Config{
		{Score: ScoreDecay, ScoreDecay: 0.8},
		{Score: ScoreDecay, ScoreDecay: 1},
		{Score: ScoreWindowMax, ScoreWindow: 1},
		{Score: ScoreWindowMax, ScoreWindow: 5},
	}
	for _, sc := range scores {
		for _, gqa := range []GQAMode{GQAGroup, GQAFaithful} {
			for _, policy := range []DecodePolicy{DecodeSlide, DecodeAdaptive, DecodeDiscontinuous, DecodeH2O} {
				name := fmt.Sprintf("%v%g%d/%v/%v", sc.Score, sc.ScoreDecay, sc.ScoreWindow, gqa, policy)
				t.Run(name, func(t *testing.T) {
					cfg := DefaultConfig()
					cfg.Decode, cfg.DecodeBudget, cfg.Recent, cfg.GQA, cfg.PageSize = policy, 20, 6, gqa, 5
					cfg.Score, cfg.ScoreDecay, cfg.ScoreWindow = sc.Score, sc.ScoreDecay, sc.ScoreWindow
					checkHistoryAgainstModel(t, cfg, shape, 11, 120, hashScore)
				})
			}
		}
	}
}

// rereadScore encodes positions in the attention: the decoded token at position keep is
// read with weight 1 at every third step only; every other entry gets a small score that
// grows with its position, so the current query alone always prefers newer entries.
func rereadScore(keep int32) func(step, head int, pos int32) float32 {
	return func(step, head int, pos int32) float32 {
		if pos == keep && step%3 == 0 {
			return 1
		}
		return float32(pos) * 1e-4
	}
}

// TestHistoryKeepsRereadEntry: the current query's score evicts a token that is read once
// every three steps (it scores lowest at the other two); a decayed sum or a three-step
// window keeps it for the whole generation.
func TestHistoryKeepsRereadEntry(t *testing.T) {
	const n, maxNew, keep = 4, 90, 6 // position 6 is the third decoded token
	for _, tc := range []struct {
		score DecodeScore
		kept  bool
	}{{ScoreCurrent, false}, {ScoreDecay, true}, {ScoreWindowMax, true}} {
		t.Run(tc.score.String(), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Decode, cfg.DecodeBudget, cfg.Recent, cfg.PageSize = DecodeSlide, 8, 3, 4
			cfg.Score, cfg.ScoreDecay, cfg.ScoreWindow = tc.score, 0.7, 3
			d := newDriver(t, cfg, Shape{Layers: 1, Heads: 2, KVHeads: 1}, 64, maxNew)
			d.score = rereadScore(keep)
			d.prompt(n, n, nil)
			for s := 1; s < maxNew; s++ {
				d.step(int32(n + s - 1))
			}
			if got := d.resident(0, 0)[keep]; got != tc.kept {
				t.Errorf("position %d resident after %d steps: %v, want %v", keep, maxNew-1, got, tc.kept)
			}
		})
	}
}

func TestHistoryScoreValidation(t *testing.T) {
	base := DefaultConfig()
	base.Decode, base.DecodeBudget, base.Recent = DecodeSlide, 16, 4
	bad := []func(*Config){
		func(c *Config) { c.Score = ScoreDecay },                               // decay 0
		func(c *Config) { c.Score, c.ScoreDecay = ScoreDecay, 1.5 },            // above 1
		func(c *Config) { c.Score, c.ScoreDecay = ScoreDecay, float32(nan()) }, // NaN
		func(c *Config) { c.Score = ScoreWindowMax },                           // window 0
		func(c *Config) { c.Score, c.ScoreWindow = ScoreWindowMax, 1000 },      // too long
		func(c *Config) { c.Score, c.ScoreWindow, c.Decode = ScoreWindowMax, 2, DecodeStreamingLLM },
		func(c *Config) { c.Score = DecodeScore(9) },
	}
	for i, f := range bad {
		c := base
		f(&c)
		if err := c.Validate(100); !errors.Is(err, ErrConfig) {
			t.Errorf("case %d: %+v: got %v, want ErrConfig", i, c, err)
		}
	}
	for _, s := range []string{"current", "decay", "window"} {
		if v, err := ParseDecodeScore(s); err != nil || v.String() != s {
			t.Errorf("ParseDecodeScore(%q) = %v, %v", s, v, err)
		}
	}
	if _, err := ParseDecodeScore("sum"); !errors.Is(err, ErrConfig) {
		t.Errorf("unknown name: %v", err)
	}
}

func nan() float64 { var z float64; return z / z }
