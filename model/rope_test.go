package model

import (
	"bytes"
	"testing"

	"github.com/scopekv/scope/model/gguf"
)

// TestRopeScalingLlama3 derives Llama 3.1's frequency divisors from metadata: 1 for the
// high frequencies, the factor for the low ones, rising smoothly between.
func TestRopeScalingLlama3(t *testing.T) {
	w := gguf.NewWriter()
	for k, v := range map[string]any{"llama.rope.scaling.type": "llama3", "llama.rope.scaling.factor": float32(8),
		"llama.rope.scaling.low_freq_factor": float32(1), "llama.rope.scaling.high_freq_factor": float32(4),
		"llama.rope.scaling.original_context_length": uint32(8192)} {
		if err := w.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	c := Config{Arch: "llama", RopeDim: 128, RopeBase: 500000}
	if err := ropeScaling(f, &c); err != nil {
		t.Fatal(err)
	}
	r := c.RopeFactors
	if len(r) != 64 || r[0] != 1 || r[63] != 8 {
		t.Fatalf("factors %v", r)
	}
	smooth := 0
	for i := 1; i < len(r); i++ {
		if r[i] < r[i-1] {
			t.Fatalf("factor %d (%g) below factor %d (%g)", i, r[i], i-1, r[i-1])
		}
		if r[i] > 1 && r[i] < 8 {
			smooth++
		}
	}
	if smooth == 0 {
		t.Errorf("no blended band: %v", r)
	}
	bad := Config{Arch: "llama", RopeDim: 8, RopeBase: 10000}
	w.Set("llama.rope.scaling.type", "yarn")
	buf.Reset()
	w.WriteTo(&buf)
	f, _ = gguf.Parse(buf.Bytes())
	if err := ropeScaling(f, &bad); err == nil {
		t.Error("yarn scaling accepted")
	}
}
