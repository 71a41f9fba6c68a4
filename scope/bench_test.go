package scope

import (
	"math/rand/v2"
	"testing"

	"github.com/scopekv/scope/kv"
)

// benchStep measures the policy's own cost of one decode step at Llama-3-8B-like size
// (32 layers, 32 query heads over 8 KV heads, P=2048, D=512, R=256, 16-slot pages): slot
// allocation, candidate ranking and eviction over every (layer, unit), compaction and
// accounting. The scores are a fixed random buffer, so the forward pass is not measured.
func benchStep(b *testing.B, policy DecodePolicy) {
	shape := Shape{Layers: 32, Heads: 32, KVHeads: 8}
	cfg := DefaultConfig()
	cfg.Decode = policy
	units := shape.Units(cfg.GQA)
	pages := shape.Layers * units * (2048 + 1024 + 64) / cfg.PageSize
	pool, err := kv.NewPool(kv.Config{Layers: shape.Layers, Units: units, PageSize: cfg.PageSize, Pages: pages})
	if err != nil {
		b.Fatal(err)
	}
	const maxNew = 4096
	m, err := NewManager(cfg, pool, shape, maxNew)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := m.AppendPrompt(0, 2048); err != nil {
		b.Fatal(err)
	}
	stride := (2048 + 512 + 64) / cfg.PageSize * cfg.PageSize
	probs := make([]float32, shape.Heads*stride)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range probs {
		probs[i] = rng.Float32()
	}
	var ups []kv.Update
	pos := int32(2048)
	step := func() {
		p, err := m.Begin(pos)
		if err != nil {
			b.Fatal(err)
		}
		if p.NeedScores {
			for l := range shape.Layers {
				if err := m.Observe(l, probs, stride); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := m.End(); err != nil {
			b.Fatal(err)
		}
		ups = pool.DrainUpdates(ups[:0])
		pos++
	}
	for range 700 { // past the first rebuilds into the steady state
		step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		step()
	}
}

func BenchmarkStepSlide(b *testing.B)         { benchStep(b, DecodeSlide) }
func BenchmarkStepAdaptive(b *testing.B)      { benchStep(b, DecodeAdaptive) }
func BenchmarkStepDiscontinuous(b *testing.B) { benchStep(b, DecodeDiscontinuous) }
