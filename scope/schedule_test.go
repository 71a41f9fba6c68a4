package scope

import (
	"errors"
	"testing"
)

// replayRow is one row of the spec's §1.6 table: P = 2048 in every layer, R = 256, L = 32,
// T-1 decode passes.
type replayRow struct {
	t, d, delta     int
	policy          DecodePolicy
	firstRebuild    int
	rebuilds        int
	pool1024        int
	pool2048        int
	poolEnd         int
	peakLayerLength int
}

var specTable = []replayRow{
	{4096, 512, 15, DecodeSlide, 512, 3584, 512, 512, 512, 2561},
	{4096, 512, 15, DecodeAdaptive, 274, 3822, 324, 392, 528, 2577},
	{4096, 512, 15, DecodeDiscontinuous, 289, 238, 338, 406, 542, 2590},
	{4096, 1024, 5, DecodeSlide, 1024, 3072, 1024, 1024, 1024, 3073},
	{4096, 1024, 5, DecodeAdaptive, 319, 3777, 460, 665, 1074, 3123},
	{4096, 1024, 5, DecodeDiscontinuous, 324, 629, 463, 667, 1077, 3127},
	{7950, 512, 30, DecodeAdaptive, 264, 7686, 290, 324, 520, 2569},
	{7950, 512, 30, DecodeDiscontinuous, 294, 247, 306, 341, 548, 2597},
	{7950, 1024, 10, DecodeDiscontinuous, 294, 696, 361, 465, 1059, 3107},
}

// replayCounters are the per-sequence counters the table reports.
type replayCounters struct {
	firstRebuild, rebuilds     int
	pool1024, pool2048, pool   int
	peakEntries, evictions     int
	scoredSteps, attendedTotal int
}

func replay(t *testing.T, cfg Config, maxNew, layers int) replayCounters {
	t.Helper()
	s, err := NewSchedule(cfg, maxNew)
	if err != nil {
		t.Fatal(err)
	}
	var c replayCounters
	for range maxNew - 1 {
		peek := s.Peek()
		p := s.Next()
		if p != peek {
			t.Fatalf("Peek %+v, Next %+v", peek, p)
		}
		c.peakEntries = max(c.peakEntries, p.Entries)
		c.attendedTotal += p.Entries
		if p.Rebuild {
			c.rebuilds++ // every layer rebuilds in the same pass: count per layer
			if c.firstRebuild == 0 {
				c.firstRebuild = p.Step
			}
		}
		if p.NeedScores {
			c.scoredSteps++
		}
		c.evictions += p.Evict * layers
		switch p.Step {
		case 1024:
			c.pool1024 = s.Entries()
		case 2048:
			c.pool2048 = s.Entries()
		}
	}
	c.pool = s.Entries()
	return c
}

func TestScheduleReproducesSpecTable(t *testing.T) {
	const p, r, layers = 2048, 256, 32
	for _, row := range specTable {
		cfg := DefaultConfig()
		cfg.Decode, cfg.DecodeBudget, cfg.Recent = row.policy, row.d, r
		if got := cfg.DeltaFor(row.t); got != row.delta {
			t.Errorf("T=%d D=%d: delta %d, want %d", row.t, row.d, got, row.delta)
		}
		c := replay(t, cfg, row.t, layers)
		got := replayRow{row.t, row.d, row.delta, row.policy, c.firstRebuild, c.rebuilds,
			c.pool1024, c.pool2048, c.pool, p + c.peakEntries}
		if got != row {
			t.Errorf("T=%d D=%d %v:\n got  first %d rebuilds %d pool %d/%d/%d peak %d\n want first %d rebuilds %d pool %d/%d/%d peak %d",
				row.t, row.d, row.policy,
				got.firstRebuild, got.rebuilds, got.pool1024, got.pool2048, got.poolEnd, got.peakLayerLength,
				row.firstRebuild, row.rebuilds, row.pool1024, row.pool2048, row.poolEnd, row.peakLayerLength)
		}
	}
}

// TestScheduleMeanFootprint checks the attended sizes of spec §6 C6: over T=4096, D=1024,
// Slide attends about 2945 entries per step and Adaptive about 2704, out of P+D = 3072.
func TestScheduleMeanFootprint(t *testing.T) {
	for _, c := range []struct {
		policy DecodePolicy
		mean   float64
	}{{DecodeSlide, 2945}, {DecodeAdaptive, 2704}} {
		cfg := DefaultConfig()
		cfg.Decode, cfg.DecodeBudget = c.policy, 1024
		got := replay(t, cfg, 4096, 1)
		mean := 2048 + float64(got.attendedTotal)/4095
		if mean < c.mean-1 || mean > c.mean+1 {
			t.Errorf("%v: mean attended %.1f, want %.0f +- 1", c.policy, mean, c.mean)
		}
	}
}

func TestScheduleBaselines(t *testing.T) {
	for _, policy := range []DecodePolicy{DecodeH2O, DecodeStreamingLLM} {
		cfg := DefaultConfig()
		cfg.Decode = policy
		c := replay(t, cfg, 4096, 1)
		// like Slide: rebuild from s = D on, one eviction per step afterwards
		if c.firstRebuild != 512 || c.rebuilds != 3584 || c.pool != 512 || c.evictions != 4095-512 {
			t.Errorf("%v: %+v", policy, c)
		}
		wantScored := 4095 - 512
		if policy == DecodeStreamingLLM {
			wantScored = 0 // positional: no scores needed
		}
		if c.scoredSteps != wantScored {
			t.Errorf("%v: %d steps need scores, want %d", policy, c.scoredSteps, wantScored)
		}
	}
	cfg := DefaultConfig()
	if c := replay(t, cfg, 300, 1); c.rebuilds != 0 || c.pool != 299 {
		t.Errorf("none: %+v", c)
	}
}

func TestScheduleOptions(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Decode, cfg.CapBudget = DecodeAdaptive, true
	if c := replay(t, cfg, 4096, 1); c.pool != 512 {
		t.Errorf("capped adaptive ends with %d decode entries, want D = 512", c.pool)
	}
	cfg = DefaultConfig()
	cfg.Decode, cfg.RefreshPeriod = DecodeDiscontinuous, 15 // the paper's "every delta"
	if c := replay(t, cfg, 4096, 1); c.firstRebuild != 274+14 || c.rebuilds != (4095-288)/15+1 {
		t.Errorf("period 15: first %d rebuilds %d", c.firstRebuild, c.rebuilds)
	}
	cfg = DefaultConfig()
	cfg.Decode, cfg.ExpectedTokens = DecodeAdaptive, 4096
	if d := cfg.DeltaFor(1 << 20); d != 15 {
		t.Errorf("delta with T clamped to 4096 = %d, want 15", d)
	}
	cfg.Delta = 7
	if d := cfg.DeltaFor(4096); d != 7 {
		t.Errorf("explicit delta ignored: %d", d)
	}
	cfg = DefaultConfig()
	if d := cfg.DeltaFor(100); d != 1 {
		t.Errorf("delta for T < R = %d, want the minimum 1", d)
	}
	if _, err := NewSchedule(cfg, 0); !errors.Is(err, ErrConfig) {
		t.Errorf("T = 0: %v", err)
	}
}
