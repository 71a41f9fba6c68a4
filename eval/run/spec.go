package run

import (
	"fmt"
	"math"
	"slices"
	"strconv"
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
	DecodeRatio  float64 `json:"decode_ratio"`    // D/T; 0 with Decode "none"
	Recent       int     `json:"recent"`          // R (decode policies only)
	GQA          string  `json:"gqa,omitempty"`   // group (default) or faithful
	Score        string  `json:"score,omitempty"` // decode score: current (default), decay:F, window:W
	// EqualPeak sets a decode policy's D so that its schedule never attends more decode
	// entries than Slide's D+1 at DecodeRatio: every policy at the same peak memory.
	EqualPeak bool `json:"equal_peak,omitempty"`
	// CapBudget keeps Adaptive/Discontinuous budgets at most D; ExpectedRatio > 0 clamps T
	// to ExpectedRatio*T before deriving delta (scope.Config.ExpectedTokens).
	CapBudget     bool    `json:"cap_budget,omitempty"`
	ExpectedRatio float64 `json:"expected_ratio,omitempty"`
	// PyramidMean lowers PyramidKV's nominal P until its mean P_l over the layers is at
	// most PrefillRatio of the prompt, the P SnapKV keeps in every layer.
	PyramidMean bool `json:"pyramid_mean,omitempty"`
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
	// NominalD and NominalP are the budgets before EqualPeak / PyramidMean lowered them.
	NominalD int `json:"nominal_d,omitempty"`
	NominalP int `json:"nominal_p,omitempty"`
}

// Config returns the policy configuration of the spec for a prompt of n tokens and t new
// tokens, with its budgets. Defaults (window, pooling, GQA group mode) are the paper's.
// PyramidMean needs the layer count: see ConfigLayers.
func (s Spec) Config(n, t int) (scope.Config, Budget, error) { return s.ConfigLayers(n, t, 0) }

// ConfigLayers is Config for a model of layers layers (0: PyramidMean is not applied).
func (s Spec) ConfigLayers(n, t, layers int) (scope.Config, Budget, error) {
	if s.KV != nil {
		return fixedConfig(*s.KV, n, t)
	}
	c, err := s.baseConfig()
	if err != nil {
		return c, Budget{}, err
	}
	nominalP, nominalD := 0, 0
	if c.Prefill != scope.PrefillFull {
		c.PrefillBudget = ratioOf(s.PrefillRatio, n)
		c.Window = min(c.Window, max(1, c.PrefillBudget/2))
		nominalP = c.PrefillBudget
		if s.PyramidMean && c.Prefill == scope.PrefillPyramidKV && layers > 0 {
			c.PrefillBudget = pyramidForMean(c, n, layers)
		}
	}
	if c.Decode != scope.DecodeNone {
		c.DecodeBudget, c.Recent = ratioOf(s.DecodeRatio, t), s.Recent
		if s.ExpectedRatio > 0 {
			c.ExpectedTokens = ratioOf(s.ExpectedRatio, t)
		}
		nominalD = c.DecodeBudget
		if s.EqualPeak && c.Recent < c.DecodeBudget {
			// Slide attends at most D+1 decode entries (D kept plus the new token)
			if c, err = scope.FitPeak(c, t, nominalD+1); err != nil {
				return c, Budget{}, fmt.Errorf("%s: %w", s.Name, err)
			}
		}
	}
	c, b, err := fixedConfig(c, n, t)
	if err != nil {
		return c, b, fmt.Errorf("%s: %w", s.Name, err)
	}
	if nominalD != c.DecodeBudget {
		b.NominalD = nominalD
	}
	if nominalP != c.PrefillBudget {
		b.NominalP = nominalP
	}
	return c, b, nil
}

// baseConfig returns the paper's defaults with the spec's methods, GQA mode and score.
func (s Spec) baseConfig() (scope.Config, error) {
	c := scope.DefaultConfig()
	var err error
	if c.Prefill, err = scope.ParsePrefill(s.Prefill); err != nil {
		return c, err
	}
	if c.Decode, err = scope.ParseDecode(s.Decode); err != nil {
		return c, err
	}
	if s.GQA != "" {
		if c.GQA, err = scope.ParseGQA(s.GQA); err != nil {
			return c, err
		}
	}
	c.CapBudget = s.CapBudget
	return c, ParseScore(&c, s.Score)
}

// ParseScore sets c's decode score from "current", "decay:F" (F in (0, 1]) or "window:W";
// "" leaves the current-query score.
func ParseScore(c *scope.Config, s string) error {
	if s == "" {
		return nil
	}
	name, arg, _ := strings.Cut(s, ":")
	var err error
	if c.Score, err = scope.ParseDecodeScore(name); err != nil {
		return err
	}
	switch c.Score {
	case scope.ScoreDecay:
		f, perr := strconv.ParseFloat(arg, 32)
		if perr != nil {
			return fmt.Errorf("%w: decode score %q: want decay:F", ErrInput, s)
		}
		c.ScoreDecay = float32(f)
	case scope.ScoreWindowMax:
		w, perr := strconv.Atoi(arg)
		if perr != nil {
			return fmt.Errorf("%w: decode score %q: want window:W", ErrInput, s)
		}
		c.ScoreWindow = w
	}
	return nil
}

// pyramidForMean returns the largest PyramidKV budget P' <= P whose mean P_l over the
// layers is at most P.
func pyramidForMean(c scope.Config, n, layers int) int {
	target := c.PrefillBudget
	for p := target; p > c.Window; p-- {
		c.PrefillBudget = p
		if mean(c.PrefillBudgets(n, layers)) <= float64(target) {
			return p
		}
	}
	return target
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

	// GQAModes runs every configuration in each mode ("" or group first); faithful keeps a
	// copy of each KV head's entries per query head (Heads/KVHeads times the memory).
	GQAModes []string `json:"gqa_modes,omitempty"`
	// DecodeScores runs each scored decode policy (slide, adaptive, discontinuous, h2o) with
	// each of these scores (decay:F, window:W) besides the paper's current-query score.
	DecodeScores []string `json:"decode_scores,omitempty"`
	// EqualPeak, CapBudget, ExpectedRatio and PyramidMean are applied to every spec (see
	// Spec). EqualPeak compares the decode policies at equal peak decode memory.
	EqualPeak     bool    `json:"equal_peak,omitempty"`
	CapBudget     bool    `json:"cap_budget,omitempty"`
	ExpectedRatio float64 `json:"expected_ratio,omitempty"`
	PyramidMean   bool    `json:"pyramid_mean,omitempty"`
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
		EqualPeak:    true,
		PyramidMean:  true,
	}
}

// FidelityGrid is the decode-policy grid of the fidelity sweep (a short prompt, so no
// prefill compression).
func FidelityGrid() Grid {
	g := DefaultGrid()
	g.PrefillMethods, g.Plugins = nil, nil
	g.EqualPeak = false // the fidelity tables of docs/evaluation.md use nominal budgets
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
	specs = g.expand(specs)
	valid := specs[:0]
	for _, s := range specs {
		if s.Valid(n, t) {
			valid = append(valid, s)
		}
	}
	return valid
}

// expand applies the grid-wide options and multiplies the specs by the GQA modes and the
// decode scores (the group mode and the current-query score keep the plain names).
func (g Grid) expand(specs []Spec) []Spec {
	var out []Spec
	modes := g.GQAModes
	if len(modes) == 0 {
		modes = []string{""}
	}
	scores := []string{""} // the paper's score always runs; DecodeScores adds others
	for _, sc := range g.DecodeScores {
		if sc != "" && sc != "current" {
			scores = append(scores, sc)
		}
	}
	for _, mode := range modes {
		for _, sp := range specs {
			sp.EqualPeak, sp.CapBudget, sp.ExpectedRatio, sp.PyramidMean = g.EqualPeak, g.CapBudget, g.ExpectedRatio, g.PyramidMean
			if mode != "" && mode != "group" {
				sp.GQA, sp.Name = mode, sp.Name+" gqa="+mode
			}
			for _, sc := range scores {
				if sc != "" && !scoredPolicy(sp.Decode) {
					continue
				}
				v := sp
				if sc != "" {
					v.Score, v.Name = sc, sp.Name+" score="+sc
				}
				out = append(out, v)
			}
		}
	}
	return out
}

func scoredPolicy(p string) bool {
	d, err := scope.ParseDecode(p)
	return err == nil && d != scope.DecodeNone && d != scope.DecodeStreamingLLM
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

// Variants returns the name suffixes the grid's GQA modes and decode scores add, the plain
// configuration ("") first.
func (g Grid) Variants() []string {
	modes, scores := append([]string{""}, g.GQAModes...), append([]string{""}, g.DecodeScores...)
	var out []string
	for _, m := range modes {
		for _, sc := range scores {
			v := ""
			if m != "" && m != "group" {
				v += " gqa=" + m
			}
			if sc != "" && sc != "current" {
				v += " score=" + sc
			}
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// MemoryBasis says how the grid's decode policies are compared.
func (g Grid) MemoryBasis() string {
	if g.EqualPeak {
		return "equal peak decode memory"
	}
	return "equal nominal N+D"
}
