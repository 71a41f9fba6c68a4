// Package model loads transformer models (GGUF and llama2.c checkpoints) into typed
// hyper-parameters and weight tensors, and writes synthetic models for tests and benchmarks.
// It never imports a compute backend.
package model

import (
	"errors"
	"fmt"
)

// ErrUnsupported marks a model file this runtime cannot run (architecture, tensor type).
var ErrUnsupported = errors.New("unsupported model")

// Config holds the hyper-parameters of a llama-family transformer, read once at load.
type Config struct {
	Arch        string    // "llama" or "qwen2"
	Dim         int       // embedding width
	HiddenDim   int       // feed-forward width
	NLayers     int       //
	NHeads      int       // query heads
	NKVHeads    int       // key/value heads (GQA when < NHeads)
	HeadDim     int       // Dim / NHeads
	VocabSize   int       //
	ContextLen  int       // trained context length
	NormEps     float32   // RMSNorm epsilon
	RopeBase    float32   // rope.freq_base (10000 by default)
	RopeDim     int       // rotated elements per head (rope.dimension_count)
	RopeNeoX    bool      // NeoX layout (halves) instead of adjacent pairs
	RopeFactors []float32 // (RopeDim/2) Llama-3.1 rope_freqs divisors, or nil
	TiedOutput  bool      // classifier shares the token embedding
	QKVBias     bool      // Q/K/V projections have biases (qwen2)
}

// KVDim is the width of one token's K (or V) across the KV heads.
func (c *Config) KVDim() int { return c.NKVHeads * c.HeadDim }

// Validate checks the hyper-parameters for consistency.
func (c *Config) Validate() error {
	switch {
	case c.Dim <= 0 || c.HiddenDim <= 0 || c.NLayers <= 0 || c.NHeads <= 0 || c.NKVHeads <= 0 || c.VocabSize <= 0:
		return fmt.Errorf("model: non-positive dimension in %+v", *c)
	case c.Dim%c.NHeads != 0 && c.HeadDim == 0:
		return fmt.Errorf("model: dim %d is not a multiple of %d heads", c.Dim, c.NHeads)
	case c.NHeads%c.NKVHeads != 0:
		return fmt.Errorf("model: %d heads is not a multiple of %d KV heads", c.NHeads, c.NKVHeads)
	case c.HeadDim <= 0 || c.RopeDim <= 0 || c.RopeDim > c.HeadDim || c.RopeDim%2 != 0:
		return fmt.Errorf("model: bad head size %d / rope dimension %d", c.HeadDim, c.RopeDim)
	case c.RopeFactors != nil && len(c.RopeFactors) != c.RopeDim/2:
		return fmt.Errorf("model: rope_freqs has %d values, want %d", len(c.RopeFactors), c.RopeDim/2)
	case c.ContextLen <= 0:
		return fmt.Errorf("model: non-positive context length %d", c.ContextLen)
	}
	return nil
}
