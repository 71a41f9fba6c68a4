package tests

import (
	"testing"

	"github.com/scopekv/scope/internal/testdata"
	scope "github.com/scopekv/scope/runtime"
	kvpolicy "github.com/scopekv/scope/scope"
)

// TestSlideStoreSizedForNeed: a Slide session told its longest prompt allocates a KV store
// for the prompt plus D (the backend reports the bytes), far below the whole-context store,
// and generates the same text with it on every backend.
func TestSlideStoreSizedForNeed(t *testing.T) {
	path := testdata.Path(t, "gguf", "stories260K.gguf")
	const ctxLen, prompt, n = 1024, "Once upon a time", 400
	for _, be := range backends(t) {
		t.Run(be, func(t *testing.T) {
			m := openModel(t, be, path)
			c := m.Config()
			kv := policyConfig(t, "full", "slide", 64, 16)
			whole, err := m.NewSession(scope.SessionOptions{ContextLen: ctxLen, KV: kv})
			if err != nil {
				t.Fatal(err)
			}
			want, _ := whole.Generate(t.Context(), prompt, scope.GenerateOptions{MaxTokens: n})
			np := want.PromptTokens
			if want.KV.Evictions == 0 {
				t.Fatalf("nothing evicted in %d tokens", len(want.Tokens))
			}
			s, err := m.NewSession(scope.SessionOptions{ContextLen: ctxLen, KV: kv, MaxPromptTokens: np})
			if err != nil {
				t.Fatal(err)
			}
			slot := int64(8*c.HeadDim + 4)
			units := int64(c.NLayers * c.NKVHeads)
			// per unit: the prompt plus D+1 decode entries, in 16-slot pages, plus 2 spare pages
			need := units * int64((np+64+1+15)/16+2) * 16 * slot
			if s.KVBytes() != need || whole.KVBytes() != units*int64(ctxLen/16+2)*16*slot {
				t.Errorf("KV store %d bytes (want %d), whole context %d", s.KVBytes(), need, whole.KVBytes())
			}
			got, err := s.Generate(t.Context(), prompt, scope.GenerateOptions{MaxTokens: n})
			if err != nil {
				t.Fatal(err)
			}
			if got.Text != want.Text || got.KV.Evictions != want.KV.Evictions {
				t.Errorf("sized store: %d evictions, text %q\nwhole store: %d evictions, text %q", got.KV.Evictions,
					got.Text, want.KV.Evictions, want.Text)
			}
			if got.KV.DeviceBytes != need || got.KV.PeakResidentBytes > need {
				t.Errorf("report: device %d bytes, peak resident %d", got.KV.DeviceBytes, got.KV.PeakResidentBytes)
			}
			t.Logf("%s: %d-token prompt, %d tokens: KV store %d bytes sized for the need, %d for the context",
				be, np, len(got.Tokens), s.KVBytes(), whole.KVBytes())
		})
	}
}

// TestBackendsMakeSameHistoryDecisions runs Slide with each history score on every backend
// and compares the text and the eviction accounting with the scalar reference's.
func TestBackendsMakeSameHistoryDecisions(t *testing.T) {
	path := testdata.Path(t, "gguf", "stories260K.gguf")
	for _, sc := range []string{"decay", "window"} {
		kv := policyConfig(t, "full", "slide", 64, 16)
		var err error
		if kv.Score, err = kvpolicy.ParseDecodeScore(sc); err != nil {
			t.Fatal(err)
		}
		kv.ScoreDecay, kv.ScoreWindow = 0.9, 6
		wantText, want := generateWith(t, openModel(t, "ref", path), kv, "Once upon a time", 300)
		if want.KV.Evictions == 0 {
			t.Fatalf("%s: nothing evicted", sc)
		}
		for _, be := range backends(t) {
			if be == "ref" {
				continue
			}
			t.Run(sc+"/"+be, func(t *testing.T) {
				got, res := generateWith(t, openModel(t, be, path), kv, "Once upon a time", 300)
				if got != wantText || res.KV.Evictions != want.KV.Evictions || res.KV.Rebuilds != want.KV.Rebuilds {
					t.Errorf("differs from the reference backend: %d/%d evictions/rebuilds, reference %d/%d\n got %q\nwant %q",
						res.KV.Evictions, res.KV.Rebuilds, want.KV.Evictions, want.KV.Rebuilds, got, wantText)
				}
			})
		}
	}
}
