package scope

import (
	"fmt"
	"slices"

	"github.com/scopekv/scope/kv"
)

// AppendPrompt allocates slots for prompt tokens at positions pos0..pos0+n-1 in every
// (layer, unit) and returns them laid out (layers, n, units); see LayerSlots. Chunks must
// be contiguous. The returned slice is reused by the next append.
func (m *Manager) AppendPrompt(pos0 int32, n int) ([]int32, error) {
	if m.phase != phasePrefill || m.budgets != nil {
		return nil, fmt.Errorf("%w: prompt append after the prefill selection", ErrState)
	}
	if n < 0 || pos0 < 0 || (m.promptStart >= 0 && pos0 != m.promptStart+int32(m.promptLen)) {
		return nil, fmt.Errorf("%w: prompt chunk of %d tokens at %d (next position %d)",
			ErrInvalid, n, pos0, m.promptStart+int32(m.promptLen))
	}
	if err := m.appendTokens(pos0, n); err != nil {
		return nil, err
	}
	if m.promptStart < 0 {
		m.promptStart = pos0
	}
	m.promptLen += n
	return m.slots, nil
}

// PrefillNeedsScores reports whether PrefillLayer needs scores for layer l: the method
// scores prompt keys and the prompt exceeds the layer's budget.
func (m *Manager) PrefillNeedsScores(layer int) bool {
	switch m.cfg.Prefill {
	case PrefillSnapKV, PrefillPyramidKV, PrefillH2O:
		return m.prefillBudgets()[layer] < m.promptLen
	}
	return false
}

// PrefillLayer runs the prefill selection of one layer after the whole prompt was
// appended and frees the prompt entries it drops. scores is (Heads, stride) in
// page-table order like the decode scores: scores[h*stride + i] belongs to slot i of head
// h's unit table (i = pageIndex*PageSize + offset). A prompt appended to an empty sequence
// fills its tables in order, so there column i is simply prompt token i and stride may be
// the prompt length. SnapKV/PyramidKV want the observation window's attention summed over
// its queries (the Attention op with ScoreRows = w, or SnapKVScores), H2O the causal
// cumulative sums (H2OAccumulator); both unpooled, per query head: the manager pools in
// position order, averages each group in group mode, and ranks. Methods that need no
// scores take nil. The layer's pages are then compacted: the one prefill compaction.
func (m *Manager) PrefillLayer(layer int, scores []float32, stride int) error {
	if m.phase != phasePrefill {
		return fmt.Errorf("%w: prefill selection after decoding started", ErrState)
	}
	if layer < 0 || layer >= m.shape.Layers || m.prefillDone[layer] {
		return fmt.Errorf("%w: prefill selection of layer %d twice or out of range", ErrState, layer)
	}
	n, budget := m.promptLen, m.prefillBudgets()[layer]
	if m.PrefillNeedsScores(layer) {
		if stride < 1 || len(scores) < m.shape.Heads*stride {
			return fmt.Errorf("%w: layer %d needs (%d heads, stride) prompt scores, got %d values with stride %d",
				ErrScores, layer, m.shape.Heads, len(scores), stride)
		}
	}
	if budget < n {
		for u := range m.units {
			if err := m.selectPrompt(layer, u, scores, stride, budget); err != nil {
				return err
			}
		}
	}
	m.prefillDone[layer] = true
	return nil
}

// prefillBudgets fixes P_l for every layer once the prompt is complete.
func (m *Manager) prefillBudgets() []int {
	if m.budgets == nil {
		m.budgets = m.cfg.PrefillBudgets(m.promptLen, m.shape.Layers)
	}
	return m.budgets
}

// selectPrompt keeps budget prompt entries of (layer, unit), frees the rest and compacts.
func (m *Manager) selectPrompt(layer, unit int, scores []float32, stride, budget int) error {
	n := m.promptLen
	switch m.cfg.Prefill {
	case PrefillStreamingLLM:
		m.keepPos = KeepStreaming(m.keepPos[:0], n, budget, m.cfg.streamingWindow())
	default:
		w := m.cfg.Window
		unitScores, err := m.unitPromptScores(layer, unit, scores, stride, n-w)
		if err != nil {
			return err
		}
		m.keepPos = KeepScored(m.keepPos[:0], unitScores, n, budget, w)
	}
	m.kept = growBools(m.kept, n)
	for _, p := range m.keepPos {
		m.kept[p] = true
	}
	if err := m.freeWhere(layer, unit, func(pos int32) bool {
		rel := pos - m.promptStart
		return rel >= 0 && int(rel) < n && !m.kept[rel]
	}); err != nil {
		return err
	}
	_, err := m.seq.Compact(layer, unit, kv.CompactRule{})
	return err
}

// unitPromptScores returns the unit's score per prompt position 0..cols-1: each query
// head's table-order row mapped to positions, pooled for SnapKV/PyramidKV, averaged over
// the unit's query heads.
func (m *Manager) unitPromptScores(layer, unit int, scores []float32, stride, cols int) ([]float32, error) {
	m.posBuf = m.seq.TablePositions(layer, unit, m.posBuf[:0])
	m.unitBuf = resize(m.unitBuf, cols)
	clear(m.unitBuf)
	pooled := m.cfg.Prefill == PrefillSnapKV || m.cfg.Prefill == PrefillPyramidKV
	h0, heads := m.unitHeads(unit)
	for h := h0; h < h0+heads; h++ {
		m.rowBuf = resize(m.rowBuf, cols)
		clear(m.rowBuf)
		for i, pos := range m.posBuf {
			rel := int(pos - m.promptStart)
			if pos < 0 || rel < 0 || rel >= cols {
				continue
			}
			if i >= stride {
				return nil, fmt.Errorf("%w: layer %d unit %d holds prompt token %d at table slot %d, past the score stride %d",
					ErrScores, layer, unit, rel, i, stride)
			}
			m.rowBuf[rel] = scores[h*stride+i]
		}
		row := m.rowBuf
		if pooled {
			m.poolBuf = Pool1D(m.poolBuf, row, m.cfg.Kernel, m.cfg.Pooling)
			row = m.poolBuf
		}
		for j, v := range row {
			m.unitBuf[j] += v
		}
	}
	inv := 1 / float32(heads)
	for j := range m.unitBuf {
		m.unitBuf[j] *= inv
	}
	return m.unitBuf, nil
}

// unitHeads returns the first query head of a unit and how many heads it spans.
func (m *Manager) unitHeads(unit int) (first, count int) {
	return unit * m.group, m.group
}

// freeWhere frees every live entry of (layer, unit) whose position matches drop.
func (m *Manager) freeWhere(layer, unit int, drop func(pos int32) bool) error {
	ps := m.cfg.PageSize
	table := m.seq.Table(layer, unit)
	m.posBuf = m.seq.TablePositions(layer, unit, m.posBuf[:0])
	m.evict = m.evict[:0]
	for i, pos := range m.posBuf {
		if pos >= 0 && drop(pos) {
			m.evict = append(m.evict, table[i/ps]*int32(ps)+int32(i%ps))
		}
	}
	return m.seq.FreeSlots(layer, unit, m.evict)
}

// finishPrefill runs the selection of layers the runtime did not give scores for (methods
// without scores) and starts decoding with the token at pos.
func (m *Manager) finishPrefill(pos int32) error {
	budgets := m.prefillBudgets()
	for l := range m.shape.Layers {
		if m.prefillDone[l] {
			continue
		}
		if m.PrefillNeedsScores(l) {
			return fmt.Errorf("%w: layer %d needs prefill scores (%v keeps %d of %d prompt entries)",
				ErrScores, l, m.cfg.Prefill, budgets[l], m.promptLen)
		}
		if err := m.PrefillLayer(l, nil, 0); err != nil {
			return err
		}
	}
	m.freezePrompt()
	m.phase = phaseDecode
	if m.promptStart < 0 { // no prompt: decoding starts wherever the caller says
		m.promptStart = pos
	}
	m.nextPos = m.promptStart + int32(m.promptLen)
	return nil
}

func growBools(b []bool, n int) []bool {
	if cap(b) < n {
		return make([]bool, n)
	}
	b = b[:n]
	clear(b)
	return b
}

// freezePrompt records, per unit, the leading table pages that are full of prompt entries.
// Decode policies that protect the prompt never touch them, so eviction scans and
// compaction skip them (the unified H2O baseline evicts prompt entries: nothing is frozen).
func (m *Manager) freezePrompt() {
	m.frozen = make([]int, m.shape.Layers*m.units)
	if m.cfg.Decode == DecodeH2O {
		return
	}
	ps := m.cfg.PageSize
	for l := range m.shape.Layers {
		for u := range m.units {
			m.posBuf = m.seq.TablePositions(l, u, m.posBuf[:0])
			full := 0
			for full*ps < len(m.posBuf) && !slices.Contains(m.posBuf[full*ps:(full+1)*ps], -1) {
				full++
			}
			m.frozen[l*m.units+u] = full
		}
	}
}
