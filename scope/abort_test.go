package scope

import (
	"errors"
	"reflect"
	"testing"
)

// TestManagerAbort aborts steps (one that needs scores, one that does not) and checks that
// the next Begin takes the same position and the sequence ends where an uninterrupted one
// does; an abort after some layers evicted refuses further steps.
func TestManagerAbort(t *testing.T) {
	shape := Shape{Layers: 2, Heads: 2, KVHeads: 2}
	plain := newDriver(t, slideCfg(), shape, 100, 50)
	aborted := newDriver(t, slideCfg(), shape, 100, 50)
	plain.prompt(5, 5, nil)
	aborted.prompt(5, 5, nil)
	free := aborted.pool.FreePages()
	for pos := int32(5); pos < 20; pos++ {
		plain.step(pos)
		if _, err := aborted.m.Begin(pos); err != nil {
			t.Fatal(err)
		}
		if err := aborted.m.Abort(); err != nil {
			t.Fatalf("abort at %d: %v", pos, err)
		}
		if pos == 5 && aborted.pool.FreePages() != free {
			t.Errorf("abort kept pages: %d free, want %d", aborted.pool.FreePages(), free)
		}
		aborted.step(pos)
	}
	a, p := aborted.m.Report(), plain.m.Report()
	a.Layers, p.Layers = nil, nil // per-step samples count the aborted steps too
	if !reflect.DeepEqual(a, p) {
		t.Errorf("after aborted steps the report differs:\n%+v\nwant\n%+v", a, p)
	}
	if err := aborted.m.Abort(); err != nil {
		t.Errorf("Abort outside a step: %v", err)
	}

	pl, err := aborted.m.Begin(20)
	if err != nil || !pl.NeedScores {
		t.Fatalf("step at 20: %+v, %v; want one that needs scores", pl, err)
	}
	stride := aborted.fillScores(0, pl.Step)
	if err := aborted.m.Observe(0, aborted.probs, stride); err != nil {
		t.Fatal(err)
	}
	if err := aborted.m.Abort(); !errors.Is(err, ErrState) {
		t.Fatalf("abort after a layer evicted: %v, want ErrState", err)
	}
	if _, err := aborted.m.Begin(20); !errors.Is(err, ErrState) {
		t.Errorf("Begin after a failed abort: %v, want ErrState", err)
	}
}
