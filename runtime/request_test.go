package runtime

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/scope"
)

// Prefill then one Eval per token samples what Generate samples, with and without a policy.
func TestPrefillThenEvalMatchesGenerate(t *testing.T) {
	m, err := Open(testdata.Path(t, "gguf", "stories260K.gguf"), Config{Backend: "cpu", Threads: 1, ContextLen: 128})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	sl := scope.DefaultConfig()
	sl.Decode, sl.DecodeBudget, sl.Recent = scope.DecodeSlide, 12, 4
	for _, kv := range []*scope.Config{nil, &sl} {
		s, err := m.NewSession(SessionOptions{KV: kv})
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Generate(context.Background(), "Once upon a time", GenerateOptions{MaxTokens: 30})
		if err != nil {
			t.Fatal(err)
		}
		ids := m.Tokenizer().Encode("Once upon a time", true, false)
		logits, err := s.Prefill(context.Background(), ids, 30)
		var got []int32
		for err == nil && len(got) < 30 {
			next := int32(argmax(logits))
			got = append(got, next)
			logits, err = s.Eval(context.Background(), []int32{next})
		}
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, res.Tokens) {
			t.Errorf("policy %v: Prefill+Eval %v, Generate %v", kv != nil, got, res.Tokens)
		}
		s.Close()
		if _, err := s.Prefill(context.Background(), ids, 1); !errors.Is(err, ErrClosed) {
			t.Errorf("Prefill on a closed session: %v", err)
		}
	}
}

func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}
