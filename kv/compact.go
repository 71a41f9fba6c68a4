package kv

import (
	"cmp"
	"fmt"
	"slices"
)

// CompactRule says when compaction pays; see the package documentation.
type CompactRule struct {
	// Reserve is the number of free slots to leave in the unit's own pages, normally the
	// number of appends expected before the next refresh (1 for per-step policies, the
	// refresh period for discontinuous refreshes, 0 right after the prefill selection).
	Reserve int
	// MaxCopiesPerPage bounds the average number of slot copies per freed page;
	// 0 means PageSize, i.e. any page that can be freed is worth freeing.
	MaxCopiesPerPage int
	// FirstPage leaves the table pages before this index alone (for example full pages of
	// a frozen prompt region), which also saves scanning them.
	FirstPage int
}

type pageLive struct{ page, live int32 }

// Compact moves live slots of (layer, unit) out of its sparsest own pages so that whole
// pages return to the pool, and returns the copies the backend must perform (also logged as
// CopySlot updates). The returned slice is reused by the next call. Shared pages are left
// alone: copying out of them would free nothing.
func (s *Seq) Compact(layer, unit int, rule CompactRule) ([]Move, error) {
	p := s.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	idx, err := s.index(layer, unit)
	if err != nil {
		return nil, err
	}
	if rule.Reserve < 0 || rule.MaxCopiesPerPage < 0 || rule.FirstPage < 0 {
		return nil, fmt.Errorf("%w: compact rule %+v", ErrInvalid, rule)
	}
	s.moves = s.moves[:0]
	k := s.planCompaction(idx, rule)
	if k == 0 {
		return s.moves, nil
	}
	dests := s.order[k:]
	d := len(dests) - 1 // fill the densest destinations first, keeping holes together
	ps := p.cfg.PageSize
	for _, src := range s.order[:k] {
		for off := range ps {
			from := Slot(int(src.page)*ps + off)
			if p.pos[from] < 0 {
				continue
			}
			for int(p.live[dests[d].page]) == ps {
				d--
			}
			s.moveSlot(idx, from, dests[d].page)
		}
		s.removePage(idx, src.page)
	}
	return s.moves, nil
}

// planCompaction sorts the unit's own pages by live count into s.order and returns how many
// of the sparsest ones to empty.
func (s *Seq) planCompaction(idx int, rule CompactRule) int {
	p := s.pool
	ps := p.cfg.PageSize
	s.order = s.order[:0]
	free := 0
	t := s.tables[idx]
	for _, pg := range t[min(rule.FirstPage, len(t)):] {
		if p.refs[pg] != 1 {
			continue
		}
		s.order = append(s.order, pageLive{pg, p.live[pg]})
		free += ps - int(p.live[pg])
	}
	if free-rule.Reserve < ps {
		return 0
	}
	k := min((free-rule.Reserve)/ps, len(s.order)-1)
	slices.SortFunc(s.order, func(a, b pageLive) int {
		return cmp.Or(cmp.Compare(a.live, b.live), cmp.Compare(a.page, b.page))
	})
	maxPer := rule.MaxCopiesPerPage
	if maxPer == 0 {
		maxPer = ps
	}
	best, copies := 0, 0
	for i := range k {
		copies += int(s.order[i].live)
		if copies <= maxPer*(i+1) {
			best = i + 1
		}
	}
	return best
}

// moveSlot copies one live entry into a free slot of page dst and empties the source.
func (s *Seq) moveSlot(idx int, from Slot, dst int32) {
	p := s.pool
	// the destination offset is the top of dst's free stack; log the copy before its SetPos
	ps := p.cfg.PageSize
	off := p.freeOff[int(dst)*ps+ps-int(p.live[dst])-1]
	to := Slot(int(dst)*ps + int(off))
	p.log(Update{Kind: CopySlot, Dst: int32(to), Src: int32(from), Pos: -1})
	p.takeOffset(dst, p.pos[from])
	p.releaseSlot(from)
	if int(p.live[dst]) == ps {
		s.dropHole(idx, dst)
	}
	s.moves = append(s.moves, Move{Src: from, Dst: to})
	lc := &s.layers[idx/p.cfg.Units]
	lc.slotsCopied++
	lc.bytesCopied += p.cfg.BytesPerSlot
}
