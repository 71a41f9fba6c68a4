package runtime

import (
	"context"
	"testing"

	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/quant"
	"github.com/scopekv/scope/scope"
)

// TestForkCloseReturnsPages: 200 Fork/Eval/Close cycles leave the pool's free pages where
// they were after the prompt, and closing the parent returns every page.
func TestForkCloseReturnsPages(t *testing.T) {
	w, err := model.Synth(model.SynthOptions{Shape: "tiny", Type: quant.F32, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/tiny.gguf"
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	m, err := Open(path, Config{Backend: "cpu", Threads: 1, BatchSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	cfg := scope.DefaultConfig()
	cfg.PageSize, cfg.Decode, cfg.DecodeBudget, cfg.Recent = 4, scope.DecodeSlide, 6, 2
	s, err := m.NewSession(SessionOptions{ContextLen: 48, KV: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	pool := s.pol.pool
	total := pool.FreePages()
	ctx := context.Background()
	if _, err := s.Eval(ctx, []int32{1, 30, 31, 32, 33, 34, 35}); err != nil {
		t.Fatal(err)
	}
	free := pool.FreePages()
	for i := range 200 {
		f, err := s.Fork()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Eval(ctx, []int32{40, 41}); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if got := pool.FreePages(); got != free {
			t.Fatalf("cycle %d: %d free pages after the fork closed, %d before", i, got, free)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := pool.FreePages(); got != total {
		t.Errorf("%d of %d pages free after the parent closed", got, total)
	}
}
