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

// tolerance is the logits NMSE allowed per backend and weight type, a few times the worst
// error measured over these cases (x86-64 with AVX-512; Vulkan on lavapipe):
//
//	ref, and every float32 path (F32 weights; the CPU's F16, converted exactly)  < 1e-12
//	Vulkan, F16 and quantised weights (fp16 products)                     1.0e-6 .. 1.6e-6
//	CPU, Q8_0 and Q4_0 weights (activations quantised to Q8, as llama.cpp) 1.6e-4 .. 2.3e-4
//	Vulkan, Q8_0 and Q4_0 weights with int8 dot products (int8 activations) 1.1e-4 .. 2.2e-4
//	CPU, Q4_K and Q6_K weights (activations quantised to Q8)               4.5e-4 .. 4.7e-4
func tolerance(backend string, t quant.Type) float64 {
	switch {
	case backend == "ref" || t == quant.F32 || (backend == "cpu" && (t == quant.F16 || t == quant.BF16)):
		return 1e-10
	case t == quant.Q8_0 || t == quant.Q4_0:
		return 5e-4
	case backend != "cpu":
		return 1e-5
	}
	return 1e-3
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
	worst := 0.0
	defer func() { t.Logf("%s: worst logits NMSE %.3g (tolerance %.3g)", t.Name(), worst, tol) }()
	check := func(step string) {
		e := nmse(got, want)
		worst = max(worst, e)
		if e > tol || math.IsNaN(e) {
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
