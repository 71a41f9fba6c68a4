package runtime_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/scopekv/scope/internal/cpu"
	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/quant"
	scope "github.com/scopekv/scope/runtime"
)

// TestBenchDepth runs the benchmark with tokens already in the cache and checks the
// result and the repack report of the CPU backend.
func TestBenchDepth(t *testing.T) {
	w, err := model.Synth(model.SynthOptions{Shape: "tiny", Type: quant.Q8_0, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/tiny.gguf"
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	m, err := scope.Open(path, scope.Config{Backend: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	res, err := m.Bench(ctx, scope.BenchOptions{PromptTokens: 8, GenTokens: 3, Depth: 40})
	if err != nil {
		t.Fatal(err)
	}
	if res.Depth != 40 || !(res.PromptPerSec > 0) || !(res.GenPerSec > 0) {
		t.Errorf("bench at depth 40: %+v", res)
	}
	if _, err := m.Bench(ctx, scope.BenchOptions{GenTokens: 1, Depth: -1}); !errors.Is(err, scope.ErrBadConfig) {
		t.Errorf("negative depth: %v", err)
	}
	rp := m.Repacked()
	if slices.Contains(cpu.Paths(), "avx512") != (rp.Tensors > 0) || rp.Tensors > 0 && rp.ExtraBytes <= 0 {
		t.Errorf("repack report %+v on paths %v", rp, cpu.Paths())
	}
}
