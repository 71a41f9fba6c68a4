package tests

import (
	"context"
	"testing"

	"github.com/scopekv/scope/internal/ref"
	"github.com/scopekv/scope/model/quant"
	scope "github.com/scopekv/scope/runtime"
)

// TestGreedyTokensMatchReference generates greedily on every backend from synthetic models
// of each weight type, feeding the backend's own choices, and compares every step's choice
// with the scalar reference's on the same prefix. A different choice is accepted only where
// the reference's two best logits are within 1% of the logit range (a near tie that the
// CPU backend's Q8 activations or Vulkan's fp16 products may flip); anything else fails.
func TestGreedyTokensMatchReference(t *testing.T) {
	types := []quant.Type{quant.F32, quant.F16, quant.Q8_0, quant.Q4_0, quant.Q4_K}
	for _, be := range backends(t) {
		if be == "ref" {
			continue
		}
		for _, typ := range types {
			t.Run(be+"/"+typ.String(), func(t *testing.T) {
				path := synthModel(t, "tiny", typ)
				m := openModel(t, be, path)
				refModel := openModel(t, "ref", path)
				compareGreedy(t, m, refModel, 48)
			})
		}
	}
}

func compareGreedy(t *testing.T, m, refModel *scope.Model, steps int) {
	ctx := context.Background()
	s, err := m.NewSession(scope.SessionOptions{ContextLen: 128})
	if err != nil {
		t.Fatal(err)
	}
	r, err := refModel.NewSession(scope.SessionOptions{ContextLen: 128})
	if err != nil {
		t.Fatal(err)
	}
	tok, same, ties := int32(1), 0, 0
	for i := 0; i < steps; i++ {
		got, err := s.Eval(ctx, []int32{tok})
		if err != nil {
			t.Fatal(err)
		}
		want, err := r.Eval(ctx, []int32{tok})
		if err != nil {
			t.Fatal(err)
		}
		g, w := ref.Argmax(got), ref.Argmax(want)
		switch {
		case g == w:
			same++
		case margin(want) < 0.01*spread(want):
			ties++
		default:
			t.Fatalf("step %d: backend picks %d, reference %d (margin %.4f of range %.2f)", i, g, w, margin(want), spread(want))
		}
		tok = int32(g)
	}
	t.Logf("%d/%d greedy choices equal, %d near ties", same, steps, ties)
}

func spread(x []float32) float32 {
	lo, hi := x[0], x[0]
	for _, v := range x {
		lo, hi = min(lo, v), max(hi, v)
	}
	return hi - lo
}
