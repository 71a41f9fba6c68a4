package tests

import (
	"context"
	"testing"

	"github.com/scopekv/scope/model/quant"
	scope "github.com/scopekv/scope/runtime"
)

// TestLargeModelOnVulkan runs a model whose weights (537 MB of F32, stories110m shape)
// exceed lavapipe's 128 MiB storage-buffer range several times over, and compares a prefill
// and a decode step's logits with the CPU backend's.
func TestLargeModelOnVulkan(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: writes a 537 MB model")
	}
	hasVulkan := false
	for _, b := range backends(t) {
		hasVulkan = hasVulkan || b == "vulkan"
	}
	if !hasVulkan {
		t.Skip("skipped: this binary has no Vulkan backend")
	}
	path := synthModel(t, "stories110m", quant.F32)
	vk, cpu := openModel(t, "vulkan", path), openModel(t, "cpu", path)
	ctx := context.Background()
	logits := func(m *scope.Model) ([]float32, []float32) {
		s, err := m.NewSession(scope.SessionOptions{ContextLen: 32})
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.Eval(ctx, []int32{1, 500, 9000, 31999, 42})
		if err != nil {
			t.Fatal(err)
		}
		a = append([]float32(nil), a...)
		b, err := s.Eval(ctx, []int32{777})
		if err != nil {
			t.Fatal(err)
		}
		return a, append([]float32(nil), b...)
	}
	va, vb := logits(vk)
	ca, cb := logits(cpu)
	if e := nmse(va, ca); e > 1e-5 {
		t.Errorf("prefill logits NMSE %.3g", e)
	}
	if e := nmse(vb, cb); e > 1e-5 {
		t.Errorf("decode logits NMSE %.3g", e)
	}
}
