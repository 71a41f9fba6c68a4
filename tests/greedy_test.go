package tests

import (
	"context"
	"math"
	"testing"

	"github.com/scopekv/scope/internal/ref"
	"github.com/scopekv/scope/model/quant"
	scope "github.com/scopekv/scope/runtime"
)

// TestGreedyTokensMatchReference generates greedily on every backend from synthetic models
// of each weight type, feeding the backend's own choices, and compares every step's choice
// with the scalar reference's on the same prefix. Where the backend computes in float32
// throughout (F32 weights; F16 and BF16 weights on the CPU, converted exactly) every choice
// must be the reference's: their logits differ by about 1e-6 of their size. Elsewhere (the
// CPU's Q8 activations for quantised weights, Vulkan's fp16 products) a different choice is
// accepted only where the reference ranks the two tokens closer than twice the step's RMS
// logit error, at most once in eight steps.
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
				compareGreedy(t, m, refModel, 48, exactArithmetic(be, typ))
			})
		}
	}
}

// exactArithmetic reports whether a backend runs weights of type typ in float32 only.
func exactArithmetic(backend string, typ quant.Type) bool {
	return typ == quant.F32 || (backend == "cpu" && (typ == quant.F16 || typ == quant.BF16))
}

func compareGreedy(t *testing.T, m, refModel *scope.Model, steps int, exact bool) {
	ctx := context.Background()
	s, err := m.NewSession(scope.SessionOptions{ContextLen: 128})
	if err != nil {
		t.Fatal(err)
	}
	r, err := refModel.NewSession(scope.SessionOptions{ContextLen: 128})
	if err != nil {
		t.Fatal(err)
	}
	tok, flips := int32(1), 0
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
		if g != w {
			gap, rmsErr := float64(want[w]-want[g]), math.Sqrt(nmse(got, want)*meanSquare(want))
			if exact || gap > 2*rmsErr {
				t.Fatalf("step %d: backend picks %d, reference %d (reference gap %.4g, RMS logit error %.4g)", i, g, w, gap, rmsErr)
			}
			flips++
		}
		tok = int32(g)
	}
	if flips > steps/8 {
		t.Errorf("%d of %d greedy choices differ from the reference at near ties", flips, steps)
	}
	t.Logf("%d/%d greedy choices equal the reference's", steps-flips, steps)
}

func meanSquare(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s / float64(len(x))
}
