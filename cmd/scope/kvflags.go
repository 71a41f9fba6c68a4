package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/scopekv/scope/scope"
)

// kvFlags configure the KV cache policy.
type kvFlags struct {
	prefill, decode, gqa, pooling, stats string
	prefillBudget, window, kernel        int
	decodeBudget, recent, pageSize       int
	delta, period                        int
	memMiB                               int64
	paged                                bool
	capBudget                            bool
	expected, scoreWindow                int
	score                                string
	scoreDecay                           float64
}

func (f *kvFlags) register(fs *flag.FlagSet) {
	d := scope.DefaultConfig()
	fs.StringVar(&f.prefill, "kv-prefill", "full", "prefill KV method: full, snapkv, pyramidkv, h2o, streamingllm")
	fs.IntVar(&f.prefillBudget, "kv-prefill-budget", d.PrefillBudget, "P: prompt entries kept per layer (window included)")
	fs.IntVar(&f.window, "kv-window", d.Window, "w: observation window (last prompt tokens always kept)")
	fs.IntVar(&f.kernel, "kv-kernel", d.Kernel, "SnapKV/PyramidKV pooling kernel (odd; 1 = none)")
	fs.StringVar(&f.pooling, "kv-pooling", "max", "SnapKV/PyramidKV pooling: max or avg")
	fs.StringVar(&f.decode, "kv-decode", "none", "decode KV policy: none, slide, adaptive, discontinuous, h2o, streamingllm")
	fs.IntVar(&f.decodeBudget, "kv-decode-budget", d.DecodeBudget, "D: decode entries kept per layer (heavy hitters + recent)")
	fs.IntVar(&f.recent, "kv-recent", d.Recent, "R: newest decode entries always kept")
	fs.IntVar(&f.delta, "kv-delta", 0, "adaptive/discontinuous delta (0 = floor((T-R)/(D-R)) from -n)")
	fs.IntVar(&f.period, "kv-refresh-period", 0, "discontinuous steps per refresh (0 = delta+1)")
	fs.BoolVar(&f.capBudget, "kv-cap-budget", false, "adaptive/discontinuous: never let the budget grow past D")
	fs.IntVar(&f.expected, "kv-expected-tokens", 0, "clamp T to this many tokens before deriving delta (0 = off)")
	fs.StringVar(&f.score, "kv-score", "current", "decode score: current (the query's attention), decay (decayed sum since written), window (max over the last steps)")
	fs.Float64Var(&f.scoreDecay, "kv-score-decay", 0.9, "decay factor per step of --kv-score decay, in (0, 1]")
	fs.IntVar(&f.scoreWindow, "kv-score-window", 8, "steps of --kv-score window")
	fs.IntVar(&f.pageSize, "kv-page-size", d.PageSize, "KV page size in token slots")
	fs.StringVar(&f.gqa, "kv-gqa", "group", "GQA selection: group (per KV head) or faithful (per query head)")
	fs.Int64Var(&f.memMiB, "kv-mem", 0, "KV pool size in MiB (0 = the whole context)")
	fs.BoolVar(&f.paged, "kv-paged", false, "use the paged policy cache even with full/none")
	fs.StringVar(&f.stats, "kv-stats", "", "write the KV accounting (JSON) to this file")
}

// config returns the policy configuration, or nil for full KV.
func (f *kvFlags) config() (*scope.Config, error) {
	c := scope.DefaultConfig()
	var err error
	if c.Prefill, err = scope.ParsePrefill(f.prefill); err != nil {
		return nil, err
	}
	if c.Decode, err = scope.ParseDecode(f.decode); err != nil {
		return nil, err
	}
	if c.GQA, err = scope.ParseGQA(f.gqa); err != nil {
		return nil, err
	}
	if c.Pooling, err = scope.ParsePooling(f.pooling); err != nil {
		return nil, err
	}
	c.PrefillBudget, c.Window, c.Kernel = f.prefillBudget, f.window, f.kernel
	c.DecodeBudget, c.Recent, c.PageSize = f.decodeBudget, f.recent, f.pageSize
	c.Delta, c.RefreshPeriod = f.delta, f.period
	c.CapBudget, c.ExpectedTokens = f.capBudget, f.expected
	if c.Score, err = scope.ParseDecodeScore(f.score); err != nil {
		return nil, err
	}
	c.ScoreDecay, c.ScoreWindow = float32(f.scoreDecay), f.scoreWindow
	if f.memMiB < 0 {
		return nil, fmt.Errorf("--kv-mem must be >= 0")
	}
	if c.Prefill == scope.PrefillFull && c.Decode == scope.DecodeNone && !f.paged && f.memMiB == 0 {
		if f.pageSize <= 0 {
			return nil, fmt.Errorf("--kv-page-size must be positive, got %d", f.pageSize)
		}
		return nil, nil
	}
	return &c, nil
}

func (f *kvFlags) memory() int64 { return f.memMiB << 20 }

// report writes the accounting file and prints the summary line.
func (f *kvFlags) report(r *scope.Report) error {
	if r == nil {
		return nil
	}
	var copied int64
	for _, l := range r.Layers {
		copied += l.BytesCopied
	}
	fmt.Fprintf(os.Stderr, "scope: kv %s+%s: prompt %d, P_l %v, peak layer entries %d, rebuilds %d, evictions %d, bytes copied %d\n",
		r.Prefill, r.Decode, r.PromptLen, summarise(r.PrefillKept), r.PeakLayerEntries, r.Rebuilds, r.Evictions, copied)
	fmt.Fprintf(os.Stderr, "scope: kv bytes: %d allocated on the device, %d resident (peak %d; %d per entry with its position)\n",
		r.DeviceBytes, r.ResidentBytes, r.PeakResidentBytes, r.SlotSize)
	if f.stats == "" {
		return nil
	}
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(f.stats, b, 0o644)
}

func summarise(v []int) string {
	if len(v) == 0 {
		return "[]"
	}
	lo, hi := v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d..%d", lo, hi)
}
