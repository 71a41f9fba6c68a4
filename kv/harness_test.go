package kv

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// harness drives a pool with decoded commands and checks it against a naive reference
// model after every step: per sequence and unit, the multiset of (position, payload) pairs
// that must be resident. Payloads stand in for K/V data: the harness applies the update log
// to a mirror of positions and payloads, as a backend would, so lost or misrouted copies
// show up as wrong payloads.
type harness struct {
	t    testing.TB
	pool *Pool
	cfg  Config
	seqs []*refSeq

	mirrorPos []int32 // what a backend holds after applying the update log
	payload   []int64 // K/V stand-in per slot
	lowPos    []int32 // the same, for a backend that applies the lowered log
	lowData   []int64
	lowered   Lowered
	nextData  int64
	updates   []Update
	log       []string // commands so far, for failure messages
	hold      int      // commands whose updates stay in the log, so copies can chain
	waves     int      // most copy waves seen in one lowering
}

// settle applies the update log unless the harness is still holding it back.
func (h *harness) settle() {
	if h.hold > 1 {
		h.hold--
		return
	}
	h.applyUpdates() // the last held command drains everything

}

type refSeq struct {
	s    *Seq
	live []map[int32]int64 // (units) position -> payload
	next []int32           // (units) next position to append
}

func newHarness(t testing.TB, cfg Config) *harness {
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatalf("NewPool(%+v): %v", cfg, err)
	}
	h := &harness{t: t, pool: p, cfg: cfg}
	h.mirrorPos = slices.Clone(p.pos)
	h.payload = make([]int64, len(p.pos))
	h.lowPos = slices.Clone(p.pos)
	h.lowData = make([]int64, len(p.pos))
	return h
}

func (h *harness) failf(format string, args ...any) {
	h.t.Helper()
	h.t.Fatalf("after %v:\n"+format, append([]any{h.log}, args...)...)
}

// applyUpdates mirrors the pool's update log like a backend would.
func (h *harness) applyUpdates() {
	ps := h.cfg.PageSize
	h.hold = 0
	h.updates = h.pool.DrainUpdates(h.updates[:0])
	for _, u := range h.updates {
		switch u.Kind {
		case SetPos:
			h.mirrorPos[u.Dst] = u.Pos
		case CopySlot:
			h.payload[u.Dst] = h.payload[u.Src]
		case CopyPage:
			copy(h.mirrorPos[int(u.Dst)*ps:int(u.Dst+1)*ps], h.mirrorPos[int(u.Src)*ps:int(u.Src+1)*ps])
			copy(h.payload[int(u.Dst)*ps:int(u.Dst+1)*ps], h.payload[int(u.Src)*ps:int(u.Src+1)*ps])
		case ClearPage:
			for i := int(u.Dst) * ps; i < int(u.Dst+1)*ps; i++ {
				h.mirrorPos[i] = -1
			}
		default:
			h.failf("unknown update %v", u)
		}
	}
	h.applyLowered()
}

// applyLowered mirrors the same log through Pool.Lower, running each copy wave as a
// parallel backend would (all reads before any write; sources emptied), then the position
// writes, and checks the result against the ordered mirror.
func (h *harness) applyLowered() {
	h.pool.Lower(h.updates, &h.lowered)
	lw := &h.lowered
	h.waves = max(h.waves, len(lw.WaveEnd))
	for i := range lw.WaveEnd {
		src, dst := lw.Wave(i)
		data := make([]int64, len(src))
		for j, s := range src {
			data[j] = h.lowData[s]
		}
		pos := make([]int32, len(src))
		for j, s := range src {
			pos[j] = h.lowPos[s]
		}
		for j, s := range src {
			h.lowPos[s] = -1
			if slices.Contains(dst, s) || slices.Contains(src[:j], dst[j]) || slices.Contains(dst[:j], dst[j]) {
				h.failf("wave %d reads and writes the same slot: %v -> %v", i, src, dst)
			}
		}
		for j, d := range dst {
			h.lowData[d], h.lowPos[d] = data[j], pos[j]
		}
	}
	for i, s := range lw.Slots {
		h.lowPos[s] = lw.Pos[i]
	}
	if !slices.Equal(h.lowPos, h.mirrorPos) {
		h.failf("lowered mirror positions %v, ordered mirror %v (log %v)", h.lowPos, h.mirrorPos, h.updates)
	}
	for s, pos := range h.mirrorPos {
		if pos >= 0 && h.lowData[s] != h.payload[s] {
			h.failf("lowered mirror slot %d holds %d, ordered mirror %d (log %v)", s, h.lowData[s], h.payload[s], h.updates)
		}
	}
}

func (h *harness) units() int { return h.cfg.Layers * h.cfg.Units }

func (h *harness) newSeq() {
	r := &refSeq{s: h.pool.NewSeq(), live: make([]map[int32]int64, h.units()), next: make([]int32, h.units())}
	for i := range r.live {
		r.live[i] = map[int32]int64{}
	}
	h.seqs = append(h.seqs, r)
}

func (h *harness) append(r *refSeq, l, u int) {
	idx := l*h.cfg.Units + u
	pos := r.next[idx]
	slot, err := r.s.Append(l, u, pos)
	h.applyUpdates()
	if err != nil {
		if !errors.Is(err, ErrOutOfPages) || h.pool.FreePages() != 0 {
			h.failf("Append: %v with %d free pages", err, h.pool.FreePages())
		}
		return
	}
	if pg := int(slot) / h.cfg.PageSize; h.pool.refs[pg] != 1 {
		h.failf("Append wrote slot %d of shared page %d", slot, pg)
	}
	h.nextData++
	h.payload[slot] = h.nextData
	h.lowData[slot] = h.nextData
	r.live[idx][pos] = h.nextData
	r.next[idx]++
}

// liveSlots lists the live slots of (l, u) in page-table order.
func (h *harness) liveSlots(r *refSeq, l, u int) []Slot {
	var out []Slot
	for _, pg := range r.s.Table(l, u) {
		for off := range h.cfg.PageSize {
			if s := Slot(int(pg)*h.cfg.PageSize + off); h.pool.Pos(s) >= 0 {
				out = append(out, s)
			}
		}
	}
	return out
}

// evict frees the live entries picked by pick (indexes into liveSlots, may repeat).
func (h *harness) evict(r *refSeq, l, u int, pick []byte) {
	slots := h.liveSlots(r, l, u)
	if len(slots) == 0 {
		return
	}
	var batch []Slot
	for _, b := range pick {
		s := slots[int(b)%len(slots)]
		if !slices.Contains(batch, s) {
			batch = append(batch, s)
		}
	}
	positions := make([]int32, len(batch))
	for i, s := range batch {
		positions[i] = h.pool.Pos(s)
	}
	err := r.s.FreeSlots(l, u, batch)
	h.settle()
	if err != nil {
		if !errors.Is(err, ErrOutOfPages) {
			h.failf("FreeSlots(%v): %v", batch, err)
		}
		return
	}
	for _, p := range positions {
		delete(r.live[l*h.cfg.Units+u], p)
	}
}

func (h *harness) compact(r *refSeq, l, u int, rule CompactRule) {
	before := h.pool.FreePages()
	moves, err := r.s.Compact(l, u, rule)
	if err != nil {
		h.failf("Compact(%+v): %v", rule, err)
	}
	moves = slices.Clone(moves)
	h.settle()
	for _, m := range moves {
		if h.pool.Pos(m.Src) >= 0 && !slices.ContainsFunc(moves, func(o Move) bool { return o.Dst == m.Src }) {
			h.failf("compaction source %d still live", m.Src)
		}
	}
	freed := h.pool.FreePages() - before
	if len(moves) > 0 && freed < 1 {
		h.failf("compaction made %d copies and freed %d pages", len(moves), freed)
	}
	maxPer := rule.MaxCopiesPerPage
	if maxPer == 0 {
		maxPer = h.cfg.PageSize
	}
	if len(moves) > maxPer*freed {
		h.failf("compaction made %d copies for %d pages (max %d per page)", len(moves), freed, maxPer)
	}
}

// badFree tries to free slots that are not live in (l, u) and expects an error.
func (h *harness) badFree(r *refSeq, l, u int, b byte) {
	var slot Slot
	switch b % 4 {
	case 0:
		slot = -1 - Slot(b)
	case 1:
		slot = Slot(len(h.pool.pos) + int(b))
	default: // any slot not live in this table: empty, evicted, or another table's
		slot = Slot(int(b) % max(1, len(h.pool.pos)))
		if slices.Contains(h.liveSlots(r, l, u), slot) {
			return
		}
	}
	if err := r.s.FreeSlots(l, u, []Slot{slot}); !errors.Is(err, ErrBadSlot) {
		h.failf("freeing foreign slot %d: err %v, want ErrBadSlot", slot, err)
	}
	h.settle()
}

func (h *harness) fork(r *refSeq) {
	c, err := r.s.Fork()
	if err != nil {
		h.failf("Fork: %v", err)
	}
	n := &refSeq{s: c, live: make([]map[int32]int64, h.units()), next: slices.Clone(r.next)}
	for i, m := range r.live {
		n.live[i] = map[int32]int64{}
		for k, v := range m {
			n.live[i][k] = v
		}
	}
	h.seqs = append(h.seqs, n)
	h.settle()
}

func (h *harness) close(i int) {
	h.seqs[i].s.Close()
	h.seqs[i].s.Close() // harmless
	h.seqs = slices.Delete(h.seqs, i, i+1)
	h.settle()
}

func (h *harness) note(format string, args ...any) {
	h.log = append(h.log, fmt.Sprintf(format, args...))
}
