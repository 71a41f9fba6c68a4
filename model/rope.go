package model

import (
	"fmt"
	"math"

	"github.com/scopekv/scope/model/gguf"
)

// ropeScaling derives RoPE frequency divisors from metadata when the file has no
// rope_freqs tensor: "linear" scaling divides every frequency by the factor, and "llama3"
// (Llama 3.1) leaves high frequencies alone, divides low ones by the factor and blends the
// band between, as Meta's reference does.
func ropeScaling(f *gguf.File, c *Config) error {
	arch := c.Arch
	typ, _ := f.String(arch + ".rope.scaling.type")
	factor, hasFactor := f.Float(arch + ".rope.scaling.factor")
	if !hasFactor {
		factor, hasFactor = f.Float(arch + ".rope.scale_linear")
		if hasFactor && typ == "" {
			typ = "linear"
		}
	}
	switch typ {
	case "", "none":
		return nil
	case "linear", "llama3":
	default:
		return fmt.Errorf("model: rope scaling %q: %w", typ, ErrUnsupported)
	}
	if !hasFactor || factor <= 0 || math.IsNaN(factor) {
		return fmt.Errorf("model: rope scaling %q needs a positive factor", typ)
	}
	half := c.RopeDim / 2
	c.RopeFactors = make([]float32, half)
	for i := range c.RopeFactors {
		c.RopeFactors[i] = float32(factor)
	}
	if typ == "linear" {
		return nil
	}
	low, _ := f.Float(arch + ".rope.scaling.low_freq_factor")
	high, _ := f.Float(arch + ".rope.scaling.high_freq_factor")
	orig, _ := f.Float(arch + ".rope.scaling.original_context_length")
	if low <= 0 || high <= low || orig <= 0 {
		return fmt.Errorf("model: llama3 rope scaling needs low/high frequency factors and the original context length")
	}
	lowWave, highWave := orig/low, orig/high
	for i := range c.RopeFactors {
		freq := 1 / math.Pow(float64(c.RopeBase), float64(2*i)/float64(c.RopeDim))
		wave := 2 * math.Pi / freq
		switch {
		case wave < highWave:
			c.RopeFactors[i] = 1
		case wave > lowWave:
			c.RopeFactors[i] = float32(factor)
		default:
			smooth := (orig/wave - low) / (high - low)
			c.RopeFactors[i] = float32(1 / ((1-smooth)/factor + smooth))
		}
	}
	return nil
}
