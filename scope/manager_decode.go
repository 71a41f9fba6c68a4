package scope

import (
	"fmt"

	"github.com/scopekv/scope/kv"
)

// Begin starts decode step s for the token at logical position pos (the prompt's end on
// the first step, then one more each step). It runs any pending prefill selection of
// methods without scores, allocates the token's slot in every (layer, unit) (LayerSlots),
// and returns the step's plan: when plan.NeedScores, the attention of this step must report
// scores and every layer must be handed to Observe before End.
func (m *Manager) Begin(pos int32) (Plan, error) {
	if m.phase == phasePrefill {
		if err := m.finishPrefill(pos); err != nil {
			return Plan{}, err
		}
	}
	if m.phase != phaseDecode || m.inStep {
		return Plan{}, fmt.Errorf("%w: Begin inside a step or after Close", ErrState)
	}
	if pos != m.nextPos {
		return Plan{}, fmt.Errorf("%w: token position %d, want %d", ErrInvalid, pos, m.nextPos)
	}
	if err := m.appendTokens(pos, 1); err != nil {
		return Plan{}, err
	}
	m.saveUndo()
	m.plan = m.sched.Next()
	m.inStep = true
	clear(m.observed)
	m.seq.Sample()
	m.acct.begin(m.plan, m.residentEntries(m.plan.Entries))
	return m.plan, nil
}

// Observe hands over the scores of one layer for the current step and evicts that layer's
// entries. probs is (Heads, stride): probs[h*stride + i] is query head h's attention
// probability of slot i of its unit's page table (i = pageIndex*PageSize + offset), as the
// backend's Attention op reports it; empty slots are ignored. In group mode the heads of a
// KV head are averaged. Only valid when the plan asked for scores.
func (m *Manager) Observe(layer int, probs []float32, stride int) error {
	if !m.inStep || !m.plan.NeedScores {
		return fmt.Errorf("%w: Observe outside a step that needs scores", ErrState)
	}
	if layer < 0 || layer >= m.shape.Layers || m.observed[layer] {
		return fmt.Errorf("%w: scores of layer %d twice or out of range", ErrState, layer)
	}
	if need := m.ScoreStride(layer); stride < need || len(probs) < m.shape.Heads*stride {
		return fmt.Errorf("%w: layer %d needs (%d heads, stride >= %d) scores, got %d values with stride %d",
			ErrScores, layer, m.shape.Heads, need, len(probs), stride)
	}
	for u := range m.units {
		if m.cfg.Score.history() {
			m.recordUnit(layer, u, probs, stride)
		}
		if m.plan.Evict == 0 {
			continue
		}
		if err := m.evictUnit(layer, u, probs, stride); err != nil {
			return err
		}
	}
	m.observed[layer] = true
	return nil
}

// End finishes the step: positional policies evict now, pages are compacted where it pays
// (refresh steps only) and the accounting is updated. If a layer's scores are missing it
// returns ErrScores and changes nothing; hand them over and call End again.
func (m *Manager) End() error {
	if !m.inStep {
		return fmt.Errorf("%w: End outside a step", ErrState)
	}
	p := m.plan
	if p.NeedScores {
		for l, ok := range m.observed {
			if !ok {
				return fmt.Errorf("%w: step %d has no scores for layer %d", ErrScores, p.Step, l)
			}
		}
	}
	if p.Evict > 0 && !p.NeedScores { // StreamingLLM: by position
		for l := range m.shape.Layers {
			for u := range m.units {
				if err := m.evictUnit(l, u, nil, 0); err != nil {
					return err
				}
			}
		}
	}
	moved := 0
	if p.Evict > 0 {
		var err error
		if moved, err = m.compact(); err != nil {
			return err
		}
	}
	m.acct.end(p, p.Evict*m.shape.Layers*m.units, moved)
	m.inStep = false
	m.nextPos++
	return m.checkCounts()
}

// evictUnit ranks the candidates of (layer, unit) and frees the plan's number of them.
// Candidates are decode entries outside the recent window (the unified H2O baseline adds
// prompt entries); the recent window holds the newest R positions, the new token included.
func (m *Manager) evictUnit(layer, unit int, probs []float32, stride int) error {
	ps := m.cfg.PageSize
	first := m.frozen[layer*m.units+unit]
	table := m.seq.Table(layer, unit)[first:]
	m.posBuf = m.seq.TablePositionsFrom(layer, unit, first, m.posBuf[:0])
	if probs != nil {
		probs = probs[first*ps:] // score index i of the scanned pages is first*ps + i
	}
	lo := m.candidateLo()
	hi := m.nextPos - int32(m.cfg.Recent) + 1 // first recent position
	rows := m.unitRows(unit, probs, stride, len(m.posBuf))
	m.sel.reset()
	for i, pos := range m.posBuf {
		if pos < lo || pos >= hi {
			continue
		}
		score := meanAt(rows, i)
		if m.hist != nil {
			score = m.hist.score(layer*m.units+unit, pos)
		}
		m.sel.add(score, pos, table[i/ps]*int32(ps)+int32(i%ps))
	}
	keep := m.keepCount(layer)
	if len(m.sel.c)-keep != m.plan.Evict {
		return fmt.Errorf("%w: layer %d unit %d has %d candidates for %d kept, plan evicts %d",
			ErrInternal, layer, unit, len(m.sel.c), keep, m.plan.Evict)
	}
	m.sel.keepBest(keep)
	m.evict = m.evict[:0]
	for _, c := range m.sel.c[keep:] {
		m.evict = append(m.evict, c.slot)
	}
	return m.seq.FreeSlots(layer, unit, m.evict)
}

// candidateLo returns the first position a decode rebuild may evict: the first decoded
// one, or the prompt's first for the unified H2O baseline.
func (m *Manager) candidateLo() int32 {
	if m.cfg.Decode == DecodeH2O {
		return 0
	}
	return m.promptStart + int32(m.promptLen)
}

// meanAt returns the mean of rows[*][i] (0 without rows): a unit's score of table slot i.
func meanAt(rows [][]float32, i int) float32 {
	if len(rows) == 0 {
		return 0
	}
	var score float32
	for _, r := range rows {
		score += r[i]
	}
	return score * (1 / float32(len(rows)))
}

// recordUnit adds this step's attention of every candidate of (layer, unit), the new
// token included, to the score history.
func (m *Manager) recordUnit(layer, unit int, probs []float32, stride int) {
	lo := m.candidateLo()
	if m.hist == nil {
		m.hist = newHistory(m.cfg, m.shape.Layers*m.units, lo)
	}
	ps := m.cfg.PageSize
	first := m.frozen[layer*m.units+unit]
	m.posBuf = m.seq.TablePositionsFrom(layer, unit, first, m.posBuf[:0])
	rows := m.unitRows(unit, probs[first*ps:], stride, len(m.posBuf))
	for i, pos := range m.posBuf {
		if pos >= lo {
			m.hist.record(layer*m.units+unit, pos, m.plan.Step, meanAt(rows, i))
		}
	}
}

// unitRows returns the score rows of the unit's query heads, each n long (nil without
// scores).
func (m *Manager) unitRows(unit int, probs []float32, stride, n int) [][]float32 {
	if probs == nil {
		return nil
	}
	h0, heads := m.unitHeads(unit)
	m.rows = m.rows[:0]
	for h := h0; h < h0+heads; h++ {
		m.rows = append(m.rows, probs[h*stride:h*stride+n])
	}
	return m.rows
}

// keepCount returns how many candidates a rebuild keeps in a layer.
func (m *Manager) keepCount(layer int) int {
	switch m.cfg.Decode {
	case DecodeH2O:
		return m.budgets[layer] + m.cfg.DecodeBudget - m.cfg.Recent
	case DecodeStreamingLLM:
		return m.cfg.DecodeBudget - m.cfg.Recent
	}
	return m.plan.Budget - m.cfg.Recent
}

// compact returns sparse pages of every unit to the pool, keeping enough holes for the
// appends before the next refresh, and returns the number of slots moved.
func (m *Manager) compact() (int, error) {
	rule := kv.CompactRule{Reserve: 1}
	if m.cfg.Decode == DecodeDiscontinuous {
		rule.Reserve = m.sched.Period()
	}
	moved := 0
	for l := range m.shape.Layers {
		for u := range m.units {
			rule.FirstPage = m.frozen[l*m.units+u]
			moves, err := m.seq.Compact(l, u, rule)
			if err != nil {
				return moved, err
			}
			moved += len(moves)
		}
	}
	return moved, nil
}

// residentEntries returns the entries of all layers and units when each holds its prompt
// entries plus decode decode entries.
func (m *Manager) residentEntries(decode int) int {
	total := 0
	for _, b := range m.budgets {
		total += (b + decode) * m.units
	}
	return total
}

// checkCounts verifies that every unit holds its prompt entries plus the schedule's decode
// entries, so a bookkeeping error surfaces at the step that caused it.
func (m *Manager) checkCounts() error {
	n := m.sched.Entries()
	for l := range m.shape.Layers {
		for u := range m.units {
			if got, want := m.seq.Entries(l, u), m.budgets[l]+n; got != want {
				return fmt.Errorf("%w: layer %d unit %d holds %d entries, want %d", ErrInternal, l, u, got, want)
			}
		}
	}
	return nil
}
