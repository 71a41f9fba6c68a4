package kv

import "fmt"

// Seq is one sequence's view of the pool: a page table per (layer, unit).
type Seq struct {
	pool   *Pool
	id     int64
	closed bool

	tables  [][]int32 // (layers*units) page ids, in allocation order
	holes   [][]int32 // (layers*units) own pages that may have free slots (stack)
	entries []int32   // (layers*units) live slots
	layers  []layerCounters

	// scratch reused across calls so steady-state steps do not allocate
	remap   [][2]int32
	touched [][2]int32 // shared page, slots of the batch in it
	moves   []Move
	order   []pageLive
}

// NewSeq starts an empty sequence.
func (p *Pool) NewSeq() *Seq {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.cfg.Layers * p.cfg.Units
	s := &Seq{
		pool: p, id: p.nextSeq,
		tables: make([][]int32, n), holes: make([][]int32, n), entries: make([]int32, n),
		layers: make([]layerCounters, p.cfg.Layers),
	}
	p.nextSeq++
	return s
}

// Pool returns the pool the sequence draws from.
func (s *Seq) Pool() *Pool { return s.pool }

func (s *Seq) key(idx int) int64 { return s.id*int64(len(s.tables)) + int64(idx) }

func (s *Seq) index(layer, unit int) (int, error) {
	c := s.pool.cfg
	if s.closed {
		return 0, ErrClosed
	}
	if layer < 0 || layer >= c.Layers || unit < 0 || unit >= c.Units {
		return 0, fmt.Errorf("%w: layer %d unit %d outside %dx%d", ErrInvalid, layer, unit, c.Layers, c.Units)
	}
	return layer*c.Units + unit, nil
}

// Table returns the page ids of (layer, unit). The slice is owned by the sequence: do not
// modify it; it stays valid until the sequence's next mutating call. Nil when out of range.
func (s *Seq) Table(layer, unit int) []int32 {
	s.pool.mu.Lock()
	defer s.pool.mu.Unlock()
	idx, err := s.index(layer, unit)
	if err != nil {
		return nil
	}
	return s.tables[idx]
}

// TablePositions appends to dst the position of every slot of (layer, unit) in table order
// (len(Table)*PageSize values, -1 for empty slots): index i is slot
// Table[i/PageSize]*PageSize + i%PageSize, the same order attention reports scores in.
func (s *Seq) TablePositions(layer, unit int, dst []int32) []int32 {
	return s.TablePositionsFrom(layer, unit, 0, dst)
}

// TablePositionsFrom is TablePositions for the table pages from index first on (the
// caller knows the pages before it hold nothing it needs).
func (s *Seq) TablePositionsFrom(layer, unit, first int, dst []int32) []int32 {
	p := s.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	idx, err := s.index(layer, unit)
	if err != nil || first < 0 {
		return dst
	}
	ps := p.cfg.PageSize
	for _, pg := range s.tables[idx][min(first, len(s.tables[idx])):] {
		dst = append(dst, p.pos[int(pg)*ps:int(pg+1)*ps]...)
	}
	return dst
}

// Entries returns the live slots of (layer, unit).
func (s *Seq) Entries(layer, unit int) int {
	s.pool.mu.Lock()
	defer s.pool.mu.Unlock()
	idx, err := s.index(layer, unit)
	if err != nil {
		return 0
	}
	return int(s.entries[idx])
}

// Append stores a new token at logical position pos in (layer, unit) and returns its slot.
// It takes a free slot of the unit's own partially filled pages first, else a fresh page;
// shared pages are never written. The backend writes K and V at the returned slot.
func (s *Seq) Append(layer, unit int, pos int32) (Slot, error) {
	p := s.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	idx, err := s.index(layer, unit)
	if err != nil {
		return -1, err
	}
	if pos < 0 {
		return -1, fmt.Errorf("%w: negative position %d", ErrInvalid, pos)
	}
	pg, ok := s.topHole(idx)
	if !ok {
		pg, ok = s.findHole(idx)
	}
	if !ok {
		if pg, err = p.allocPage(int32(idx), s.key(idx)); err != nil {
			return -1, err
		}
		s.tables[idx] = append(s.tables[idx], pg)
		s.layers[layer].pages++
		s.pushHole(idx, pg)
	}
	slot := p.takeOffset(pg, pos)
	if int(p.live[pg]) == p.cfg.PageSize {
		s.dropHole(idx, pg)
	}
	s.entries[idx]++
	s.layers[layer].entries++
	s.layers[layer].notePeak()
	return slot, nil
}

// topHole returns the first own page with a free slot, discarding stale hole entries.
func (s *Seq) topHole(idx int) (int32, bool) {
	p := s.pool
	h := s.holes[idx]
	for len(h) > 0 {
		pg := h[len(h)-1]
		if p.refs[pg] == 1 && p.owner[pg] == s.key(idx) && int(p.live[pg]) < p.cfg.PageSize {
			s.holes[idx] = h
			return pg, true
		}
		p.inHoles[pg] = false
		h = h[:len(h)-1]
	}
	s.holes[idx] = h
	return -1, false
}

// findHole scans the table for own pages with free slots that the hole list does not know
// about (pages that became exclusive when the sequences sharing them went away). It runs
// only when the list is empty, i.e. about once per PageSize appends.
func (s *Seq) findHole(idx int) (int32, bool) {
	p := s.pool
	for _, pg := range s.tables[idx] {
		if p.refs[pg] == 1 && int(p.live[pg]) < p.cfg.PageSize {
			p.owner[pg] = s.key(idx)
			s.pushHole(idx, pg)
		}
	}
	return s.topHole(idx)
}

func (s *Seq) pushHole(idx int, pg int32) {
	if s.pool.inHoles[pg] || int(s.pool.live[pg]) >= s.pool.cfg.PageSize {
		return
	}
	s.pool.inHoles[pg] = true
	s.holes[idx] = append(s.holes[idx], pg)
}

func (s *Seq) dropHole(idx int, pg int32) {
	if !s.pool.inHoles[pg] {
		return
	}
	s.pool.inHoles[pg] = false
	s.holes[idx] = removeValue(s.holes[idx], pg)
}

// owns reports whether page pg is listed in table idx, learning the owner of a page whose
// other holders went away.
func (s *Seq) owns(idx int, pg int32) bool {
	p := s.pool
	if p.unit[pg] != int32(idx) || p.refs[pg] <= 0 {
		return false
	}
	if p.owner[pg] == s.key(idx) {
		return true
	}
	if tableIndex(s.tables[idx], pg) < 0 {
		return false
	}
	if p.refs[pg] == 1 {
		p.owner[pg] = s.key(idx)
	}
	return true
}

// removePage takes pg out of table idx and drops this table's reference.
func (s *Seq) removePage(idx int, pg int32) {
	s.dropHole(idx, pg)
	s.tables[idx] = removeValue(s.tables[idx], pg)
	s.layers[idx/s.pool.cfg.Units].pages--
	s.pool.unref(pg)
}

// Fork returns a new sequence that shares every page of s (copy-on-write).
func (s *Seq) Fork() (*Seq, error) {
	p := s.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	n := len(s.tables)
	c := &Seq{
		pool: p, id: p.nextSeq,
		tables: make([][]int32, n), holes: make([][]int32, n), entries: make([]int32, n),
		layers: make([]layerCounters, len(s.layers)),
	}
	p.nextSeq++
	copy(c.entries, s.entries)
	for i, t := range s.tables {
		c.tables[i] = append([]int32(nil), t...)
		for _, pg := range t {
			p.refs[pg]++
			p.owner[pg] = -1
			p.inHoles[pg] = false
		}
		s.holes[i] = s.holes[i][:0]
	}
	for l := range s.layers {
		c.layers[l].entries, c.layers[l].pages = s.layers[l].entries, s.layers[l].pages
		c.layers[l].notePeak()
	}
	return c, nil
}

// Close returns the sequence's references to the pool. A second Close does nothing.
func (s *Seq) Close() {
	p := s.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	if s.closed {
		return
	}
	for i, t := range s.tables {
		for _, pg := range t {
			if p.inHoles[pg] && p.owner[pg] == s.key(i) {
				p.inHoles[pg] = false
			}
			p.unref(pg)
		}
		s.tables[i], s.holes[i] = nil, nil
		s.entries[i] = 0
	}
	for l := range s.layers {
		s.layers[l].entries, s.layers[l].pages = 0, 0
	}
	s.closed = true
}

func tableIndex(t []int32, pg int32) int {
	for i, v := range t {
		if v == pg {
			return i
		}
	}
	return -1
}

// removeValue deletes the first pg from t, keeping the order of the rest.
func removeValue(t []int32, pg int32) []int32 {
	i := tableIndex(t, pg)
	if i < 0 {
		return t
	}
	copy(t[i:], t[i+1:])
	return t[:len(t)-1]
}
