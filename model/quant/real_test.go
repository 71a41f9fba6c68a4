package quant_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/scopekv/scope/internal/testdata"
	"github.com/scopekv/scope/model/gguf"
	"github.com/scopekv/scope/model/quant"
)

func openGGUF(t *testing.T, name string) *gguf.File {
	t.Helper()
	f, err := gguf.Open(testdata.Path(t, "gguf", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestRealF16Tensors dequantises every F16 tensor of the tiny random llama and checks the
// values are finite, spread like random weights, and convert back to the same bytes.
func TestRealF16Tensors(t *testing.T) {
	f := openGGUF(t, "llama-2-tiny-random.gguf")
	seen := 0
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		if ti.Type != quant.F16 {
			continue
		}
		seen++
		raw := f.TensorData(ti)
		n := int(ti.NumElements())
		if need, err := quant.F16.RowBytes(n); err != nil || need != len(raw) {
			t.Fatalf("%s: %d bytes for %d elements (%v)", ti.Name, len(raw), n, err)
		}
		x := make([]float32, n)
		if err := quant.Dequantize(quant.F16, raw, x); err != nil {
			t.Fatal(err)
		}
		var sum2 float64
		for j, v := range x {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("%s[%d] = %v", ti.Name, j, v)
			}
			if h := binary.LittleEndian.Uint16(raw[2*j:]); v != quant.F16ToF32(h) {
				t.Fatalf("%s[%d]: %v, want %v", ti.Name, j, v, quant.F16ToF32(h))
			}
			sum2 += float64(v) * float64(v)
		}
		if rms := math.Sqrt(sum2 / float64(n)); rms < 1e-3 || rms > 10 {
			t.Errorf("%s: rms %g does not look like weights", ti.Name, rms)
		}
		back := make([]byte, len(raw))
		if err := quant.Quantize(quant.F16, x, back); err != nil || !bytes.Equal(back, raw) {
			t.Fatalf("%s: F16 -> F32 -> F16 is not lossless (err %v)", ti.Name, err)
		}
	}
	if seen != 9 {
		t.Errorf("%d F16 tensors, want 9", seen)
	}
}

// realBound is the relative RMSE accepted when quantising the real token embedding.
var realBound = map[quant.Type]float64{
	quant.BF16: 0.003, quant.Q8_0: 0.01, quant.Q8_K: 0.012, quant.Q6_K: 0.03,
	quant.Q5_0: 0.06, quant.Q5_1: 0.06, quant.Q5_K: 0.06, quant.Q4_0: 0.12,
	quant.Q4_1: 0.11, quant.Q4_K: 0.11, quant.Q3_K: 0.2, quant.Q2_K: 0.4,
}

// TestRealQuantise quantises real weights (the F16 token embedding of the tiny llama and
// the F32 embedding of stories260K) to every type and back.
func TestRealQuantise(t *testing.T) {
	for _, c := range []struct{ file, tensor string }{
		{"llama-2-tiny-random.gguf", "token_embd.weight"},
		{"stories260K.gguf", "token_embd.weight"},
	} {
		f := openGGUF(t, c.file)
		ti, ok := f.Tensor(c.tensor)
		if !ok {
			t.Fatalf("%s: no %s", c.file, c.tensor)
		}
		x := make([]float32, ti.NumElements())
		if err := quant.Dequantize(ti.Type, f.TensorData(ti), x); err != nil {
			t.Fatal(err)
		}
		x = x[:len(x)/quant.QK_K*quant.QK_K]
		for typ, bound := range realBound {
			n, _ := typ.RowBytes(len(x))
			b := make([]byte, n)
			y := make([]float32, len(x))
			if err := quant.Quantize(typ, x, b); err != nil {
				t.Fatal(err)
			}
			if err := quant.Dequantize(typ, b, y); err != nil {
				t.Fatal(err)
			}
			var e, s float64
			for i := range x {
				d := float64(x[i] - y[i])
				e += d * d
				s += float64(x[i]) * float64(x[i])
			}
			r := math.Sqrt(e / s)
			t.Logf("%s %s: relative RMSE %.5f", c.file, typ, r)
			if r > bound || r == 0 {
				t.Errorf("%s %s: relative RMSE %.5f, bound %.3f", c.file, typ, r, bound)
			}
		}
	}
}
