package kv

import "slices"

// check verifies every invariant of the pool and of the reference model.
func (h *harness) check() {
	h.t.Helper()
	p := h.pool
	if !slices.Equal(h.mirrorPos, p.pos) {
		h.failf("backend mirror of positions diverged:\nmirror %v\nhost   %v", h.mirrorPos, p.pos)
	}
	listed := make([]int32, h.cfg.Pages)
	for _, r := range h.seqs {
		h.checkSeq(r, listed)
	}
	h.checkPages(listed)
}

func (h *harness) checkSeq(r *refSeq, listed []int32) {
	h.t.Helper()
	p, ps := h.pool, h.cfg.PageSize
	s := r.s
	for l := range h.cfg.Layers {
		entries, pages := 0, 0
		for u := range h.cfg.Units {
			idx := l*h.cfg.Units + u
			t := s.tables[idx]
			got := map[int32]int64{}
			for i, pg := range t {
				if slices.Index(t, pg) != i {
					h.failf("seq %d unit %d lists page %d twice: %v", s.id, idx, pg, t)
				}
				if p.refs[pg] < 1 || p.unit[pg] != int32(idx) {
					h.failf("seq %d unit %d lists page %d with refs %d unit %d", s.id, idx, pg, p.refs[pg], p.unit[pg])
				}
				listed[pg]++
				for off := range ps {
					if pos := p.pos[int(pg)*ps+off]; pos >= 0 {
						if _, dup := got[pos]; dup {
							h.failf("seq %d unit %d holds position %d twice", s.id, idx, pos)
						}
						got[pos] = h.payload[int(pg)*ps+off]
					}
				}
			}
			if !mapsEqual(got, r.live[idx]) {
				h.failf("seq %d unit %d: resident %v, want %v", s.id, idx, got, r.live[idx])
			}
			if int(s.entries[idx]) != len(got) {
				h.failf("seq %d unit %d counts %d entries, holds %d", s.id, idx, s.entries[idx], len(got))
			}
			h.checkHoles(s, idx)
			entries += len(got)
			pages += len(t)
		}
		if c := s.layers[l]; c.entries != entries || c.pages != pages {
			h.failf("seq %d layer %d counters %d entries %d pages, actual %d, %d", s.id, l, c.entries, c.pages, entries, pages)
		}
	}
}

func (h *harness) checkHoles(s *Seq, idx int) {
	h.t.Helper()
	p := h.pool
	for _, pg := range s.holes[idx] {
		if !p.inHoles[pg] || p.refs[pg] != 1 || p.owner[pg] != s.key(idx) || slices.Index(s.tables[idx], pg) < 0 {
			h.failf("seq %d unit %d hole page %d: inHoles %v refs %d owner %d", s.id, idx, pg, p.inHoles[pg], p.refs[pg], p.owner[pg])
		}
	}
}

// checkPages verifies reference counts, the free list and each page's free-offset stack.
func (h *harness) checkPages(listed []int32) {
	h.t.Helper()
	p := h.pool
	free := make([]bool, h.cfg.Pages)
	for _, pg := range p.freePages {
		if free[pg] {
			h.failf("page %d twice in the free list", pg)
		}
		free[pg] = true
	}
	used := 0
	for pg := range h.cfg.Pages {
		if p.refs[pg] != listed[pg] {
			h.failf("page %d refs %d, listed by %d tables", pg, p.refs[pg], listed[pg])
		}
		if (p.refs[pg] == 0) != free[pg] {
			h.failf("page %d refs %d but free=%v", pg, p.refs[pg], free[pg])
		}
		if p.refs[pg] > 0 {
			used++
		}
		h.checkPageSlots(int32(pg))
	}
	if used+len(p.freePages) != h.cfg.Pages {
		h.failf("used %d + free %d != %d pages", used, len(p.freePages), h.cfg.Pages)
	}
	inHoles := 0
	for _, r := range h.seqs {
		for _, hl := range r.s.holes {
			inHoles += len(hl)
		}
	}
	for pg := range h.cfg.Pages {
		if p.inHoles[pg] {
			inHoles--
		}
	}
	if inHoles != 0 {
		h.failf("hole lists and inHoles flags disagree by %d", inHoles)
	}
}

func (h *harness) checkPageSlots(pg int32) {
	h.t.Helper()
	p, ps := h.pool, h.cfg.PageSize
	live := 0
	var empty []int32
	for off := range ps {
		if p.pos[int(pg)*ps+off] >= 0 {
			live++
		} else {
			empty = append(empty, int32(off))
		}
	}
	if p.refs[pg] == 0 {
		if live != 0 {
			h.failf("free page %d has %d live slots", pg, live)
		}
		return
	}
	if live == 0 || int(p.live[pg]) != live {
		h.failf("page %d counts %d live, holds %d", pg, p.live[pg], live)
	}
	stack := slices.Clone(p.freeOff[int(pg)*ps : int(pg)*ps+ps-live])
	slices.Sort(stack)
	if !slices.Equal(stack, empty) {
		h.failf("page %d free offsets %v, empty slots %v", pg, stack, empty)
	}
}

func mapsEqual(a, b map[int32]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
