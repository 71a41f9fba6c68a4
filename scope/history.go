package scope

import "slices"

// history keeps, per (layer, unit), the attention each decode candidate received in the
// steps since it was written, for the scores that look past the current query
// (ScoreDecay, ScoreWindowMax). Entries are indexed by logical position from base, which
// a request never reuses, so a new entry starts from zero without clearing anything.
type history struct {
	mode  DecodeScore
	decay float32
	w     int         // ring length per entry (ScoreWindowMax), else 1
	base  int32       // first position that can be a candidate
	vals  [][]float32 // (layers*units) -> (pos-base)*w + ring index
}

func newHistory(cfg Config, slots int, base int32) *history {
	h := &history{mode: cfg.Score, decay: cfg.ScoreDecay, w: 1, base: base, vals: make([][]float32, slots)}
	if cfg.Score == ScoreWindowMax {
		h.w = cfg.ScoreWindow
	}
	return h
}

// record adds step's attention a of the entry at pos of slot (layer*units+unit).
func (h *history) record(slot int, pos int32, step int, a float32) {
	i := int(pos-h.base) * h.w
	v := h.vals[slot]
	if i+h.w > len(v) {
		v = append(v, make([]float32, i+h.w-len(v)+64*h.w)...)
		h.vals[slot] = v
	}
	if h.mode == ScoreDecay {
		v[i] = v[i]*h.decay + a
		return
	}
	v[i+step%h.w] = a
}

// score returns the entry's rank score: the decayed sum, or the window's maximum.
func (h *history) score(slot int, pos int32) float32 {
	i := int(pos-h.base) * h.w
	v := h.vals[slot]
	if i >= len(v) {
		return 0
	}
	best := v[i]
	for _, x := range v[i+1 : i+h.w] {
		best = max32(best, x)
	}
	return best
}

func (h *history) clone() *history {
	if h == nil {
		return nil
	}
	c := *h
	c.vals = make([][]float32, len(h.vals))
	for i, v := range h.vals {
		c.vals[i] = slices.Clone(v)
	}
	return &c
}
