package runtime_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	scope "github.com/scopekv/scope/runtime"
	kvpolicy "github.com/scopekv/scope/scope"
)

// TestPolicyStoreSizedForNeed: with MaxPromptTokens the policy cache's device store holds
// the prompt plus the policy's decode need, not the context, and that is enough for every
// policy to generate to the end of a long context; a longer prompt is refused up front.
func TestPolicyStoreSizedForNeed(t *testing.T) {
	m := openTiny(t)
	c := m.Config()
	const ctxLen, T = 1024, 900
	prompt := strings.Repeat("ab", 30)
	n := len(m.Tokenizer().Encode(prompt, true, false))
	cases := []struct {
		name string
		set  func(*kvpolicy.Config)
	}{
		{"slide", func(k *kvpolicy.Config) { k.Decode = kvpolicy.DecodeSlide }},
		{"adaptive", func(k *kvpolicy.Config) { k.Decode = kvpolicy.DecodeAdaptive }},
		{"discontinuous", func(k *kvpolicy.Config) { k.Decode = kvpolicy.DecodeDiscontinuous }},
		{"h2o-unified", func(k *kvpolicy.Config) { k.Decode = kvpolicy.DecodeH2O }},
		{"streamingllm", func(k *kvpolicy.Config) { k.Decode = kvpolicy.DecodeStreamingLLM }},
		{"snapkv+slide", func(k *kvpolicy.Config) {
			k.Prefill, k.PrefillBudget, k.Decode = kvpolicy.PrefillSnapKV, 24, kvpolicy.DecodeSlide
		}},
		{"faithful slide decay", func(k *kvpolicy.Config) {
			k.Decode, k.GQA, k.Score, k.ScoreDecay = kvpolicy.DecodeSlide, kvpolicy.GQAFaithful, kvpolicy.ScoreDecay, 0.9
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := kvpolicy.DefaultConfig()
			cfg.DecodeBudget, cfg.Recent = 64, 16
			tc.set(&cfg)
			whole, err := m.NewSession(scope.SessionOptions{ContextLen: ctxLen, KV: &cfg})
			if err != nil {
				t.Fatal(err)
			}
			s, err := m.NewSession(scope.SessionOptions{ContextLen: ctxLen, KV: &cfg, MaxPromptTokens: n})
			if err != nil {
				t.Fatal(err)
			}
			units := c.NLayers * c.NKVHeads
			if cfg.GQA == kvpolicy.GQAFaithful {
				units = c.NLayers * c.NHeads
			}
			slot := int64(8*c.HeadDim + 4)
			if want := int64(units*(ctxLen/16+2)*16) * slot; whole.KVBytes() != want {
				t.Errorf("whole-context store %d bytes, want %d", whole.KVBytes(), want)
			}
			if s.KVBytes() > whole.KVBytes()/4 {
				t.Errorf("store sized for the need holds %d bytes, the whole context %d", s.KVBytes(), whole.KVBytes())
			}
			res, err := s.Generate(context.Background(), prompt, scope.GenerateOptions{MaxTokens: T})
			if err != nil {
				t.Fatalf("generating with the sized store: %v", err)
			}
			if res.KV.DeviceBytes != s.KVBytes() || res.KV.PeakResidentBytes > res.KV.DeviceBytes ||
				res.KV.ResidentBytes <= 0 || res.KV.SlotSize != slot {
				t.Errorf("report: device %d, resident %d, peak resident %d, slot %d bytes", res.KV.DeviceBytes,
					res.KV.ResidentBytes, res.KV.PeakResidentBytes, res.KV.SlotSize)
			}
			if _, err := s.Generate(context.Background(), prompt+prompt, scope.GenerateOptions{MaxTokens: 4}); !errors.Is(err, scope.ErrContextFull) {
				t.Errorf("a prompt longer than MaxPromptTokens: %v, want ErrContextFull", err)
			}
			t.Logf("%d of %d bytes, %d tokens, peak resident %d bytes", s.KVBytes(), whole.KVBytes(), len(res.Tokens), res.KV.PeakResidentBytes)
		})
	}
}
