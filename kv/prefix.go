package kv

import "fmt"

// SharePrefix makes the first pages of every table of src the first pages of this empty
// sequence's tables (copy-on-write, as Fork shares them): a prompt that begins with src's
// prompt reuses its K and V instead of computing them again. The pages must be full.
func (s *Seq) SharePrefix(src *Seq, pages int) error {
	p := s.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	if s.closed || src.closed {
		return ErrClosed
	}
	if src.pool != p || pages < 0 {
		return fmt.Errorf("%w: %d prefix pages from another pool or negative", ErrInvalid, pages)
	}
	ps := p.cfg.PageSize
	for i, t := range src.tables {
		if len(s.tables[i]) != 0 || len(t) < pages {
			return fmt.Errorf("%w: table %d: %d prefix pages of %d into a table of %d", ErrInvalid, i, pages, len(t), len(s.tables[i]))
		}
		for _, pg := range t[:pages] {
			if int(p.live[pg]) != ps {
				return fmt.Errorf("%w: prefix page %d is not full", ErrInvalid, pg)
			}
		}
	}
	for i, t := range src.tables {
		for _, pg := range t[:pages] {
			p.refs[pg]++
			p.owner[pg] = -1
		}
		s.tables[i] = append(s.tables[i], t[:pages]...)
		s.entries[i] += int32(pages * ps)
		l := &s.layers[i/p.cfg.Units]
		l.pages += pages
		l.entries += pages * ps
		l.notePeak()
	}
	return nil
}
