package runtime_test

import (
	"strings"
	"testing"

	scope "github.com/scopekv/scope/runtime"
	kvpolicy "github.com/scopekv/scope/scope"
)

// TestGenerateReplaysSpecRows runs the §1.6 rows with T=4096, D=512 through Generate: a
// 2048-token prompt kept whole (P = N = 2048), R = 256, 4096 new tokens. The first rebuild
// step, the rebuilds per layer and the peak layer length must be the table's.
func TestGenerateReplaysSpecRows(t *testing.T) {
	if testing.Short() {
		t.Skip("4095 decode passes per row")
	}
	m := openTiny(t)
	prompt := strings.Repeat("x", 2046)
	rows := []struct {
		pol                    kvpolicy.DecodePolicy
		first, rebuilds, peakL int
	}{
		{kvpolicy.DecodeSlide, 512, 3584, 2561},
		{kvpolicy.DecodeAdaptive, 274, 3822, 2577},
		{kvpolicy.DecodeDiscontinuous, 289, 238, 2590},
	}
	for _, row := range rows {
		cfg := kvpolicy.DefaultConfig()
		cfg.Decode, cfg.DecodeBudget, cfg.Recent = row.pol, 512, 256
		s, err := m.NewSession(scope.SessionOptions{ContextLen: 2048 + 4096, KV: &cfg})
		if err != nil {
			t.Fatal(err)
		}
		res := generateT(t, s, prompt, 4096)
		r := res.KV
		if res.PromptTokens != 2048 {
			t.Fatalf("prompt of %d tokens, want 2048", res.PromptTokens)
		}
		if r.FirstRebuild != row.first || r.Rebuilds != row.rebuilds || r.PeakLayerEntries != row.peakL || r.Delta != 15 {
			t.Errorf("%v: first rebuild %d, rebuilds %d, peak layer %d, delta %d; §1.6 says %d, %d, %d, 15",
				row.pol, r.FirstRebuild, r.Rebuilds, r.PeakLayerEntries, r.Delta, row.first, row.rebuilds, row.peakL)
		}
	}
}
