package kv

import (
	"errors"
	"slices"
	"testing"
)

func mustPool(t testing.TB, cfg Config) *Pool {
	t.Helper()
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustAppend(t testing.TB, s *Seq, l, u int, pos int32) Slot {
	t.Helper()
	sl, err := s.Append(l, u, pos)
	if err != nil {
		t.Fatalf("Append(%d,%d,%d): %v", l, u, pos, err)
	}
	return sl
}

func TestConfigRejected(t *testing.T) {
	for _, c := range []Config{
		{Layers: 0, Units: 1, PageSize: 4, Pages: 1},
		{Layers: 1, Units: 1, PageSize: 0, Pages: 1},
		{Layers: 1, Units: 1, PageSize: 4, Pages: -1},
		{Layers: 1, Units: 1, PageSize: 1 << 16, Pages: 1},
		{Layers: 1, Units: 1, PageSize: 4, Pages: 1 << 30},
		{Layers: 1, Units: 1, PageSize: 4, Pages: 1, BytesPerSlot: -1},
	} {
		if _, err := NewPool(c); !errors.Is(err, ErrInvalid) {
			t.Errorf("NewPool(%+v) = %v, want ErrInvalid", c, err)
		}
	}
}

func TestPagesFor(t *testing.T) {
	// 16 slots of (256+4) bytes = 4160 bytes per page
	if got := PagesFor(4160*7+4159, 16, 256); got != 7 {
		t.Errorf("PagesFor = %d, want 7", got)
	}
	if got := PagesFor(100, 0, 256); got != 0 {
		t.Errorf("PagesFor with page size 0 = %d, want 0", got)
	}
}

func TestAppendFillsOwnHolesFirst(t *testing.T) {
	p := mustPool(t, Config{Layers: 1, Units: 2, PageSize: 3, Pages: 4})
	s := p.NewSeq()
	var slots []Slot
	for i := range 4 {
		slots = append(slots, mustAppend(t, s, 0, 0, int32(i)))
	}
	if want := []Slot{0, 1, 2, 3}; !slices.Equal(slots, want) {
		t.Fatalf("slots %v, want %v (pages fill in order)", slots, want)
	}
	if err := s.Free(0, 0, 1); err != nil {
		t.Fatal(err)
	}
	// the hole in page 0 is reused before page 1's free slots (page 1 is the newer hole)
	// only once page 1 is full; either way no fresh page may be taken
	for i := range 3 {
		mustAppend(t, s, 0, 0, int32(10+i))
	}
	if got := s.Table(0, 0); !slices.Equal(got, []int32{0, 1}) {
		t.Fatalf("table %v, want [0 1]: holes must be filled before a fresh page", got)
	}
	if p.Pos(1) < 10 {
		t.Errorf("evicted slot 1 holds position %d, want a new token", p.Pos(1))
	}
	// unit 1 never shares unit 0's pages
	if sl := mustAppend(t, s, 0, 1, 0); int(sl)/3 < 2 {
		t.Errorf("unit 1 got slot %d inside unit 0's pages", sl)
	}
}

func TestEmptyPageReturnsAndOutOfPages(t *testing.T) {
	p := mustPool(t, Config{Layers: 1, Units: 1, PageSize: 2, Pages: 2})
	s := p.NewSeq()
	for i := range 4 {
		mustAppend(t, s, 0, 0, int32(i))
	}
	_, err := s.Append(0, 0, 4)
	if !errors.Is(err, ErrOutOfPages) {
		t.Fatalf("Append on a full pool: %v, want ErrOutOfPages", err)
	}
	if err := s.FreeSlots(0, 0, []Slot{2, 3}); err != nil {
		t.Fatal(err)
	}
	if p.FreePages() != 1 || !slices.Equal(s.Table(0, 0), []int32{0}) {
		t.Fatalf("free pages %d table %v, want 1 and [0]", p.FreePages(), s.Table(0, 0))
	}
	if err := s.Free(0, 0, 2); !errors.Is(err, ErrBadSlot) {
		t.Errorf("double free: %v, want ErrBadSlot", err)
	}
	if err := s.FreeSlots(0, 0, []Slot{0, 0}); !errors.Is(err, ErrBadSlot) || p.Pos(0) != 0 {
		t.Errorf("duplicate batch: %v pos %d, want ErrBadSlot and no change", err, p.Pos(0))
	}
}

func TestForkCopyOnWrite(t *testing.T) {
	p := mustPool(t, Config{Layers: 1, Units: 1, PageSize: 4, Pages: 4, BytesPerSlot: 8})
	a := p.NewSeq()
	for i := range 6 { // page 0 full, page 1 half full
		mustAppend(t, a, 0, 0, int32(i))
	}
	p.DrainUpdates(nil)
	b, err := a.Fork()
	if err != nil {
		t.Fatal(err)
	}
	// b appends into a fresh page, not into the shared half-full page 1
	if sl := mustAppend(t, b, 0, 0, 6); int(sl)/4 != 2 {
		t.Fatalf("fork appended into slot %d, want fresh page 2", sl)
	}
	if err := b.Free(0, 0, 2); err != nil { // position 2 in shared page 0
		t.Fatal(err)
	}
	ups := p.DrainUpdates(nil)
	if !slices.Contains(ups, Update{Kind: CopyPage, Dst: 3, Src: 0, Pos: -1}) {
		t.Fatalf("updates %v lack the copy of page 0 into page 3", ups)
	}
	if p.Pos(2) != 2 || p.Pos(3*4+2) != -1 || p.Pos(3*4+1) != 1 {
		t.Fatalf("after COW: a's slot 2 = %d, b's copy slot 14 = %d slot 13 = %d", p.Pos(2), p.Pos(14), p.Pos(13))
	}
	if got := b.Table(0, 0); !slices.Equal(got, []int32{3, 1, 2}) {
		t.Errorf("b table %v, want [3 1 2]", got)
	}
	st := b.Stats(nil)[0]
	if st.PagesCopied != 1 || st.BytesCopied != 32 || st.Evictions != 1 {
		t.Errorf("stats %+v, want 1 page (32 bytes) copied and 1 eviction", st)
	}
	// freeing every live slot of shared page 1 drops b's reference without a copy
	if err := b.FreeSlots(0, 0, []Slot{5, 4}); err != nil {
		t.Fatal(err)
	}
	if st := b.Stats(nil)[0]; st.PagesCopied != 1 || st.Entries != 4 || !slices.Equal(b.Table(0, 0), []int32{3, 2}) {
		t.Errorf("after dropping shared page 1: %+v table %v", st, b.Table(0, 0))
	}
	if p.Pos(4) != 4 || p.Pos(5) != 5 {
		t.Errorf("a lost its entries of page 1: %d %d", p.Pos(4), p.Pos(5))
	}
	a.Close()
	b.Close()
	if p.FreePages() != 4 {
		t.Errorf("free pages %d after closing both, want 4", p.FreePages())
	}
}

func TestCompactRule(t *testing.T) {
	// page size 4: pages hold 4, 1, 2 live entries (5 free slots)
	build := func() (*Pool, *Seq) {
		p := mustPool(t, Config{Layers: 1, Units: 1, PageSize: 4, Pages: 3, BytesPerSlot: 8})
		s := p.NewSeq()
		for i := range 12 {
			mustAppend(t, s, 0, 0, int32(i))
		}
		if err := s.FreeSlots(0, 0, []Slot{4, 5, 6, 8, 9}); err != nil {
			t.Fatal(err)
		}
		return p, s
	}
	for _, c := range []struct {
		rule  CompactRule
		moves int
	}{
		{CompactRule{}, 1},                    // empty page 1 (1 live) into page 2
		{CompactRule{Reserve: 1}, 1},          // 5-1 free slots still make one page
		{CompactRule{Reserve: 2}, 0},          // the holes are for the next appends
		{CompactRule{MaxCopiesPerPage: 1}, 1}, // one copy frees one page
	} {
		p, s := build()
		moves, err := s.Compact(0, 0, c.rule)
		if err != nil || len(moves) != c.moves {
			t.Fatalf("%+v: moves %v err %v, want %d moves", c.rule, moves, err, c.moves)
		}
		if c.moves == 1 {
			m := moves[0]
			if m.Src != 7 || int(m.Dst)/4 != 2 || p.Pos(m.Dst) != 7 || p.Pos(m.Src) != -1 {
				t.Errorf("%+v: move %+v; position at dst %d", c.rule, m, p.Pos(m.Dst))
			}
			if p.FreePages() != 1 || s.Stats(nil)[0].SlotsCopied != 1 {
				t.Errorf("%+v: free pages %d, stats %+v", c.rule, p.FreePages(), s.Stats(nil)[0])
			}
		}
	}
	// a copy per page bound of 0.5 (impossible here) keeps the pages as they are
	_, s := build()
	if err := s.FreeSlots(0, 0, []Slot{0}); err != nil { // now 3, 1, 2 live
		t.Fatal(err)
	}
	if moves, _ := s.Compact(0, 0, CompactRule{Reserve: 2, MaxCopiesPerPage: 1}); len(moves) != 1 {
		t.Errorf("6 free slots, reserve 2: want the 1-live page emptied, got %v", moves)
	}
}

func TestStatsPeakAndMean(t *testing.T) {
	p := mustPool(t, Config{Layers: 2, Units: 1, PageSize: 2, Pages: 8, BytesPerSlot: 100})
	s := p.NewSeq()
	for i := range 3 {
		mustAppend(t, s, 0, 0, int32(i))
		s.Sample()
	}
	if err := s.Free(0, 0, 2); err != nil {
		t.Fatal(err)
	}
	s.Sample()
	st := s.Stats(nil)
	l0 := st[0]
	if l0.Entries != 2 || l0.Pages != 1 || l0.PeakEntries != 3 || l0.PeakPages != 2 {
		t.Errorf("layer 0 %+v", l0)
	}
	if l0.MeanEntries != (1+2+3+2)/4.0 || l0.MeanPages != (1+1+2+1)/4.0 || l0.PeakBytes != 400 || l0.EntryBytes != 200 {
		t.Errorf("layer 0 means/bytes %+v", l0)
	}
	if st[1].Entries != 0 || st[1].Samples != 4 {
		t.Errorf("layer 1 %+v", st[1])
	}
}

func TestClosedAndRange(t *testing.T) {
	p := mustPool(t, Config{Layers: 1, Units: 1, PageSize: 2, Pages: 2})
	s := p.NewSeq()
	if _, err := s.Append(1, 0, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("layer out of range: %v", err)
	}
	if _, err := s.Append(0, 0, -3); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative position: %v", err)
	}
	s.Close()
	if _, err := s.Append(0, 0, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("append after close: %v", err)
	}
	if _, err := s.Fork(); !errors.Is(err, ErrClosed) {
		t.Errorf("fork after close: %v", err)
	}
}
