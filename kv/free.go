package kv

import "fmt"

// Free evicts one live slot of (layer, unit). See FreeSlots.
func (s *Seq) Free(layer, unit int, slot Slot) error {
	var one [1]Slot
	one[0] = slot
	return s.FreeSlots(layer, unit, one[:])
}

// FreeSlots evicts live slots of (layer, unit). A page left empty returns to the pool; a
// shared page is copied first (copy-on-write) unless the eviction empties it for this
// sequence, in which case the sequence just drops its reference. Either every slot is
// freed or, on error, none is.
func (s *Seq) FreeSlots(layer, unit int, slots []Slot) error {
	p := s.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	idx, err := s.index(layer, unit)
	if err != nil {
		return err
	}
	if err := s.checkFree(idx, slots); err != nil {
		return err
	}
	s.remap = s.remap[:0]
	for _, sl := range slots {
		s.freeOne(idx, sl)
	}
	return nil
}

// checkFree validates a batch before anything changes: every slot live in this table, no
// duplicates, and enough free pages for the copies that shared pages will need. It leaves in
// s.touched each shared page with the number of its slots in the batch.
func (s *Seq) checkFree(idx int, slots []Slot) error {
	p := s.pool
	ps := p.cfg.PageSize
	var bad error
	marked := 0
	s.touched = s.touched[:0]
	for _, sl := range slots {
		if sl < 0 || int(sl) >= len(p.pos) || !s.owns(idx, int32(int(sl)/ps)) || p.pos[sl] < 0 {
			bad = fmt.Errorf("%w: slot %d", ErrBadSlot, sl)
			break
		}
		p.pos[sl] = -2 - p.pos[sl] // mark, so a duplicate reads as not live
		marked++
		if pg := int32(int(sl) / ps); p.refs[pg] > 1 {
			s.countTouched(pg)
		}
	}
	for _, sl := range slots[:marked] {
		p.pos[sl] = -2 - p.pos[sl]
	}
	copies := 0
	for _, t := range s.touched {
		if t[1] < p.live[t[0]] {
			copies++
		}
	}
	if bad == nil && copies > len(p.freePages) {
		bad = fmt.Errorf("%w: copy-on-write of %d shared pages", ErrOutOfPages, copies)
	}
	return bad
}

func (s *Seq) countTouched(pg int32) {
	for i := range s.touched {
		if s.touched[i][0] == pg {
			s.touched[i][1]++
			return
		}
	}
	s.touched = append(s.touched, [2]int32{pg, 1})
}

// freeOne evicts one validated slot, following copies and drops made earlier in the batch.
func (s *Seq) freeOne(idx int, sl Slot) {
	p := s.pool
	ps := p.cfg.PageSize
	pg, off := int32(int(sl)/ps), int(sl)%ps
	for _, r := range s.remap {
		if r[0] == pg {
			pg = r[1]
		}
	}
	lc := &s.layers[idx/p.cfg.Units]
	s.entries[idx]--
	lc.entries--
	lc.evictions++
	if pg < 0 {
		return // its shared page was already dropped by this batch
	}
	if p.refs[pg] > 1 {
		if s.freesAllOf(pg) {
			// nothing of the page remains for this sequence: drop it instead of copying
			s.removePage(idx, pg)
			s.remap = append(s.remap, [2]int32{pg, -1})
			return
		}
		pg = s.copyOnWrite(idx, pg)
	}
	p.releaseSlot(Slot(int(pg)*ps + off))
	if p.live[pg] == 0 {
		s.removePage(idx, pg)
		return
	}
	s.pushHole(idx, pg)
}

// freesAllOf reports whether the batch frees every live slot of shared page pg.
func (s *Seq) freesAllOf(pg int32) bool {
	for _, t := range s.touched {
		if t[0] == pg {
			return t[1] == s.pool.live[pg]
		}
	}
	return false
}

// copyOnWrite replaces shared page pg in table idx by a private copy and returns it. The
// caller has checked that a free page exists.
func (s *Seq) copyOnWrite(idx int, pg int32) int32 {
	p := s.pool
	ps := p.cfg.PageSize
	q, _ := p.allocPage(int32(idx), s.key(idx))
	copy(p.pos[int(q)*ps:int(q+1)*ps], p.pos[int(pg)*ps:int(pg+1)*ps])
	copy(p.freeOff[int(q)*ps:int(q+1)*ps], p.freeOff[int(pg)*ps:int(pg+1)*ps])
	p.live[q] = p.live[pg]
	p.log(Update{Kind: CopyPage, Dst: q, Src: pg, Pos: -1})
	t := s.tables[idx]
	t[tableIndex(t, pg)] = q
	p.unref(pg)
	s.remap = append(s.remap, [2]int32{pg, q})
	lc := &s.layers[idx/p.cfg.Units]
	lc.pagesCopied++
	lc.bytesCopied += int64(ps) * p.cfg.BytesPerSlot
	return q
}
