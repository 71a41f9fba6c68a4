package kv

import (
	"math/rand/v2"
	"testing"
)

// runCommands decodes data into pool commands and checks every invariant after each one.
// The first byte sizes the pool: page size 1..4, 3..18 pages, 1..2 layers, 1..2 units.
func runCommands(t testing.TB, data []byte) (waves int) {
	if len(data) == 0 {
		return 0
	}
	c := data[0]
	cfg := Config{
		PageSize: 1 + int(c&3), Pages: 3 + int(c>>2&15), Layers: 1 + int(c>>6&1), Units: 1 + int(c>>7),
		BytesPerSlot: 10,
	}
	h := newHarness(t, cfg)
	h.newSeq()
	in := data[1:]
	next := func() byte {
		if len(in) == 0 {
			return 0
		}
		b := in[0]
		in = in[1:]
		return b
	}
	for len(in) > 0 {
		op := next()
		if len(h.seqs) == 0 {
			h.newSeq()
		}
		si := int(next()) % len(h.seqs)
		r := h.seqs[si]
		lu := next()
		l, u := int(lu)%cfg.Layers, int(lu>>4)%cfg.Units
		h.step(op, si, r, l, u, next)
		if h.hold == 0 {
			h.check()
		}
	}
	h.hold = 0
	h.applyUpdates()
	h.check()
	for len(h.seqs) > 0 {
		h.close(0)
		h.check()
	}
	if h.pool.FreePages() != cfg.Pages {
		h.failf("%d of %d pages free after closing every sequence", h.pool.FreePages(), cfg.Pages)
	}
	return h.waves
}

func (h *harness) step(op byte, si int, r *refSeq, l, u int, next func() byte) {
	switch op % 11 {
	case 0, 1, 2, 3: // appends dominate so that pages fill up
		h.note("append s%d l%d u%d", si, l, u)
		h.append(r, l, u)
	case 4:
		k := next()
		h.note("evict s%d l%d u%d #%d", si, l, u, k)
		h.evict(r, l, u, []byte{k})
	case 5:
		n := int(next()%4) + 1
		pick := make([]byte, n)
		for i := range pick {
			pick[i] = next()
		}
		h.note("evict s%d l%d u%d %v", si, l, u, pick)
		h.evict(r, l, u, pick)
	case 6:
		if len(h.seqs) < 4 {
			h.note("fork s%d", si)
			h.fork(r)
		}
	case 7:
		h.note("close s%d", si)
		h.close(si)
	case 8:
		rule := CompactRule{Reserve: int(next() % 6), MaxCopiesPerPage: int(next() % 5), FirstPage: int(next() % 3)}
		h.note("compact s%d l%d u%d %+v", si, l, u, rule)
		h.compact(r, l, u, rule)
	case 9:
		b := next()
		h.note("bad free s%d l%d u%d %d", si, l, u, b)
		h.badFree(r, l, u, b)
	case 10: // evict and compact in one window, so copies of several calls chain
		h.hold = int(next()%4) + 3
		pick := []byte{next(), next(), next()}
		h.note("hold %d, evict s%d l%d u%d %v, compact", h.hold, si, l, u, pick)
		h.evict(r, l, u, pick)
		h.compact(r, l, u, CompactRule{})
	}
}

func FuzzCommands(f *testing.F) {
	f.Add([]byte{0x05, 0, 0, 0, 0, 0, 0, 4, 0, 0, 1, 0, 0, 8, 0, 0, 0, 0})
	f.Add([]byte{0xff, 0, 0, 0x11, 0, 0, 0x10, 6, 0, 0, 5, 1, 0x11, 2, 1, 2, 4, 0, 0, 3, 8, 1, 0, 1, 0})
	f.Add([]byte{0x42, 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 6, 0, 0, 4, 1, 0, 0, 4, 0, 0, 1, 7, 1, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		runCommands(t, data)
	})
}

// TestRandomCommands is the quick, always-run version of FuzzCommands.
func TestRandomCommands(t *testing.T) {
	maxWaves := 0
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		data := make([]byte, 1+rng.IntN(1200))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		maxWaves = max(maxWaves, runCommands(t, data))
		if t.Failed() {
			t.Fatalf("seed %d", seed)
		}
	}
	if maxWaves < 2 {
		t.Errorf("no lowering needed a second copy wave: the chained-copy case went untested")
	}
}
