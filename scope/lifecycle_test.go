package scope

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/scopekv/scope/kv"
)

func slideCfg() Config {
	cfg := DefaultConfig()
	cfg.Decode, cfg.DecodeBudget, cfg.Recent, cfg.PageSize = DecodeSlide, 8, 3, 4
	return cfg
}

func TestManagerStepErrors(t *testing.T) {
	d := newDriver(t, slideCfg(), Shape{Layers: 2, Heads: 2, KVHeads: 2}, 100, 50)
	d.prompt(5, 5, nil)
	if err := d.m.End(); !errors.Is(err, ErrState) {
		t.Errorf("End before Begin: %v", err)
	}
	for pos := int32(5); pos < 13; pos++ {
		d.step(pos) // steps 1..8: the decode region fills, step 8 is a no-op rebuild
	}
	if err := d.m.Observe(0, nil, 0); !errors.Is(err, ErrState) {
		t.Errorf("Observe outside a step: %v", err)
	}
	p, err := d.m.Begin(13)
	if err != nil || !p.NeedScores || p.Evict != 1 {
		t.Fatalf("step 9: %+v, %v; want one eviction that needs scores", p, err)
	}
	if _, err := d.m.Begin(14); !errors.Is(err, ErrState) {
		t.Errorf("Begin inside a step: %v", err)
	}
	stride := d.fillScores(0, 9)
	if err := d.m.Observe(0, d.probs[:stride], stride); !errors.Is(err, ErrScores) {
		t.Errorf("one head of two: %v, want ErrScores", err)
	}
	if err := d.m.Observe(0, d.probs, 1); !errors.Is(err, ErrScores) {
		t.Errorf("stride narrower than the table: %v, want ErrScores", err)
	}
	if err := d.m.Observe(0, d.probs, stride); err != nil {
		t.Fatal(err)
	}
	if err := d.m.Observe(0, d.probs, stride); !errors.Is(err, ErrState) {
		t.Errorf("same layer twice: %v", err)
	}
	if err := d.m.End(); !errors.Is(err, ErrScores) {
		t.Errorf("End without layer 1's scores: %v, want ErrScores", err)
	}
	stride = d.fillScores(1, 9)
	if err := d.m.Observe(1, d.probs, stride); err != nil {
		t.Fatal(err)
	}
	if err := d.m.End(); err != nil {
		t.Errorf("End after the missing scores arrived: %v", err)
	}
	if d.m.Seq().Entries(1, 1) != 5+8 {
		t.Errorf("after step 9 a unit holds %d entries, want P+D = 13", d.m.Seq().Entries(1, 1))
	}
}

func TestManagerOutOfPagesAndFork(t *testing.T) {
	shape := Shape{Layers: 1, Heads: 1, KVHeads: 1}
	d := newDriver(t, slideCfg(), shape, 4, 100) // 16 slots; P+D+1 = 15 fit
	d.prompt(6, 6, nil)
	for pos := int32(6); pos < 20; pos++ {
		d.step(pos)
	}
	fork, err := d.m.Fork()
	if err != nil {
		t.Fatal(err)
	}
	// every page is shared, so the fork's append needs a fresh page: none is left
	if _, err := fork.Begin(20); !errors.Is(err, kv.ErrOutOfPages) {
		t.Fatalf("Begin on a full pool: %v, want kv.ErrOutOfPages", err)
	}
	if fork.Schedule().Step() != 14 || fork.Seq().Entries(0, 0) != 14 {
		t.Errorf("a failed Begin changed the fork: step %d, %d entries", fork.Schedule().Step(), fork.Seq().Entries(0, 0))
	}
	d.m.Close()
	d.m.Close()
	// the fork now owns the pages alone and reuses their free slots
	d.m = fork
	for pos := int32(20); pos < 40; pos++ {
		d.step(pos)
	}
	if d.m.Seq().Entries(0, 0) != 14 || d.pool.FreePages() != 0 {
		t.Errorf("fork holds %d entries with %d free pages", d.m.Seq().Entries(0, 0), d.pool.FreePages())
	}
	fork.Close()
	if d.pool.FreePages() != 4 {
		t.Errorf("%d of 4 pages free after closing both", d.pool.FreePages())
	}
}

func TestForkedSequencesDiverge(t *testing.T) {
	shape := Shape{Layers: 1, Heads: 1, KVHeads: 1}
	a := newDriver(t, slideCfg(), shape, 40, 100)
	a.prompt(6, 6, nil)
	for pos := int32(6); pos < 20; pos++ {
		a.step(pos)
	}
	child, err := a.m.Fork()
	if err != nil {
		t.Fatal(err)
	}
	b := *a
	b.m = child
	b.score = func(step, head int, pos int32) float32 { return -hashScore(step, head, pos) }
	for pos := int32(20); pos < 30; pos++ {
		a.step(pos)
		b.step(pos)
	}
	ra, rb := a.resident(0, 0), b.resident(0, 0)
	if len(ra) != 14 || len(rb) != 14 || mapsEqual(ra, rb) {
		t.Errorf("forks with opposite scores hold %v and %v", sortedKeys(ra), sortedKeys(rb))
	}
	if child.Report().Steps != 24 {
		t.Errorf("fork counts %d steps, want 24 (14 inherited)", child.Report().Steps)
	}
	a.m.Close()
	child.Close()
	if a.pool.FreePages() != 40 {
		t.Errorf("%d of 40 pages free after closing both", a.pool.FreePages())
	}
}

func TestReportJSON(t *testing.T) {
	cfg := slideCfg()
	cfg.Decode = DecodeDiscontinuous
	d := newDriver(t, cfg, Shape{Layers: 2, Heads: 4, KVHeads: 2}, 100, 60)
	d.prompt(9, 4, nil)
	for pos := int32(9); pos < 68; pos++ {
		d.step(pos)
	}
	r := d.m.Report()
	if r.Steps != 59 || len(r.StepEntries) != 59 || len(r.Layers) != 2 || r.EvictingRebuilds == 0 {
		t.Fatalf("report %+v", r)
	}
	if r.Layers[0].Evictions*2 != r.Evictions || r.StepEntries[0] != 2*2*(9+1) {
		t.Errorf("evictions %d vs layer %d; first step entries %d", r.Evictions, r.Layers[0].Evictions, r.StepEntries[0])
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil || back.Rebuilds != r.Rebuilds || back.Layers[1].PeakEntries != r.Layers[1].PeakEntries {
		t.Errorf("JSON round trip: %v %+v", err, back)
	}
}

// TestStepDoesNotAllocate checks the steady state of per-step and refresh policies.
func TestStepDoesNotAllocate(t *testing.T) {
	for _, policy := range []DecodePolicy{DecodeSlide, DecodeDiscontinuous, DecodeH2O, DecodeStreamingLLM} {
		cfg := slideCfg()
		cfg.Decode, cfg.DecodeBudget, cfg.Recent = policy, 40, 10
		d := newDriver(t, cfg, Shape{Layers: 2, Heads: 4, KVHeads: 2}, 200, 2000)
		d.prompt(50, 50, nil)
		pos := int32(50)
		for range 200 {
			d.step(pos)
			pos++
		}
		allocs := testing.AllocsPerRun(100, func() {
			d.step(pos)
			pos++
		})
		if allocs != 0 {
			t.Errorf("%v: %.1f allocations per step", policy, allocs)
		}
	}
}

func TestPromptOutOfPagesRollsBack(t *testing.T) {
	d := newDriver(t, slideCfg(), Shape{Layers: 2, Heads: 2, KVHeads: 2}, 10, 50) // 40 slots
	if _, err := d.m.AppendPrompt(0, 3); err != nil {                             // 4 pages
		t.Fatal(err)
	}
	if _, err := d.m.AppendPrompt(3, 6); !errors.Is(err, kv.ErrOutOfPages) { // needs 12 pages
		t.Fatalf("oversized chunk: %v, want kv.ErrOutOfPages", err)
	}
	if d.pool.FreePages() != 6 || d.m.Seq().Entries(1, 1) != 3 {
		t.Errorf("after the failed chunk: %d free pages, %d entries; want 6 and 3", d.pool.FreePages(), d.m.Seq().Entries(1, 1))
	}
	if _, err := d.m.AppendPrompt(3, 2); err != nil {
		t.Fatalf("a chunk that fits after the rollback: %v", err)
	}
	d.step(5)
	if d.m.Report().PromptLen != 5 {
		t.Errorf("prompt length %d, want 5", d.m.Report().PromptLen)
	}
}
