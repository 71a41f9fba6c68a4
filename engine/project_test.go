package engine

import (
	"testing"

	"github.com/scopekv/scope/scope"
)

// tinyllama is TinyLlama-1.1B's KV geometry: 22 layers, 32 heads over 4 KV heads of 64.
var tinyllama = geometry{shape: scope.Shape{Layers: 22, Heads: 32, KVHeads: 4}, headDim: 64, context: 4096}

func TestProjectionCountsKeptPromptPlusDecodeBudget(t *testing.T) {
	full := scope.DefaultConfig()
	sl := *slide(256, 128)
	cases := []struct {
		name                 string
		cfg                  scope.Config
		prompt, maxNew, want int
	}{
		{"full", full, 512, 2048, 2560},
		{"slide", sl, 512, 2048, 512 + 257},
		{"slide short", sl, 512, 100, 612},
		{"slide long prompt", sl, 3000, 1000, 3000 + 257},
		{"snapkv+slide", func() scope.Config { c := sl; c.Prefill, c.PrefillBudget = scope.PrefillSnapKV, 128; return c }(), 512, 2048, 512}, // the whole prompt while it is evaluated
	}
	for _, c := range cases {
		if got := tinyllama.entries(c.cfg, c.prompt, c.maxNew); got != c.want {
			t.Errorf("%s: %d entries, want %d", c.name, got, c.want)
		}
	}
	ad := sl
	ad.Decode = scope.DecodeAdaptive
	// Adaptive: R + (T-1)/delta with delta = (T-R)/(D-R) = 15 reaches 264, plus the new token.
	if got := tinyllama.entries(ad, 512, 2048); got != 512+128+2047/15+1 {
		t.Errorf("adaptive: %d entries", got)
	}
}

// TestSlideFitsThreeTimesMoreLongGenerations: under one budget, 512-token prompts with
// 2048 new tokens fit at least three times as often with Slide D=256 as with full KV.
func TestSlideFitsThreeTimesMoreLongGenerations(t *testing.T) {
	const budget = 1 << 30
	full := tinyllama.bytes(scope.DefaultConfig(), 512, 2048)
	sl := tinyllama.bytes(*slide(256, 128), 512, 2048)
	nFull, nSlide := budget/full, budget/sl
	t.Logf("1 GiB: full KV %d sequences (%.1f MiB each), Slide D=256 %d (%.1f MiB each)", nFull, float64(full)/(1<<20), nSlide, float64(sl)/(1<<20))
	if nSlide < 3*nFull {
		t.Errorf("Slide admits %d, full KV %d: want at least 3x", nSlide, nFull)
	}
}
