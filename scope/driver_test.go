package scope

import (
	"testing"

	"github.com/scopekv/scope/kv"
)

// driver plays the runtime's part for Manager tests: it appends the prompt, feeds prompt
// scores, and runs decode steps whose attention "scores" come from a deterministic function
// of (step, query head, position), written in page-table order as the backend does.
type driver struct {
	t     testing.TB
	cfg   Config
	shape Shape
	pool  *kv.Pool
	m     *Manager
	score func(step, head int, pos int32) float32
	probs []float32
	pos   []int32

	promptPad int // extra columns per head in prompt score rows
}

func newDriver(t testing.TB, cfg Config, shape Shape, pages, maxNew int) *driver {
	t.Helper()
	pool, err := kv.NewPool(kv.Config{
		Layers: shape.Layers, Units: shape.Units(cfg.GQA), PageSize: cfg.PageSize, Pages: pages, BytesPerSlot: 64,
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewManager(cfg, pool, shape, maxNew)
	if err != nil {
		t.Fatal(err)
	}
	return &driver{t: t, cfg: cfg, shape: shape, pool: pool, m: m, score: hashScore}
}

// hashScore is a fixed pseudo-random score in [0, 1).
func hashScore(step, head int, pos int32) float32 {
	x := uint64(step)*0x9e3779b97f4a7c15 ^ uint64(head)*0xc2b2ae3d27d4eb4f ^ uint64(pos)*0x165667b19e3779f9
	x ^= x >> 29
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 32
	return float32(x>>40) / (1 << 24)
}

// prompt appends n prompt tokens in chunks of chunk and runs the prefill selection with
// scores[h][j] = promptScore(h, j) for every layer.
func (d *driver) prompt(n, chunk int, promptScore func(head, pos int) float32) {
	d.t.Helper()
	for done := 0; done < n; done += chunk {
		if _, err := d.m.AppendPrompt(int32(done), min(chunk, n-done)); err != nil {
			d.t.Fatalf("AppendPrompt: %v", err)
		}
	}
	if promptScore == nil {
		return
	}
	stride := n + d.promptPad // table order = prompt order here; any wider stride works
	scores := make([]float32, d.shape.Heads*stride)
	for h := range d.shape.Heads {
		for j := range n {
			scores[h*stride+j] = promptScore(h, j)
		}
	}
	for l := range d.shape.Layers {
		if err := d.m.PrefillLayer(l, scores, stride); err != nil {
			d.t.Fatalf("PrefillLayer(%d): %v", l, err)
		}
	}
}

// step runs one decode step at position pos and returns its plan.
func (d *driver) step(pos int32) Plan {
	d.t.Helper()
	next := d.m.NextPlan()
	p, err := d.m.Begin(pos)
	if err != nil {
		d.t.Fatalf("Begin(%d): %v", pos, err)
	}
	if p != next || d.m.NextPlan() != p {
		d.t.Fatalf("NextPlan %+v before Begin, %+v inside; Begin %+v", next, d.m.NextPlan(), p)
	}
	if p.NeedScores {
		for l := range d.shape.Layers {
			stride := d.fillScores(l, p.Step)
			if err := d.m.Observe(l, d.probs, stride); err != nil {
				d.t.Fatalf("step %d Observe(%d): %v", p.Step, l, err)
			}
		}
	}
	if err := d.m.End(); err != nil {
		d.t.Fatalf("step %d End: %v", p.Step, err)
	}
	return p
}

// fillScores writes the layer's probabilities in page-table order, like the attention op.
func (d *driver) fillScores(layer, step int) int {
	stride := d.m.ScoreStride(layer) + 3 // any stride >= the table width works
	d.probs = resize(d.probs, d.shape.Heads*stride)
	units := d.shape.Units(d.cfg.GQA)
	group := d.shape.Heads / units
	for h := range d.shape.Heads {
		row := d.probs[h*stride : (h+1)*stride]
		clear(row)
		d.pos = d.m.Seq().TablePositions(layer, h/group, d.pos[:0])
		for i, pos := range d.pos {
			if pos >= 0 {
				row[i] = d.score(step, h, pos)
			}
		}
	}
	return stride
}

// resident returns the live positions of (layer, unit) as a set.
func (d *driver) resident(layer, unit int) map[int32]bool {
	out := map[int32]bool{}
	for _, pos := range d.m.Seq().TablePositions(layer, unit, nil) {
		if pos >= 0 {
			out[pos] = true
		}
	}
	return out
}
