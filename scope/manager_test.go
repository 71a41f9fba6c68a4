package scope

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// refUnit is the naive model of one (layer, unit): its live positions.
type refUnit map[int32]bool

// refSelect applies one rebuild to the model: rank candidates by the unit's mean score
// (ties to the lower position) with a full sort, and keep the best keep of them.
func refSelect(u refUnit, lo, hi int32, keep int, score func(pos int32) float32) {
	var cands []int32
	for pos := range u {
		if pos >= lo && pos < hi {
			cands = append(cands, pos)
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		si, sj := score(cands[i]), score(cands[j])
		if si != sj {
			return si > sj
		}
		return cands[i] < cands[j]
	})
	for _, pos := range cands[min(keep, len(cands)):] {
		delete(u, pos)
	}
}

// unitScore mirrors the documented aggregation: mean over the unit's query heads.
func unitScore(d *driver, step, unit int, pos int32) float32 {
	group := d.shape.Heads / d.shape.Units(d.cfg.GQA)
	var s float32
	for h := unit * group; h < (unit+1)*group; h++ {
		s += d.score(step, h, pos)
	}
	return s * (1 / float32(group))
}

func TestManagerMatchesReferenceModel(t *testing.T) {
	shape := Shape{Layers: 2, Heads: 6, KVHeads: 2}
	for _, gqa := range []GQAMode{GQAGroup, GQAFaithful} {
		for _, policy := range []DecodePolicy{DecodeSlide, DecodeAdaptive, DecodeDiscontinuous, DecodeH2O, DecodeStreamingLLM} {
			t.Run(fmt.Sprintf("%v/%v", gqa, policy), func(t *testing.T) {
				cfg := DefaultConfig()
				cfg.Prefill, cfg.PrefillBudget, cfg.Window, cfg.Kernel = PrefillSnapKV, 12, 4, 3
				cfg.Decode, cfg.DecodeBudget, cfg.Recent, cfg.GQA, cfg.PageSize = policy, 24, 8, gqa, 5
				checkAgainstModel(t, cfg, shape, 30, 160, hashScore)
			})
		}
	}
	// coarse scores tie constantly: the lower (older) position must win every tie
	cfg := DefaultConfig()
	cfg.Decode, cfg.DecodeBudget, cfg.Recent, cfg.PageSize = DecodeSlide, 20, 5, 3
	checkAgainstModel(t, cfg, Shape{Layers: 1, Heads: 2, KVHeads: 1}, 9, 90,
		func(step, head int, pos int32) float32 { return float32((int(pos) + step) % 3) })
}

func checkAgainstModel(t *testing.T, cfg Config, shape Shape, n, maxNew int, score func(int, int, int32) float32) {
	d := newDriver(t, cfg, shape, 400, maxNew)
	d.score = score
	d.prompt(n, 7, func(h, j int) float32 { return hashScore(-1, h, int32(j)) })
	units := shape.Units(cfg.GQA)
	model := make([]refUnit, shape.Layers*units)
	for l := range shape.Layers {
		for u := range units {
			model[l*units+u] = d.resident(l, u) // prefill selection is tested on its own
			if len(model[l*units+u]) != d.m.PrefillBudget(l) {
				t.Fatalf("layer %d unit %d kept %d prompt entries, P_l = %d", l, u, len(model[l*units+u]), d.m.PrefillBudget(l))
			}
		}
	}
	sched, _ := NewSchedule(cfg, maxNew)
	for s := 1; s < maxNew; s++ {
		pos := int32(n + s - 1)
		p := d.step(pos)
		want := sched.Next()
		if p != want {
			t.Fatalf("step %d plan %+v, schedule %+v", s, p, want)
		}
		for l := range shape.Layers {
			for u := range units {
				ref := model[l*units+u]
				ref[pos] = true
				if p.Evict > 0 {
					lo, keep := int32(n), p.Budget-cfg.Recent
					switch cfg.Decode {
					case DecodeH2O:
						lo, keep = 0, d.m.PrefillBudget(l)+cfg.DecodeBudget-cfg.Recent
					case DecodeStreamingLLM:
						keep = cfg.DecodeBudget - cfg.Recent
					}
					score := func(q int32) float32 { return unitScore(d, s, u, q) }
					if !p.NeedScores {
						score = func(int32) float32 { return 0 }
					}
					refSelect(ref, lo, pos-int32(cfg.Recent)+1, keep, score)
				}
				if got := d.resident(l, u); !mapsEqual(got, ref) {
					t.Fatalf("step %d layer %d unit %d:\n got  %v\n want %v", s, l, u, sortedKeys(got), sortedKeys(ref))
				}
			}
		}
	}
	d.m.Close()
	if d.pool.FreePages() != d.pool.Config().Pages {
		t.Errorf("pages leaked after Close: %d of %d free", d.pool.FreePages(), d.pool.Config().Pages)
	}
}

func mapsEqual(a, b map[int32]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func sortedKeys(m map[int32]bool) []int32 {
	var out []int32
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestManagerReplaysSpecTable drives the spec's §1.6 table through a Manager with real
// pages (Full prefill of a 2048-token prompt = P, two layers, page size 16) and checks the
// report against every row.
func TestManagerReplaysSpecTable(t *testing.T) {
	if testing.Short() {
		t.Skip("replays 40k decode steps")
	}
	shape := Shape{Layers: 2, Heads: 2, KVHeads: 1}
	for _, row := range specTable {
		cfg := DefaultConfig()
		cfg.Decode, cfg.DecodeBudget = row.policy, row.d
		d := newDriver(t, cfg, shape, 2*(2048+1200)/16+8, row.t)
		d.score = func(step, head int, pos int32) float32 { return float32(pos%97) + float32(head) }
		d.prompt(2048, 512, nil)
		var pool1024, pool2048 int
		for s := 1; s < row.t; s++ {
			d.step(int32(2048 + s - 1))
			switch s {
			case 1024:
				pool1024 = d.m.Seq().Entries(0, 0) - 2048
			case 2048:
				pool2048 = d.m.Seq().Entries(0, 0) - 2048
			}
		}
		r := d.m.Report()
		got := replayRow{row.t, row.d, r.Delta, row.policy, r.FirstRebuild, r.Rebuilds,
			pool1024, pool2048, d.m.Seq().Entries(1, 0) - 2048, r.PeakLayerEntries}
		if got != row {
			t.Errorf("manager T=%d D=%d %v: got %+v, want %+v", row.t, row.d, row.policy, got, row)
		}
		if st := r.Layers[1]; st.PeakEntries != row.peakLayerLength || st.Evictions != int64(row.t-1-(row.poolEnd)) {
			t.Errorf("manager T=%d D=%d %v: layer stats %+v", row.t, row.d, row.policy, st)
		}
		d.m.Close()
	}
}

// TestManagerRandomConfigs runs the reference-model check over random small setups: page
// sizes down to 1, odd head groups, custom refresh periods and capped budgets.
func TestManagerRandomConfigs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	policies := []DecodePolicy{DecodeSlide, DecodeAdaptive, DecodeDiscontinuous, DecodeH2O, DecodeStreamingLLM}
	prefills := []PrefillMethod{PrefillFull, PrefillSnapKV, PrefillPyramidKV, PrefillH2O, PrefillStreamingLLM}
	for i := range 24 {
		cfg := DefaultConfig()
		cfg.Decode = policies[rng.IntN(len(policies))]
		cfg.Prefill = prefills[rng.IntN(len(prefills))]
		cfg.PrefillBudget, cfg.Window, cfg.Kernel, cfg.PyramidBeta = 6+rng.IntN(10), 1+rng.IntN(3), 1+2*rng.IntN(2), 1+rng.IntN(4)
		cfg.DecodeBudget = 3 + rng.IntN(20)
		cfg.Recent = 1 + rng.IntN(cfg.DecodeBudget-1)
		cfg.PageSize = 1 + rng.IntN(7)
		cfg.RefreshPeriod = rng.IntN(4) // 0 = delta+1
		cfg.CapBudget = rng.IntN(2) == 0
		cfg.GQA = GQAMode(rng.IntN(2))
		kvHeads := 1 + rng.IntN(2)
		shape := Shape{Layers: 1 + rng.IntN(3), Heads: kvHeads * (1 + rng.IntN(3)), KVHeads: kvHeads}
		n, maxNew := 1+rng.IntN(30), 2+rng.IntN(120)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if err := cfg.Validate(1 << 20); err != nil {
				t.Fatal(err)
			}
			checkAgainstModel(t, cfg, shape, n, maxNew, hashScore)
		})
	}
}
