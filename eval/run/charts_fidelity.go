package run

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/scopekv/scope/eval/plot"
)

// FidelityCharts draws a fidelity sweep into dir (PNG and SVG) and returns the base path:
// greedy agreement and mean KL against the decode ratio, one curve per policy, and the KL
// per step at the smallest decode ratio.
func FidelityCharts(sw *FidelitySweep, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	has := func(name string) (Spec, bool) {
		r := sw.Run(name)
		if r == nil {
			return Spec{}, false
		}
		return r.Spec, true
	}
	c := newChartSet(sw.Grid, fmt.Sprintf("%s T=%d", stem(sw.Model, 0), sw.MaxTokens), has)
	ratios := slices.Clone(sw.Grid.DecodeRatios)
	slices.Sort(ratios)
	var agree, kl, curve []plot.Series
	for i, p := range sw.Grid.DecodePolicies {
		a := plot.Series{Name: policyLabel(p), Style: i + 1}
		k := a
		for _, d := range ratios {
			v, w := math.NaN(), math.NaN()
			if r := sw.Run(policyRun(p, d, c.recent)); r != nil {
				v, w = r.Agreement, r.MeanKL
			}
			a.X, a.Y = append(a.X, d), append(a.Y, v)
			k.X, k.Y = append(k.X, d), append(k.Y, w)
		}
		agree, kl = append(agree, a), append(kl, k)
		if r := sw.Run(policyRun(p, c.ratio, c.recent)); r != nil && len(r.KLCurve) > 0 {
			curve = append(curve, plot.Series{Name: policyLabel(p), Style: i + 1, X: steps(len(r.KLCurve)), Y: r.KLCurve})
		}
	}
	ag := plot.AccuracyVsBudget(fmt.Sprintf("%s: greedy agreement with the full cache, R=%d", c.title, c.recent),
		"decode budget D / output length T", agree)
	ag.YLabel = "tokens agreeing (%)"
	f := plot.Figure{Panels: []plot.Chart{ag,
		{Title: fmt.Sprintf("%s: mean KL(full || policy), full-cache text forced", c.title),
			XLabel: "decode budget D / output length T", YLabel: "KL (nats)", Kind: plot.Lines, Series: kl, YMin: plot.Limit(0)},
		{Title: fmt.Sprintf("%s: KL per step, D=%s R=%d", c.title, frac(c.ratio), c.recent),
			XLabel: "decode step", YLabel: "KL (nats)", Kind: plot.Lines, Series: curve, YMin: plot.Limit(0)},
	}}
	base := filepath.Join(dir, stem(sw.Model, 0)+"_fidelity")
	return base, plot.WriteFigureBoth(f, base)
}

// DriftChart draws the drift probe (claim C2) to base.png and base.svg.
func DriftChart(d Drift, title, base string) error {
	var layers []plot.DriftLayer
	for _, l := range d.Layers {
		dl := plot.DriftLayer{Name: fmt.Sprintf("layer %d", l.Layer), DecodedFraction: l.DecodedFraction, Overlap: l.Overlap}
		for _, s := range l.Steps {
			dl.Steps = append(dl.Steps, float64(s))
		}
		layers = append(layers, dl)
	}
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return err
	}
	return plot.WriteFigureBoth(plot.DriftProbe(title, layers), base)
}
