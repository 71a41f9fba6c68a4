package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	evalrun "github.com/scopekv/scope/eval/run"
	scope "github.com/scopekv/scope/runtime"
	kvscope "github.com/scopekv/scope/scope"
)

// stringList is a flag that may be repeated; each use may also hold a comma-separated list
// when split is set.
type stringList struct {
	vals  []string
	split bool
}

func (l *stringList) String() string { return strings.Join(l.vals, ",") }

func (l *stringList) Set(v string) error {
	if !l.split {
		l.vals = append(l.vals, v)
		return nil
	}
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			l.vals = append(l.vals, s)
		}
	}
	return nil
}

// parseInts reads a comma-separated list of integers.
func parseInts(name, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("--%s: %q is not an integer", name, f)
		}
		out = append(out, v)
	}
	return out, nil
}

// parseRatios reads a comma-separated list of ratios in (0, 1]; "1/8" is accepted.
func parseRatios(name, s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := parseRatio(f)
		if err != nil || v <= 0 || v > 1 {
			return nil, fmt.Errorf("--%s: %q is not a ratio in (0, 1]", name, f)
		}
		out = append(out, v)
	}
	return out, nil
}

func parseRatio(s string) (float64, error) {
	if num, den, ok := strings.Cut(s, "/"); ok {
		a, err1 := strconv.ParseFloat(num, 64)
		b, err2 := strconv.ParseFloat(den, 64)
		if err1 != nil || err2 != nil || b == 0 {
			return 0, fmt.Errorf("bad fraction %q", s)
		}
		return a / b, nil
	}
	return strconv.ParseFloat(s, 64)
}

// gridFlags choose the values a sweep varies.
type gridFlags struct {
	prefillMethods, prefillRatios, policies, decodeRatios, recents, plugins string
	pluginRatio                                                             float64
	pluginRecent                                                            int
	gqaModes, scores                                                        string
	equalPeak, capBudget, pyramidMean                                       bool
	expectedRatio                                                           float64
}

func (f *gridFlags) register(fs *flag.FlagSet, d evalrun.Grid) {
	fs.StringVar(&f.prefillMethods, "prefill-methods", strings.Join(d.PrefillMethods, ","), "prefill methods swept without decode compression")
	fs.StringVar(&f.prefillRatios, "prefill-ratios", joinFloats(d.PrefillRatios), "prefill budgets P as fractions of the prompt")
	fs.StringVar(&f.policies, "policies", strings.Join(d.DecodePolicies, ","), "decode policies at equal total budget (full prefill)")
	fs.StringVar(&f.decodeRatios, "decode-ratios", joinFloats(d.DecodeRatios), "decode budgets D as fractions of the output")
	fs.StringVar(&f.recents, "recent", joinInts(d.Recents), "recent windows R")
	pairs := make([]string, len(d.Plugins))
	for i, p := range d.Plugins {
		pairs[i] = p.String()
	}
	fs.StringVar(&f.plugins, "plugins", strings.Join(pairs, ","), "PREFILL+DECODE pairs at --plugin-ratio of the prompt, at every decode ratio")
	fs.Float64Var(&f.pluginRatio, "plugin-ratio", d.PluginRatio, "prefill budget of the plug-in pairs, as a fraction of the prompt")
	fs.IntVar(&f.pluginRecent, "plugin-recent", d.PluginRecent, "R of the plug-in pairs")
	fs.StringVar(&f.gqaModes, "gqa-modes", strings.Join(d.GQAModes, ","), "GQA modes to run every configuration in: group, faithful (default group)")
	fs.StringVar(&f.scores, "decode-scores", strings.Join(d.DecodeScores, ","), "decode scores besides the current query's, for the scored policies: decay:F, window:W")
	fs.BoolVar(&f.equalPeak, "equal-peak", d.EqualPeak, "lower each decode policy's D so that it never holds more decode entries than Slide (equal peak memory)")
	fs.BoolVar(&f.capBudget, "cap-budget", d.CapBudget, "keep Adaptive/Discontinuous budgets at most D")
	fs.Float64Var(&f.expectedRatio, "expected-ratio", d.ExpectedRatio, "clamp T to this fraction of the output before deriving delta (0 = off)")
	fs.BoolVar(&f.pyramidMean, "pyramid-equal-mean", d.PyramidMean, "lower PyramidKV's nominal P until its mean P_l is at most SnapKV's P")
}

func (f *gridFlags) grid() (evalrun.Grid, error) {
	g := evalrun.Grid{PrefillMethods: splitList(f.prefillMethods), DecodePolicies: splitList(f.policies),
		PluginRatio: f.pluginRatio, PluginRecent: f.pluginRecent, GQAModes: splitList(f.gqaModes),
		DecodeScores: splitList(f.scores), EqualPeak: f.equalPeak, CapBudget: f.capBudget,
		ExpectedRatio: f.expectedRatio, PyramidMean: f.pyramidMean}
	for _, m := range g.GQAModes {
		if _, err := kvscope.ParseGQA(m); err != nil {
			return g, fmt.Errorf("--gqa-modes: %w", err)
		}
	}
	for _, sc := range g.DecodeScores {
		c := kvscope.DefaultConfig()
		if err := evalrun.ParseScore(&c, sc); err != nil {
			return g, fmt.Errorf("--decode-scores: %w", err)
		}
		c.Decode, c.DecodeBudget, c.Recent = kvscope.DecodeSlide, 2, 1
		if err := c.Validate(4); err != nil {
			return g, fmt.Errorf("--decode-scores: %w", err)
		}
	}
	if f.expectedRatio < 0 {
		return g, fmt.Errorf("--expected-ratio must be >= 0, got %g", f.expectedRatio)
	}
	for _, s := range splitList(f.plugins) {
		p, err := evalrun.ParsePair(s)
		if err != nil {
			return g, fmt.Errorf("--plugins: %w", err)
		}
		g.Plugins = append(g.Plugins, p)
	}
	var err error
	if g.PrefillRatios, err = parseRatios("prefill-ratios", f.prefillRatios); err != nil {
		return g, err
	}
	if g.DecodeRatios, err = parseRatios("decode-ratios", f.decodeRatios); err != nil {
		return g, err
	}
	if g.Recents, err = parseInts("recent", f.recents); err != nil {
		return g, err
	}
	for _, m := range g.PrefillMethods {
		if _, err := kvscope.ParsePrefill(m); err != nil {
			return g, err
		}
	}
	for _, p := range g.DecodePolicies {
		if _, err := kvscope.ParseDecode(p); err != nil {
			return g, err
		}
	}
	return g, nil
}

func splitList(s string) []string {
	var l stringList
	l.split = true
	l.Set(s)
	return l.vals
}

func joinFloats(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(s, ",")
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

// sweepOpener opens each worker's models with the model flags' backend (the CPU for
// "auto") and one thread unless -t says otherwise, without notices (every worker would
// repeat them).
func sweepOpener(mf *modelFlags) evalrun.Opener {
	cfg := mf.config()
	cfg.Log = nil
	if cfg.Backend == "auto" {
		cfg.Backend = "cpu"
	}
	if cfg.Threads == 0 {
		cfg.Threads = 1
	}
	return func(path string) (*scope.Model, error) { return scope.Open(path, cfg) }
}

// readPrompts returns the --prompt texts and the prompts of a file: a JSONL file of objects
// with a "prompt" field (recall and LongGenBench sets), else one prompt per line with "\n"
// written as a backslash-n.
func readPrompts(texts []string, file string) ([]string, error) {
	prompts := append([]string(nil), texts...)
	if file == "" {
		return prompts, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	for i, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasSuffix(file, ".jsonl") {
			var rec struct {
				Prompt *string `json:"prompt"`
			}
			if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Prompt == nil {
				return nil, fmt.Errorf("%s line %d: want a JSON object with a prompt", file, i+1)
			}
			prompts = append(prompts, *rec.Prompt)
			continue
		}
		prompts = append(prompts, strings.ReplaceAll(line, `\n`, "\n"))
	}
	return prompts, nil
}

// kvLabel names a KV configuration like the reference's method names ("full+none").
func kvLabel(c *kvscope.Config) string {
	if c == nil {
		return "full+none"
	}
	return c.Prefill.String() + "+" + c.Decode.String()
}

// kvMeta describes a KV configuration for output records.
func kvMeta(c *kvscope.Config) map[string]any {
	if c == nil {
		return map[string]any{"kv": "full+none"}
	}
	return map[string]any{"kv": kvLabel(c), "kv_prefill_budget": c.PrefillBudget, "kv_window": c.Window,
		"kv_decode_budget": c.DecodeBudget, "kv_recent": c.Recent, "kv_gqa": c.GQA.String()}
}
