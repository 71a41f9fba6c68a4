package kv

import (
	"errors"
	"slices"
	"testing"
)

func TestSharePrefix(t *testing.T) {
	p := mustPool(t, Config{Layers: 2, Units: 1, PageSize: 4, Pages: 8, BytesPerSlot: 8})
	a := p.NewSeq()
	for l := range 2 {
		for i := range 10 { // pages 0-1 full, page 2 half full
			mustAppend(t, a, l, 0, int32(i))
		}
	}
	b := p.NewSeq()
	if err := b.SharePrefix(a, 3); !errors.Is(err, ErrInvalid) {
		t.Errorf("sharing a half-full page: %v, want ErrInvalid", err)
	}
	if err := b.SharePrefix(a, 2); err != nil {
		t.Fatal(err)
	}
	if got, want := b.Table(1, 0), a.Table(1, 0)[:2]; !slices.Equal(got, want) || b.Entries(1, 0) != 8 {
		t.Fatalf("b's table %v with %d entries, want %v with 8", got, b.Entries(1, 0), want)
	}
	// b's next position goes to a fresh page of its own
	if sl := mustAppend(t, b, 0, 0, 8); slices.Contains(a.Table(0, 0), int32(sl)/4) {
		t.Errorf("b appended into a's page %d", sl/4)
	}
	if err := b.SharePrefix(a, 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("sharing into a non-empty sequence: %v, want ErrInvalid", err)
	}
	used := p.UsedPages()
	a.Close()
	if p.UsedPages() != used-2 { // a's half-full pages go; the shared ones stay with b
		t.Errorf("after a closed: %d pages used, want %d", p.UsedPages(), used-2)
	}
	if p.Pos(Slot(4*b.Table(0, 0)[1]+3)) != 7 {
		t.Error("shared page lost its entries when a closed")
	}
	b.Close()
	if p.UsedPages() != 0 {
		t.Errorf("%d pages used after both closed", p.UsedPages())
	}
}
