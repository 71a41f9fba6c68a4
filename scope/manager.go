package scope

import (
	"errors"
	"fmt"
	"slices"

	"github.com/scopekv/scope/kv"
)

// Errors of the Manager; check them with errors.Is.
var (
	ErrState    = errors.New("scope: call out of order")
	ErrScores   = errors.New("scope: scores missing or mis-sized")
	ErrInvalid  = errors.New("scope: invalid argument")
	ErrInternal = errors.New("scope: bookkeeping inconsistent")
)

// Shape is the attention geometry the policy needs.
type Shape struct {
	Layers  int
	Heads   int // query heads
	KVHeads int
}

// Units returns the selection units per layer: KV heads in group mode, query heads in
// faithful mode.
func (s Shape) Units(mode GQAMode) int {
	if mode == GQAFaithful {
		return s.Heads
	}
	return s.KVHeads
}

func (s Shape) validate() error {
	if s.Layers <= 0 || s.Heads <= 0 || s.KVHeads <= 0 || s.Heads%s.KVHeads != 0 {
		return fmt.Errorf("%w: shape %+v (heads must be a multiple of KV heads)", ErrInvalid, s)
	}
	return nil
}

type phase uint8

const (
	phasePrefill phase = iota
	phaseDecode
	phaseClosed
)

// Manager ties the policy to one sequence's pages: it hands out slots for new tokens,
// applies the prefill selection once and evicts decode entries after each step. See the
// package documentation for the call sequence.
type Manager struct {
	cfg   Config
	shape Shape
	units int // per layer
	group int // query heads per unit
	seq   *kv.Seq
	sched *Schedule
	phase phase

	promptStart int32 // logical position of the first prompt token
	promptLen   int   // N
	nextPos     int32 // position the next token must have
	budgets     []int // (layers) P_l, fixed at the prefill selection
	prefillDone []bool
	frozen      []int // (layers*units) leading table pages full of prompt entries: never change

	inStep   bool
	undo     stepUndo // state before Begin, for Abort
	plan     Plan
	observed []bool // (layers) scores received in this step
	slots    []int32
	slotsN   int // tokens in the last append

	acct accounting
	hist *history // scores kept across steps (nil for the current-query score)

	// scratch, reused every step
	sel      selector
	evict    []int32
	posBuf   []int32
	keepPos  []int32
	kept     []bool
	unitBuf  []float32
	rowBuf   []float32
	rows     [][]float32
	poolBuf  []float32
	rollback []int32
}

// NewManager starts a sequence in pool for a request of up to maxNewTokens new tokens (T,
// which sets delta). The pool must have shape.Layers layers, shape.Units(cfg.GQA) units
// and cfg.PageSize slots per page. cfg should have passed Validate with the model's
// context length; NewManager checks everything else again.
func NewManager(cfg Config, pool *kv.Pool, shape Shape, maxNewTokens int) (*Manager, error) {
	if err := cfg.Validate(1 << 30); err != nil {
		return nil, err
	}
	if err := shape.validate(); err != nil {
		return nil, err
	}
	units := shape.Units(cfg.GQA)
	pc := pool.Config()
	if pc.Layers != shape.Layers || pc.Units != units || pc.PageSize != cfg.PageSize {
		return nil, fmt.Errorf("%w: pool of %d layers x %d units, %d-slot pages; policy needs %d x %d, %d",
			ErrInvalid, pc.Layers, pc.Units, pc.PageSize, shape.Layers, units, cfg.PageSize)
	}
	sched, err := NewSchedule(cfg, maxNewTokens)
	if err != nil {
		return nil, err
	}
	m := &Manager{
		cfg: cfg, shape: shape, units: units, group: shape.Heads / units,
		seq: pool.NewSeq(), sched: sched, promptStart: -1,
		prefillDone: make([]bool, shape.Layers), observed: make([]bool, shape.Layers),
	}
	m.acct.init(maxNewTokens)
	return m, nil
}

// Seq returns the sequence's pages (for page tables and accounting).
func (m *Manager) Seq() *kv.Seq { return m.seq }

// Units returns the selection units per layer.
func (m *Manager) Units() int { return m.units }

// Schedule returns the decode schedule (read-only use).
func (m *Manager) Schedule() *Schedule { return m.sched }

// NextPlan returns the plan the next Begin will return (inside a step: the current plan),
// so the runtime can prepare score buffers before the step.
func (m *Manager) NextPlan() Plan {
	if m.inStep {
		return m.plan
	}
	return m.sched.Peek()
}

// PrefillBudget returns P_l, the prompt entries layer l keeps (valid after the prompt is
// complete; the prompt length before the selection).
func (m *Manager) PrefillBudget(layer int) int {
	if m.budgets == nil || layer < 0 || layer >= len(m.budgets) {
		return m.promptLen
	}
	return m.budgets[layer]
}

// LayerSlots returns the slots of the last AppendPrompt or Begin for one layer, laid out
// (tokens, units) as the backend's KVWrite wants them.
func (m *Manager) LayerSlots(layer int) []int32 {
	if layer < 0 || layer >= m.shape.Layers {
		return nil
	}
	n := m.slotsN * m.units
	return m.slots[layer*n : (layer+1)*n]
}

// ScoreStride returns the smallest score row stride that covers every page table of the
// layer (table slots, pages*PageSize).
func (m *Manager) ScoreStride(layer int) int {
	most := 0
	for u := range m.units {
		most = max(most, len(m.seq.Table(layer, u)))
	}
	return most * m.cfg.PageSize
}

// appendToken allocates slots for tokens pos0..pos0+n-1 in every (layer, unit), laid out
// (layers, n, units). On error nothing stays allocated.
func (m *Manager) appendTokens(pos0 int32, n int) error {
	m.slots = slices.Grow(m.slots[:0], m.shape.Layers*n*m.units)[:m.shape.Layers*n*m.units]
	m.slotsN = n
	i := 0
	for l := range m.shape.Layers {
		for t := range n {
			for u := range m.units {
				s, err := m.seq.Append(l, u, pos0+int32(t))
				if err != nil {
					m.undoAppend(i, n)
					return err
				}
				m.slots[i] = s
				i++
			}
		}
	}
	return nil
}

// undoAppend frees the first done slots of a failed append.
func (m *Manager) undoAppend(done, n int) {
	for i := range done {
		l, u := i/(n*m.units), i%m.units
		m.rollback = append(m.rollback[:0], m.slots[i])
		_ = m.seq.FreeSlots(l, u, m.rollback) // fresh exclusive slots: cannot fail
	}
	m.slotsN = 0
}

// Fork returns a manager for a copy of this sequence that shares its pages (copy-on-write),
// for example to branch a generation. It must be called between steps. An eviction in a
// shared page copies the page first, so it needs a free page (else kv.ErrOutOfPages).
func (m *Manager) Fork() (*Manager, error) {
	if m.inStep || m.phase == phaseClosed {
		return nil, fmt.Errorf("%w: fork inside a step or after close", ErrState)
	}
	seq, err := m.seq.Fork()
	if err != nil {
		return nil, err
	}
	c := &Manager{
		cfg: m.cfg, shape: m.shape, units: m.units, group: m.group, seq: seq, phase: m.phase,
		promptStart: m.promptStart, promptLen: m.promptLen, nextPos: m.nextPos,
		budgets: slices.Clone(m.budgets), prefillDone: slices.Clone(m.prefillDone),
		frozen:   slices.Clone(m.frozen),
		observed: make([]bool, m.shape.Layers),
	}
	sched := *m.sched
	c.sched = &sched
	c.acct = m.acct.clone()
	c.hist = m.hist.clone()
	return c, nil
}

// Close returns the sequence's pages to the pool. A second Close does nothing.
func (m *Manager) Close() {
	m.seq.Close()
	m.phase = phaseClosed
	m.inStep = false
}
