package tests

import (
	"slices"
	"testing"

	"github.com/scopekv/scope/internal/ref"
	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/quant"
	scope "github.com/scopekv/scope/runtime"
)

// TestTinyRandomF16 loads llama-2-tiny-random.gguf (F16 weights, a full 32000-token
// vocabulary, separate output matrix) on every backend: its prompt tokenizes as Llama 2's,
// and its greedy choices match the scalar reference's step by step (exactly where the
// backend computes in float32), through the session API and through Generate.
func TestTinyRandomF16(t *testing.T) {
	path := testdata.Path(t, "gguf", "llama-2-tiny-random.gguf")
	refModel := openModel(t, "ref", path)
	_, want := generate(t, refModel, "Hello world", scope.GenerateOptions{MaxTokens: 16})
	for _, be := range backends(t) {
		t.Run(be, func(t *testing.T) {
			m := openModel(t, be, path)
			c := m.Config()
			if c.Dim != 8 || c.NLayers != 1 || c.VocabSize != 32000 || c.TiedOutput {
				t.Fatalf("unexpected config %+v", c)
			}
			if ids := m.Tokenizer().Encode("Hello world", true, false); !slices.Equal(ids, []int32{1, 15043, 3186}) {
				t.Errorf("prompt tokens %v, want [1 15043 3186] (<s> ▁Hello ▁world)", ids)
			}
			exact := exactArithmetic(be, quant.F16)
			compareGreedy(t, m, refModel, 32, exact)
			_, res := generate(t, m, "Hello world", scope.GenerateOptions{MaxTokens: 16})
			if res.PromptTokens != 3 || len(res.Tokens) == 0 {
				t.Fatalf("prompt %d tokens, generated %d", res.PromptTokens, len(res.Tokens))
			}
			if exact && !slices.Equal(res.Tokens, want.Tokens) {
				t.Errorf("generated %v, reference %v", res.Tokens, want.Tokens)
			}
		})
	}
}

// TestGreedyF32MatchesF16 runs the scalar reference greedily on the F32 and the F16 files of
// the same synthetic model (the F16 weights are the F32 ones rounded), feeding both the F32
// run's tokens. The greedy choices must agree at every step except where the F32 run's top
// two logits are within 0.05 of each other (a near tie that F16 rounding may flip).
func TestGreedyF32MatchesF16(t *testing.T) {
	open := func(typ quant.Type) *ref.Transformer {
		f, err := model.Open(synthModel(t, "tiny", typ), model.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		tr, err := ref.NewTransformer(f, 128)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	a, b := open(quant.F32), open(quant.F16)
	tok, agree, ties := int32(1), 0, 0
	const steps = 96
	for pos := 0; pos < steps; pos++ {
		la, err := a.Forward(tok, pos)
		if err != nil {
			t.Fatal(err)
		}
		lb, err := b.Forward(tok, pos)
		if err != nil {
			t.Fatal(err)
		}
		ga, gb := ref.Argmax(la), ref.Argmax(lb)
		if ga == gb {
			agree++
		} else if margin(la) < 0.05 {
			ties++
		} else {
			t.Errorf("pos %d: F32 picks %d, F16 picks %d with a margin of %.3f", pos, ga, gb, margin(la))
		}
		tok = int32(ga)
	}
	t.Logf("greedy agreement F32 vs F16: %d/%d steps (%d near ties)", agree, steps, ties)
}

func margin(x []float32) float32 {
	best := ref.Argmax(x)
	var second float32 = -1e30
	for i, v := range x {
		if i != best && v > second {
			second = v
		}
	}
	return x[best] - second
}
