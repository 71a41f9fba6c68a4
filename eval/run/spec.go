package run

import (
	"fmt"
	"math"
	"strings"

	"github.com/scopekv/scope/scope"
)

// Spec groups of a sweep: what a configuration varies.
const (
	GroupFull    = "full"    // full prefill, no decode compression (the reference)
	GroupPrefill = "prefill" // prefill compression only
	GroupDecode  = "decode"  // full prefill, a decode policy at a fraction of the output
	GroupPlugin  = "plugin"  // compressed prefill plus a SCOPE decode policy
)

// Spec is one KV configuration of a sweep, with budgets as ratios: P of the prompt length,
// D of the output length T. The real budgets follow from each prompt (Spec.Config).
type Spec struct {
	Name         string  `json:"name"`
	Group        string  `json:"group"`
	Prefill      string  `json:"prefill"`
	PrefillRatio float64 `json:"prefill_ratio"` // P/N; 1 (or Prefill "full") keeps the prompt
	Decode       string  `json:"decode"`
	DecodeRatio  float64 `json:"decode_ratio"` // D/T; 0 with Decode "none"
	Recent       int     `json:"recent"`       // R (decode policies only)
	// KV, when set, is used as is (absolute budgets, for example from command-line flags)
	// instead of the ratios above.
	KV *scope.Config `json:"kv,omitempty"`
}

// Budget is a spec's budgets for one prompt, in entries per layer and KV head.
type Budget struct {
	Prompt int `json:"prompt_len"` // N
	Output int `json:"output_len"` // T
	P      int `json:"p"`          // prompt entries kept (N for a full prefill)
	D      int `json:"d"`          // decode budget (0 without decode compression)
	R      int `json:"r"`
	Total  int `json:"total"` // P + D (P + T without decode compression)
}

// Config returns the policy configuration of the spec for a prompt of n tokens and t new
// tokens, with its budgets. Defaults (window, pooling, GQA group mode) are the paper's.
func (s Spec) Config(n, t int) (scope.Config, Budget, error) {
	if s.KV != nil {
		return fixedConfig(*s.KV, n, t)
	}
	c := scope.DefaultConfig()
	var err error
	if c.Prefill, err = scope.ParsePrefill(s.Prefill); err != nil {
		return c, Budget{}, err
	}
	if c.Decode, err = scope.ParseDecode(s.Decode); err != nil {
		return c, Budget{}, err
	}
	if c.Prefill != scope.PrefillFull {
		c.PrefillBudget = ratioOf(s.PrefillRatio, n)
		c.Window = min(c.Window, max(1, c.PrefillBudget/2))
	}
	if c.Decode != scope.DecodeNone {
		c.DecodeBudget, c.Recent = ratioOf(s.DecodeRatio, t), s.Recent
	}
	c, b, err := fixedConfig(c, n, t)
	if err != nil {
		return c, b, fmt.Errorf("%s: %w", s.Name, err)
	}
	return c, b, nil
}

// fixedConfig returns a given configuration with its budgets for one prompt.
func fixedConfig(c scope.Config, n, t int) (scope.Config, Budget, error) {
	b := Budget{Prompt: n, Output: t, P: n, Total: n + t}
	if c.Prefill != scope.PrefillFull {
		b.P = min(n, c.PrefillBudget)
	}
	b.Total = b.P + t
	if c.Decode != scope.DecodeNone {
		b.D, b.R = c.DecodeBudget, c.Recent
		b.Total = b.P + b.D
	}
	return c, b, c.Validate(n + t + 1)
}

// Valid reports whether the spec makes a valid configuration for n prompt and t output
// tokens (for example R < D).
func (s Spec) Valid(n, t int) bool {
	_, _, err := s.Config(n, t)
	return err == nil
}

// ratioOf returns round(r*n), at least 1.
func ratioOf(r float64, n int) int {
	return max(1, int(math.Round(r*float64(n))))
}

// Pair is a prefill method combined with a decode policy.
type Pair struct {
	Prefill string `json:"prefill"`
	Decode  string `json:"decode"`
}

// ParsePair reads "prefill+decode", for example "h2o+slide".
func ParsePair(s string) (Pair, error) {
	pre, dec, ok := strings.Cut(s, "+")
	if !ok {
		return Pair{}, fmt.Errorf("%w: %q is not PREFILL+DECODE", ErrInput, s)
	}
	if _, err := scope.ParsePrefill(pre); err != nil {
		return Pair{}, err
	}
	if _, err := scope.ParseDecode(dec); err != nil {
		return Pair{}, err
	}
	return Pair{Prefill: pre, Decode: dec}, nil
}

func (p Pair) String() string { return p.Prefill + "+" + p.Decode }

// Grid lists the values a sweep varies.
type Grid struct {
	PrefillMethods []string  `json:"prefill_methods"` // swept without decode compression
	PrefillRatios  []float64 `json:"prefill_ratios"`  // P/N below 1 (1 is the full cache)
	DecodePolicies []string  `json:"decode_policies"` // at equal total budget, full prefill
	DecodeRatios   []float64 `json:"decode_ratios"`   // D/T
	Recents        []int     `json:"recents"`         // R
	// Plugins are compressed-prefill combinations at PluginRatio of the prompt, at every
	// decode ratio with R = PluginRecent: SCOPE plugged into a prefill method (Table 2) and
	// the paper's Table 1 rows (H2O prefill with every decode policy, StreamingLLM with its
	// own decode policy), all at the same total P + D.
	Plugins      []Pair  `json:"plugins"`
	PluginRatio  float64 `json:"plugin_ratio"`
	PluginRecent int     `json:"plugin_recent"`
}

// DefaultGrid is the recall sweep of docs/evaluation.md: four prefill methods at 80..20%
// of the prompt, five decode policies at 1/4 and 1/8 of the output with R in {16, 32, 64},
// and prefill at 60% of the prompt combined with decode policies.
func DefaultGrid() Grid {
	return Grid{
		PrefillMethods: []string{"snapkv", "pyramidkv", "h2o", "streamingllm"},
		PrefillRatios:  []float64{0.8, 0.6, 0.4, 0.2},
		DecodePolicies: []string{"slide", "adaptive", "discontinuous", "h2o", "streamingllm"},
		DecodeRatios:   []float64{0.25, 0.125},
		Recents:        []int{16, 32, 64},
		Plugins: []Pair{{"snapkv", "slide"}, {"h2o", "slide"}, {"h2o", "adaptive"}, {"h2o", "discontinuous"},
			{"h2o", "h2o"}, {"streamingllm", "streamingllm"}},
		PluginRatio:  0.6,
		PluginRecent: 32,
	}
}

// FidelityGrid is the decode-policy grid of the fidelity sweep (a short prompt, so no
// prefill compression).
func FidelityGrid() Grid {
	g := DefaultGrid()
	g.PrefillMethods, g.Plugins = nil, nil
	return g
}

// Specs expands the grid into specs, the full cache first, keeping only those valid for a
// prompt of n tokens and an output of t tokens.
func (g Grid) Specs(n, t int) []Spec {
	specs := []Spec{{Name: "full", Group: GroupFull, Prefill: "full", PrefillRatio: 1, Decode: "none"}}
	for _, m := range g.PrefillMethods {
		for _, r := range g.PrefillRatios {
			specs = append(specs, Spec{Name: prefillRun(m, r), Group: GroupPrefill, Prefill: m, PrefillRatio: r, Decode: "none"})
		}
	}
	for _, d := range g.DecodeRatios {
		for _, r := range g.Recents {
			for _, p := range g.DecodePolicies {
				specs = append(specs, Spec{Name: policyRun(p, d, r), Group: GroupDecode, Prefill: "full",
					PrefillRatio: 1, Decode: p, DecodeRatio: d, Recent: r})
			}
		}
	}
	for _, pr := range g.Plugins {
		for _, d := range g.DecodeRatios {
			specs = append(specs, Spec{Name: g.pluginRun(pr, d), Group: GroupPlugin, Prefill: pr.Prefill,
				PrefillRatio: g.PluginRatio, Decode: pr.Decode, DecodeRatio: d, Recent: g.PluginRecent})
		}
	}
	valid := specs[:0]
	for _, s := range specs {
		if s.Valid(n, t) {
			valid = append(valid, s)
		}
	}
	return valid
}

func policyRun(p string, ratio float64, r int) string {
	return fmt.Sprintf("%s D=%s R=%d", policyLabel(p), frac(ratio), r)
}

func prefillRun(m string, ratio float64) string { return fmt.Sprintf("%s P=%s", m, pct(ratio)) }

// pluginLabel names a plug-in pair without its decode ratio ("h2o P=60% + slide").
func (g Grid) pluginLabel(p Pair) string {
	return fmt.Sprintf("%s P=%s + %s", p.Prefill, pct(g.PluginRatio), policyLabel(p.Decode))
}

func (g Grid) pluginRun(p Pair, ratio float64) string {
	return fmt.Sprintf("%s D=%s R=%d", g.pluginLabel(p), frac(ratio), g.PluginRecent)
}

// policyLabel names the unified baselines as the paper does.
func policyLabel(p string) string {
	switch p {
	case "h2o":
		return "h2o-unified"
	case "streamingllm":
		return "streamingllm"
	}
	return p
}

func pct(r float64) string { return fmt.Sprintf("%g%%", math.Round(r*1000)/10) }

// frac prints 0.25 as "1/4" when it is a unit fraction, else as a decimal.
func frac(r float64) string {
	if r > 0 && r < 1 {
		inv := 1 / r
		if math.Abs(inv-math.Round(inv)) < 1e-9 {
			return fmt.Sprintf("1/%d", int(math.Round(inv)))
		}
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", r), "0"), ".")
}
