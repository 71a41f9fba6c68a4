package engine

import "github.com/scopekv/scope/scope"

// geometry is what the projection needs to know about the model's KV cache.
type geometry struct {
	shape   scope.Shape
	headDim int
	context int
}

// slackPages per (layer, unit): a partly filled page at each end of the kept run.
const slackPages = 2

// entries projects the most KV entries one (layer, unit) holds at once: the whole
// sequence with full KV; with a policy, the prompt while it is evaluated, then the kept
// prompt plus the decode budget (D, delta steps between refreshes, the token in flight).
func (g geometry) entries(cfg scope.Config, prompt, maxNew int) int {
	all := prompt + maxNew
	kept := prompt
	switch cfg.Prefill {
	case scope.PrefillFull, scope.PrefillPyramidKV:
		// PyramidKV gives some layers more than P: count the whole prompt.
	default:
		kept = min(prompt, cfg.PrefillBudget)
	}
	return min(all, max(prompt, kept+decodeEntries(cfg, maxNew)))
}

// decodeEntries is the most decode entries a policy holds in one step, the new token
// included: D for Slide and the baselines; for Adaptive the budget reached at step T
// (R + (T-1)/delta, at most D when capped), plus a refresh period for Discontinuous.
func decodeEntries(cfg scope.Config, maxNew int) int {
	d := cfg.DecodeBudget
	switch cfg.Decode {
	case scope.DecodeNone:
		return maxNew
	case scope.DecodeAdaptive, scope.DecodeDiscontinuous:
		delta := cfg.DeltaFor(maxNew)
		d = cfg.Recent + (maxNew-1)/delta
		if cfg.CapBudget {
			d = min(d, cfg.DecodeBudget)
		}
		if cfg.Decode == scope.DecodeDiscontinuous {
			d += cfg.PeriodFor(delta)
		}
	}
	return min(maxNew, d+1)
}

// pages is the projected page count over every (layer, unit) of the pool.
func (g geometry) pages(cfg scope.Config, prompt, maxNew int) int {
	perUnit := (g.entries(cfg, prompt, maxNew)+cfg.PageSize-1)/cfg.PageSize + slackPages
	return g.shape.Layers * g.shape.Units(cfg.GQA) * perUnit
}

// pageBytes is the size of one page as the runtime's pool counts it (K and V in float32
// and a position per slot).
func (g geometry) pageBytes(pageSize int) int64 {
	return int64(pageSize) * (int64(8*g.headDim) + 4)
}

// bytes is the projected reservation in bytes.
func (g geometry) bytes(cfg scope.Config, prompt, maxNew int) int64 {
	return int64(g.pages(cfg, prompt, maxNew)) * g.pageBytes(cfg.PageSize)
}

// fullBytes is the most a request can ever need: every token resident.
func (g geometry) fullBytes(cfg scope.Config, prompt, maxNew int) int64 {
	perUnit := (prompt+maxNew+cfg.PageSize-1)/cfg.PageSize + slackPages
	return int64(g.shape.Layers*g.shape.Units(cfg.GQA)*perUnit) * g.pageBytes(cfg.PageSize)
}
