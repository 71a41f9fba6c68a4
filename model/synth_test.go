package model

import (
	"bytes"
	"math"
	"testing"

	"github.com/scopekv/scope/model/gguf"
	"github.com/scopekv/scope/model/quant"
)

// relRMSE is the RMS error relative to the RMS of the original values.
func relRMSE(got, want []float32) float64 {
	var num, den float64
	for i := range want {
		d := float64(got[i] - want[i])
		num += d * d
		den += float64(want[i]) * float64(want[i])
	}
	return math.Sqrt(num / den)
}

// TestSynthRoundTrip writes a tiny model of every writable type, reads it back through the
// GGUF reader and the model loader, and compares each dequantised tensor with the values
// that were written: bit-exact for F32, exact after rounding for F16/BF16, and within each
// format's error otherwise.
func TestSynthRoundTrip(t *testing.T) {
	bound := map[quant.Type]float64{quant.Q8_0: 0.007, quant.Q4_0: 0.12, quant.Q4_1: 0.1, quant.Q5_0: 0.06,
		quant.Q5_1: 0.05, quant.Q4_K: 0.1, quant.Q5_K: 0.05, quant.Q6_K: 0.025}
	for _, typ := range []quant.Type{quant.F32, quant.F16, quant.BF16, quant.Q8_0, quant.Q4_0, quant.Q4_1,
		quant.Q5_0, quant.Q5_1, quant.Q4_K, quant.Q5_K, quant.Q6_K} {
		t.Run(typ.String(), func(t *testing.T) {
			written := map[string][]float32{}
			w, err := synth(SynthOptions{Shape: "tiny", Type: typ, Seed: 3}, func(n string, v []float32) {
				written[n] = append([]float32(nil), v...)
			})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if _, err := w.WriteTo(&buf); err != nil {
				t.Fatal(err)
			}
			f, err := gguf.Parse(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			m, err := FromGGUF(f)
			if err != nil {
				t.Fatal(err)
			}
			tensors := []*Tensor{&m.Embed, &m.OutputNorm, &m.Output}
			for i := range m.Layers {
				l := &m.Layers[i]
				tensors = append(tensors, &l.AttnNorm, &l.Wq, &l.Wk, &l.Wv, &l.Wo, &l.FFNNorm, &l.WGate, &l.WUp, &l.WDown)
			}
			if len(tensors) != len(written) {
				t.Fatalf("%d tensors loaded, %d written", len(tensors), len(written))
			}
			for _, x := range tensors {
				checkTensor(t, x, written[x.Name], typ, bound[typ])
			}
		})
	}
}

func checkTensor(t *testing.T, x *Tensor, want []float32, typ quant.Type, bound float64) {
	t.Helper()
	got, err := x.Float32()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, wrote %d", x.Name, len(got), len(want))
	}
	if x.Type == quant.F32 || x.Type == quant.F16 || x.Type == quant.BF16 {
		for i, w := range want {
			if x.Type == quant.F16 {
				w = quant.F16ToF32(quant.F32ToF16(w))
			} else if x.Type == quant.BF16 {
				w = quant.BF16ToF32(quant.F32ToBF16(w))
			}
			if got[i] != w {
				t.Fatalf("%s (%s): value %d is %v, wrote %v", x.Name, x.Type, i, got[i], w)
			}
		}
		return
	}
	if x.Type != typ {
		t.Fatalf("%s stored as %s, asked %s", x.Name, x.Type, typ)
	}
	if e := relRMSE(got, want); e > bound {
		t.Errorf("%s (%s): relative RMSE %.4f > %.4f", x.Name, typ, e, bound)
	}
}

func TestSynthChatTemplate(t *testing.T) {
	const tmpl = "{% for m in messages %}{{ m.content }}{% endfor %}"
	w, err := Synth(SynthOptions{Shape: "tiny", Type: quant.F32, Seed: 1, ChatTemplate: tmpl})
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/chat.gguf"
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	for _, open := range []func(string, Options) (*Model, error){Open, OpenVocab} {
		m, err := open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if m.ChatTemplate != tmpl {
			t.Errorf("ChatTemplate = %q, want %q", m.ChatTemplate, tmpl)
		}
		m.Close()
	}
}
