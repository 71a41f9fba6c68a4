package tests

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/scopekv/scope/internal/ref"
	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/quant"
	scope "github.com/scopekv/scope/runtime"
)

// nmse is the mean squared error normalised by the reference's mean square.
func nmse(got, want []float32) float64 {
	var num, den float64
	for i := range want {
		d := float64(got[i] - want[i])
		num += d * d
		den += float64(want[i]) * float64(want[i])
	}
	return num / max(den, 1e-30)
}

// tolerance per backend and weight type: the CPU backend quantises activations to Q8 for
// quantised weights (as llama.cpp does), Vulkan may compute in fp16.
func tolerance(backend string, t quant.Type) float64 {
	tol := 1e-9
	if backend != "ref" {
		tol = 1e-6
		switch t {
		case quant.F16, quant.BF16:
			tol = 1e-5
		case quant.F32:
		default:
			tol = 1e-3
		}
	}
	return tol
}

// TestBackendsAgreeWithReference runs a batched prefill and then single-token decode steps
// through each backend's op graph and compares the logits with the token-by-token scalar
// reference forward pass (internal/ref) at every position.
func TestBackendsAgreeWithReference(t *testing.T) {
	type tc struct {
		name string
		path string
		typ  quant.Type
	}
	var cases []tc
	for _, typ := range []quant.Type{quant.F32, quant.F16, quant.Q8_0, quant.Q4_0, quant.Q4_K, quant.Q6_K} {
		cases = append(cases, tc{"tiny-" + typ.String(), synthModel(t, "tiny", typ), typ})
	}
	cases = append(cases, tc{"qwen2-tiny-Q8_0", synthArch(t, "qwen2", "tiny", quant.Q8_0), quant.Q8_0})
	if dir := testdata.Root(); dir != "" {
		cases = append(cases, tc{"stories260K", dir + "/gguf/stories260K.gguf", quant.F32})
	}
	for _, be := range backends(t) {
		for _, c := range cases {
			t.Run(be+"/"+c.name, func(t *testing.T) {
				m := openModel(t, be, c.path)
				compareWithReference(t, m, c.path, tolerance(be, c.typ))
			})
		}
	}
}

func compareWithReference(t *testing.T, m *scope.Model, path string, tol float64) {
	f, err := model.Open(path, model.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const prompt, decode = 21, 6
	tr, err := ref.NewTransformer(f, prompt+decode+1)
	if err != nil {
		t.Fatal(err)
	}
	toks := make([]int32, prompt+decode)
	for i := range toks {
		toks[i] = int32((i*37 + 11) % f.Config.VocabSize)
	}
	var want []float32
	for pos := 0; pos < prompt; pos++ {
		if want, err = tr.Forward(toks[pos], pos); err != nil {
			t.Fatal(err)
		}
	}
	s, err := m.NewSession(scope.SessionOptions{ContextLen: 64})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Eval(context.Background(), toks[:prompt])
	if err != nil {
		t.Fatal(err)
	}
	check := func(step string) {
		if e := nmse(got, want); e > tol || math.IsNaN(e) {
			t.Errorf("%s: logits NMSE %.3g > %.3g", step, e, tol)
		}
	}
	check("prefill")
	for i := prompt; i < prompt+decode; i++ {
		if want, err = tr.Forward(toks[i], i); err != nil {
			t.Fatal(err)
		}
		if got, err = s.Eval(context.Background(), toks[i:i+1]); err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("decode pos %d", i))
	}
}
