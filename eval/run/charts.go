package run

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/scopekv/scope/eval/plot"
)

// chartSet names the runs one set's charts compare: the decode ratio and recent window of
// the per-policy curves (the smallest D and the plug-in R, or the first valid pair).
type chartSet struct {
	grid   Grid
	ratio  float64
	recent int
	title  string
	runs   func(name string) (Spec, bool)
}

func newChartSet(g Grid, title string, has func(string) (Spec, bool)) chartSet {
	c := chartSet{grid: g, title: title, runs: has}
	if len(g.DecodeRatios) > 0 {
		c.ratio = slices.Min(g.DecodeRatios)
	}
	c.recent = g.PluginRecent
	if !slices.Contains(g.Recents, c.recent) && len(g.Recents) > 0 {
		c.recent = g.Recents[len(g.Recents)/2]
	}
	// The smallest decode ratio with a valid run: on a small set the smallest budgets may
	// leave no room for any recent window.
	for _, d := range slices.Sorted(slices.Values(g.DecodeRatios)) {
		for _, r := range append([]int{c.recent}, g.Recents...) {
			if _, ok := has(decodeName(g.DecodePolicies, d, r)); ok {
				c.ratio, c.recent = d, r
				return c
			}
		}
	}
	return c
}

// decodeName is the name of the first policy's run at (ratio, R), used to probe validity.
func decodeName(policies []string, ratio float64, r int) string {
	if len(policies) == 0 {
		return ""
	}
	return policyRun(policies[0], ratio, r)
}

// stem returns a file-name stem for a model file and K.
func stem(model string, k int) string {
	base := strings.TrimSuffix(filepath.Base(model), filepath.Ext(model))
	if k > 0 {
		return fmt.Sprintf("%s_k%d", base, k)
	}
	return base
}

// RecallCharts draws the charts of one recall set into dir (PNG and SVG) and returns the
// base paths written: accuracy against prefill and decode budgets, resident KV entries per
// step, accuracy by answer position, prefill survival, refresh cost and throughput.
func RecallCharts(set *RecallSet, g Grid, dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	byName := func(name string) (Spec, bool) {
		r := set.Run(name)
		if r == nil {
			return Spec{}, false
		}
		return r.Spec, true
	}
	c := newChartSet(g, fmt.Sprintf("%s K=%d", stem(set.Model, 0), set.K), byName)
	base := filepath.Join(dir, stem(set.Model, set.K))
	var written []string
	write := func(name string, f plot.Figure) error {
		if f = withData(f); len(f.Panels) == 0 {
			return nil // nothing to draw for this grid and set (for example no prefill methods)
		}
		written = append(written, base+"_"+name)
		return plot.WriteFigureBoth(f, base+"_"+name)
	}
	figs := []struct {
		name string
		fig  plot.Figure
	}{
		{"prefill", one(c.prefillChart(set))},
		{"decode", c.decodeFigure(set)},
		{"resident", one(c.residentChart(set))},
		{"position", c.positionFigure(set)},
		{"survival", one(c.survivalChart(set))},
		{"refresh", c.refreshFigure(set)},
		{"throughput", one(c.throughputChart(set))},
	}
	for _, f := range figs {
		if err := write(f.name, f.fig); err != nil {
			return written, fmt.Errorf("%s chart: %w", f.name, err)
		}
	}
	return written, nil
}

func one(c plot.Chart) plot.Figure { return plot.Figure{Panels: []plot.Chart{c}} }

func accuracyOf(set *RecallSet, name string) float64 {
	if r := set.Run(name); r != nil {
		return r.Accuracy
	}
	return math.NaN()
}

// prefillChart is accuracy against the prefill keep ratio, no decode compression (C1).
func (c chartSet) prefillChart(set *RecallSet) plot.Chart {
	ratios := append(slices.Clone(c.grid.PrefillRatios), 1)
	slices.Sort(ratios)
	var curves []plot.Series
	for _, m := range c.grid.PrefillMethods {
		s := plot.Series{Name: m}
		for _, r := range ratios {
			name := prefillRun(m, r)
			if r == 1 {
				name = "full"
			}
			s.X, s.Y = append(s.X, r), append(s.Y, accuracyOf(set, name))
		}
		curves = append(curves, s)
	}
	return plot.AccuracyVsBudget(c.title+": prefill compression only", "prefill budget P / prompt length", curves)
}

// decodeFigure is accuracy against the decode ratio at equal total budget: one panel per R
// with a full prefill (C4), and one of the plug-in pairs at their prefill ratio (C9).
func (c chartSet) decodeFigure(set *RecallSet) plot.Figure {
	ratios := slices.Clone(c.grid.DecodeRatios)
	slices.Sort(ratios)
	full := []plot.Ref{{Name: "full cache", Y: 100 * accuracyOf(set, "full")}}
	var f plot.Figure
	for _, r := range c.grid.Recents {
		var curves []plot.Series
		for _, p := range c.grid.DecodePolicies {
			curves = append(curves, ratioSeries(set, policyLabel(p), policyStyle(p), ratios,
				func(d float64) string { return policyRun(p, d, r) }))
		}
		if !anyPoint(curves) {
			continue // R too large for the decode budgets of this set
		}
		ch := plot.AccuracyVsBudget(fmt.Sprintf("%s: full prefill, %s, R=%d", c.title, c.grid.MemoryBasis(), r),
			"decode budget D / output length T", curves)
		ch.Refs = full
		f.Panels = append(f.Panels, ch)
	}
	if len(c.grid.Plugins) > 0 {
		var curves []plot.Series
		for i, pr := range c.grid.Plugins {
			curves = append(curves, ratioSeries(set, c.grid.pluginLabel(pr), i+1, ratios,
				func(d float64) string { return c.grid.pluginRun(pr, d) }))
		}
		ch := plot.AccuracyVsBudget(fmt.Sprintf("%s: prefill P=%s + decode, total P+D, R=%d", c.title,
			pct(c.grid.PluginRatio), c.grid.PluginRecent), "decode budget D / output length T", curves)
		ch.Refs = full
		if anyPoint(curves) { // no pair fits a set whose budgets are too small
			f.Panels = append(f.Panels, ch)
		}
	}
	f.Cols = min(len(f.Panels), 2)
	return f
}

// anyPoint reports whether some series has a finite point.
func anyPoint(curves []plot.Series) bool {
	for _, s := range curves {
		if slices.ContainsFunc(s.Y, func(y float64) bool { return !math.IsNaN(y) }) {
			return true
		}
	}
	return false
}

// withData leaves out the panels with nothing to draw (no series, or no finite values:
// configurations that do not fit a small set, such as plug-in pairs on short prompts).
func withData(f plot.Figure) plot.Figure {
	var kept []plot.Chart
	for _, p := range f.Panels {
		if err := p.Validate(); errors.Is(err, plot.ErrEmpty) || errors.Is(err, plot.ErrNoData) {
			continue
		}
		kept = append(kept, p)
	}
	f.Panels, f.Cols = kept, min(f.Cols, len(kept))
	return f
}

// knownPolicies fixes each decode policy's palette slot (after the full cache's).
var knownPolicies = []string{"slide", "adaptive", "discontinuous", "h2o", "streamingllm"}

// policyStyle pins a decode policy's look across charts.
func policyStyle(p string) int {
	if i := slices.Index(knownPolicies, p); i >= 0 {
		return i + 2
	}
	return len(knownPolicies) + 2
}

// styleFor pins a run's look: the full cache, each decode policy, prefill-only runs and
// plug-in pairs.
func styleFor(s Spec) int {
	switch s.Group {
	case GroupFull:
		return 1
	case GroupDecode:
		return policyStyle(s.Decode)
	case GroupPrefill:
		return len(knownPolicies) + 2
	}
	return len(knownPolicies) + 3
}

// ratioSeries is one curve over decode ratios; missing runs leave gaps.
func ratioSeries(set *RecallSet, name string, style int, ratios []float64, run func(float64) string) plot.Series {
	s := plot.Series{Name: name, Style: style}
	for _, d := range ratios {
		s.X, s.Y = append(s.X, d), append(s.Y, accuracyOf(set, run(d)))
	}
	return s
}

// curveRuns lists the runs drawn as one curve each in the per-step charts: the full cache,
// a prefill-only method at 60% when present, and every decode policy at the chosen D and R.
func (c chartSet) curveRuns(withPrefill bool) []string {
	names := []string{"full"}
	if withPrefill && len(c.grid.PrefillMethods) > 0 {
		names = append(names, prefillRun(c.grid.PrefillMethods[0], 0.6))
	}
	for _, p := range c.grid.DecodePolicies {
		names = append(names, policyRun(p, c.ratio, c.recent))
	}
	return names
}

// residentChart is attended entries per layer and KV head against decode step (C8).
func (c chartSet) residentChart(set *RecallSet) plot.Chart {
	var curves []plot.Series
	for _, name := range c.curveRuns(true) {
		r := set.Run(name)
		if r == nil || len(r.StepEntries) == 0 {
			continue
		}
		s := plot.Series{Name: name, Style: styleFor(r.Spec), Y: r.StepEntries}
		s.X = steps(len(r.StepEntries))
		curves = append(curves, s)
	}
	return plot.ResidentKV(c.title+": KV entries per layer and KV head", curves)
}

func steps(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i + 1)
	}
	return x
}

// positionFigure is accuracy by answer line, in bins, and by thirds (C3b).
func (c chartSet) positionFigure(set *RecallSet) plot.Figure {
	var lines, thirds []plot.Series
	bin := max(1, set.K/16)
	for _, name := range c.curveRuns(true) {
		r := set.Run(name)
		if r == nil || len(r.PerPosition) == 0 {
			continue
		}
		lines = append(lines, binned(name, styleFor(r.Spec), r.PerPosition, bin))
		thirds = append(thirds, plot.Series{Name: name, Style: styleFor(r.Spec), Y: r.PerPosition})
	}
	return plot.Figure{Panels: []plot.Chart{
		plot.AccuracyByPosition(fmt.Sprintf("%s: accuracy by answer line (bins of %d)", c.title, bin), lines),
		plot.AccuracyByThird(c.title+": accuracy by third of the answer", thirds),
	}}
}

// binned averages v over consecutive bins of size bin; X is each bin's middle line (1-based).
func binned(name string, style int, v []float64, bin int) plot.Series {
	s := plot.Series{Name: name, Style: style}
	for i := 0; i < len(v); i += bin {
		j := min(i+bin, len(v))
		s.X = append(s.X, float64(i+j+1)/2)
		s.Y = append(s.Y, mean64(v[i:j]))
	}
	return s
}

// survivalChart is the share of prefill entries still resident against step (C3a).
func (c chartSet) survivalChart(set *RecallSet) plot.Chart {
	var curves []plot.Series
	for _, name := range c.curveRuns(false) {
		r := set.Run(name)
		if r == nil || len(r.Survival) == 0 || name == "full" {
			continue
		}
		s := plot.Series{Name: name, Style: styleFor(r.Spec), Y: r.Survival}
		for _, st := range r.SurvivalSteps {
			s.X = append(s.X, float64(st))
		}
		curves = append(curves, s)
	}
	return plot.PrefillSurvival(c.title+": prefill entries kept", curves)
}

// refreshFigure is rebuilds and bytes copied per decode policy, one series per D (C7).
func (c chartSet) refreshFigure(set *RecallSet) plot.Figure {
	policies, refreshes, copied := c.perPolicy(set, false, func(r *RecallRun) (float64, float64) {
		return r.KV.Rebuilds, r.KV.BytesCopied
	})
	return plot.RefreshCost(fmt.Sprintf("%s, R=%d", c.title, c.recent), policies, refreshes, copied)
}

// throughputChart is decode tokens/s per policy, one series per D.
func (c chartSet) throughputChart(set *RecallSet) plot.Chart {
	policies, tps, _ := c.perPolicy(set, true, func(r *RecallRun) (float64, float64) {
		return r.Timing.GenTokensPerSec, 0
	})
	return plot.Throughput(fmt.Sprintf("%s, R=%d", c.title, c.recent), policies, tps)
}

// perPolicy collects two values per decode policy (and the full cache when asked), one
// series per decode ratio.
func (c chartSet) perPolicy(set *RecallSet, withFull bool, val func(*RecallRun) (float64, float64)) ([]string, []plot.Series, []plot.Series) {
	var policies []string
	if withFull {
		policies = append(policies, "full")
	}
	for _, p := range c.grid.DecodePolicies {
		policies = append(policies, policyLabel(p))
	}
	var a, b []plot.Series
	for i, d := range c.grid.DecodeRatios {
		sa := plot.Series{Name: "D=" + frac(d) + " of T", Style: i + 1}
		sb := sa
		for _, p := range policies {
			name := "full"
			if p != "full" {
				name = fmt.Sprintf("%s D=%s R=%d", p, frac(d), c.recent)
			}
			x, y := math.NaN(), math.NaN()
			if r := set.Run(name); r != nil {
				x, y = val(r)
			}
			sa.Y, sb.Y = append(sa.Y, x), append(sb.Y, y)
		}
		a, b = append(a, sa), append(b, sb)
	}
	return policies, a, b
}

// SweepCharts draws the comparison across every model and set of a sweep into dir:
// accuracy per configuration at the smallest decode ratio, one bar per set. It returns
// the base path written.
func SweepCharts(sw *RecallSweep, dir string) (string, error) {
	if len(sw.Sets) == 0 {
		return "", fmt.Errorf("%w: empty sweep", ErrInput)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	g := sw.Grid
	ratio := 0.0
	if len(g.DecodeRatios) > 0 {
		ratio = slices.Min(g.DecodeRatios)
	}
	decode := []string{"full"}
	if len(g.PrefillMethods) > 0 {
		decode = append(decode, fmt.Sprintf("%s P=%s", g.PrefillMethods[0], pct(g.PluginRatio)))
	}
	fixed := len(decode)
	type policyVariant struct{ policy, variant string }
	var pvs []policyVariant
	for _, v := range g.Variants() {
		for _, p := range g.DecodePolicies {
			if !strings.Contains(v, "score=") || scoredPolicy(p) {
				pvs = append(pvs, policyVariant{p, v})
				decode = append(decode, policyLabel(p)+v)
			}
		}
	}
	var plugins []string
	for _, p := range g.Plugins {
		plugins = append(plugins, g.pluginLabel(p))
	}
	var a, b []plot.Series
	for i := range sw.Sets {
		set := &sw.Sets[i]
		c := newChartSet(g, "", func(name string) (Spec, bool) { return Spec{}, set.Run(name) != nil })
		name := fmt.Sprintf("%s K=%d (R=%d)", stem(set.Model, 0), set.K, c.recent)
		sa, sb := plot.Series{Name: name, Style: i + 1}, plot.Series{Name: name, Style: i + 1}
		for j, lbl := range decode {
			run := lbl
			if j >= fixed {
				pv := pvs[j-fixed]
				run = policyRun(pv.policy, ratio, c.recent) + pv.variant
			}
			sa.Y = append(sa.Y, accuracyOf(set, run))
		}
		for _, p := range g.Plugins {
			sb.Y = append(sb.Y, accuracyOf(set, g.pluginRun(p, ratio)))
		}
		a, b = append(a, sa), append(b, sb)
	}
	f := plot.Figure{Panels: []plot.Chart{barChart(fmt.Sprintf("full prefill; decode D = %s of T, %s", frac(ratio), g.MemoryBasis()), decode, a)}}
	if len(plugins) > 0 {
		f.Panels = append(f.Panels, barChart(fmt.Sprintf("prefill P=%s of the prompt + decode D = %s of T, R=%d",
			pct(g.PluginRatio), frac(ratio), g.PluginRecent), plugins, b))
	}
	f.Width = plot.PanelWidth * 1.6
	if f = withData(f); len(f.Panels) == 0 {
		return "", nil
	}
	base := filepath.Join(dir, "summary_accuracy")
	return base, plot.WriteFigureBoth(f, base)
}

// barChart is accuracy (in [0, 1]) per category as grouped bars, one series per set.
func barChart(title string, categories []string, series []plot.Series) plot.Chart {
	out := make([]plot.Series, len(series))
	for i, s := range series {
		out[i] = plot.Series{Name: s.Name, Style: s.Style}
		for _, y := range s.Y {
			out[i].Y = append(out[i].Y, 100*y)
		}
	}
	return plot.Chart{Title: title, YLabel: "accuracy (%)", Kind: plot.Bars, Series: out, Categories: categories,
		YMin: plot.Limit(0), YMax: plot.Limit(100)}
}
