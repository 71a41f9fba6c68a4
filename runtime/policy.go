package runtime

import (
	"fmt"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/kv"
	"github.com/scopekv/scope/scope"
)

// policyKV is the paged KV cache driven by a SCOPE (or baseline) policy: package kv holds
// the pages, a scope.Manager per request decides which slots to keep, and the attention
// kernels report the scores the policy ranks.
type policyKV struct {
	cfg   scope.Config
	shape scope.Shape
	pool  *kv.Pool
	mgr   *scope.Manager // nil between requests
	units int

	ups []kv.Update
	low kv.Lowered

	maxPrompt int // the longest prompt the store was sized for (0 = the context)

	prompt   [][]float32 // per layer (Heads, N): summed prompt scores (H2O across chunks)
	promptN  int         // prompt length of the current request
	decoding bool        // the prompt has been selected; every new token is a decode step
}

func newPolicyKV(cfg scope.Config, shape scope.Shape, pages int, slotBytes int64) (*policyKV, error) {
	units := shape.Units(cfg.GQA)
	pool, err := kv.NewPool(kv.Config{Layers: shape.Layers, Units: units, PageSize: cfg.PageSize, Pages: pages,
		BytesPerSlot: slotBytes})
	if err != nil {
		return nil, err
	}
	return &policyKV{cfg: cfg, shape: shape, pool: pool, units: units}, nil
}

// sharedPolicyKV is a policy cache whose pages come from a pool shared with other sequences.
func sharedPolicyKV(cfg scope.Config, shape scope.Shape, pool *kv.Pool) *policyKV {
	return &policyKV{cfg: cfg, shape: shape, pool: pool, units: shape.Units(cfg.GQA)}
}

// begin starts a request of up to maxNew new tokens after a prompt of promptN tokens.
func (p *policyKV) begin(promptN, maxNew int) error {
	p.end()
	mgr, err := scope.NewManager(p.cfg, p.pool, p.shape, maxNew)
	if err != nil {
		return err
	}
	p.mgr, p.promptN, p.decoding = mgr, promptN, false
	p.prompt = nil
	return nil
}

func (p *policyKV) end() {
	if p.mgr != nil {
		p.mgr.Close()
		p.mgr = nil
	}
}

// promptScoreRows reports which prompt chunk rows the attention must sum for the prefill method:
// H2O sums every row of every chunk, SnapKV/PyramidKV the last w rows of the prompt.
func (p *policyKV) promptScoreRows(last bool, n int) int {
	if p.promptN <= p.cfg.PrefillBudget {
		return 0
	}
	switch p.cfg.Prefill {
	case scope.PrefillH2O:
		return n
	case scope.PrefillSnapKV, scope.PrefillPyramidKV:
		if last {
			return min(p.cfg.Window, n)
		}
	}
	return 0
}

// chunks splits a prompt into batches of at most batch tokens whose last one holds the
// whole observation window, so SnapKV's window queries run in one pass.
func (p *policyKV) chunks(n, batch int) []int {
	var out []int
	w := min(p.cfg.Window, n)
	for n > 0 {
		c := min(n, batch)
		if rest := n - c; rest > 0 && rest < w {
			c = n - w
		}
		out = append(out, c)
		n -= c
	}
	return out
}

// kvOps turns the pool's pending updates into backend ops (copy waves, then positions).
func (p *policyKV) kvOps(store backend.KVStore) []backend.Op {
	p.ups = p.pool.DrainUpdates(p.ups[:0])
	if len(p.ups) == 0 {
		return nil
	}
	p.pool.Lower(p.ups, &p.low)
	var ops []backend.Op
	for i := range p.low.WaveEnd {
		src, dst := p.low.Wave(i)
		ops = append(ops, backend.KVCopy{KV: store, Src: src, Dst: dst})
	}
	if len(p.low.Slots) > 0 {
		ops = append(ops, backend.KVSetPos{KV: store, Slots: p.low.Slots, Pos: p.low.Pos})
	}
	return ops
}

func (p *policyKV) tables(layer int) [][]int32 {
	out := make([][]int32, p.units)
	for u := range out {
		out[u] = p.mgr.Seq().Table(layer, u)
	}
	return out
}

func (p *policyKV) maxStride() int {
	s := 1
	for l := 0; l < p.shape.Layers; l++ {
		s = max(s, p.mgr.ScoreStride(l))
	}
	return s
}

// addPromptScores accumulates a prompt chunk's scores for layer l. A prompt fills its
// tables in order, so column i is prompt position i; columns from upto on are not part of
// the tables yet (the buffer may hold older values there).
func (p *policyKV) addPromptScores(l int, s []float32, stride, upto int) {
	if p.prompt == nil {
		p.prompt = make([][]float32, p.shape.Layers)
	}
	if p.prompt[l] == nil {
		p.prompt[l] = make([]float32, p.shape.Heads*p.promptN)
	}
	dst := p.prompt[l]
	for h := 0; h < p.shape.Heads; h++ {
		row := s[h*stride : h*stride+min(stride, p.promptN, upto)]
		for i, v := range row {
			dst[h*p.promptN+i] += v
		}
	}
}

// selectPrompt runs the prefill selection of every layer once the prompt is in.
func (p *policyKV) selectPrompt() error {
	for l := 0; l < p.shape.Layers; l++ {
		if !p.mgr.PrefillNeedsScores(l) {
			continue
		}
		var s []float32
		if p.prompt != nil {
			s = p.prompt[l]
		}
		if err := p.mgr.PrefillLayer(l, s, p.promptN); err != nil {
			return err
		}
	}
	p.prompt = nil
	p.decoding = true
	return nil
}

// policySlackPages is the spare pages per (layer, unit) beyond the need rounded up to
// pages. Appends refill holes before opening a page and compaction returns sparse ones, so
// every policy of TestPolicyStoreSizedForNeed runs without them; they cover a partly filled
// prompt page and a page opened before a step's evictions free a slot.
const policySlackPages = 2

// policyPages returns the pages the policy cache needs for one sequence. Without a prompt
// bound (maxPrompt 0) that is the whole context in every (layer, unit). With one, a
// (layer, unit) needs the larger of the whole prompt (resident until the prefill
// selection) and the prompt entries kept plus the most decode entries the schedule
// attends, for any request that fits the context, plus slack; never more than the whole
// context.
func policyPages(cfg scope.Config, shape scope.Shape, ctxLen, maxPrompt int) (int, error) {
	units := shape.Units(cfg.GQA)
	ps := cfg.PageSize
	perUnit := (ctxLen+ps-1)/ps + 2
	if maxPrompt < 0 {
		return 0, fmt.Errorf("%w: max prompt tokens %d", scope.ErrConfig, maxPrompt)
	}
	if maxPrompt > 0 && maxPrompt < ctxLen {
		need, err := unitNeed(cfg, shape.Layers, ctxLen, maxPrompt)
		if err != nil {
			return 0, err
		}
		perUnit = min(perUnit, (need+ps-1)/ps+policySlackPages)
	}
	return shape.Layers * units * perUnit, nil
}

// unitNeed returns the most entries one (layer, unit) holds at once for prompts of up to
// n tokens in a context of ctxLen positions.
func unitNeed(cfg scope.Config, layers, ctxLen, n int) (int, error) {
	kept := 0
	for _, p := range cfg.PrefillBudgets(n, layers) {
		kept = max(kept, p)
	}
	// a shorter prompt leaves room for more new tokens: delta (and Discontinuous' saw)
	// grows with T, so take the worse of the longest and the shortest prompt's T
	decode := 0
	for _, t := range []int{ctxLen - n, ctxLen} {
		if cfg.Decode == scope.DecodeNone {
			decode = max(decode, t)
			continue
		}
		peak, _, err := scope.DecodeFootprint(cfg, max(t, 1))
		if err != nil {
			return 0, err
		}
		decode = max(decode, peak)
	}
	return min(max(n, kept+decode), ctxLen), nil
}
