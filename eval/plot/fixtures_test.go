package plot

import (
	"math"
	"os"
	"testing"
)

// outDir is where tests write their charts: PLOT_TEST_OUT when set (to look at them),
// otherwise a temporary directory.
func outDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("PLOT_TEST_OUT"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

var policies = []string{"full", "slide", "adaptive", "discontinuous", "h2o (unified)", "streamingllm"}

func accuracyCurves() []Series {
	budgets := []float64{0.2, 0.4, 0.6, 0.8, 1.0}
	acc := [][]float64{
		{0.52, 0.52, 0.52, 0.52, 0.52},
		{0.30, 0.46, 0.50, 0.51, 0.52},
		{0.28, 0.44, 0.49, 0.50, 0.51},
		{0.27, 0.44, math.NaN(), 0.50, 0.51},
		{0.10, 0.31, 0.42, 0.47, 0.50},
		{0.05, 0.12, 0.20, 0.31, 0.40},
	}
	out := make([]Series, len(policies))
	for i, p := range policies {
		out[i] = Series{Name: p, X: budgets, Y: acc[i]}
	}
	return out
}

// residentCurves follows spec claim C8's shapes: Full = N + t, prefill-only = P + t,
// Slide = P + min(t, D), Adaptive ≈ P + min(t, R + t/δ), Discontinuous = Adaptive plus a
// sawtooth of at most δ.
func residentCurves(steps int) []Series {
	const n, p, d, r, delta = 1500, 900, 512, 256, 15
	names := []string{"full cache", "prefill only", "slide", "adaptive", "discontinuous"}
	out := make([]Series, len(names))
	for i, name := range names {
		out[i] = Series{Name: name, X: make([]float64, steps), Y: make([]float64, steps)}
	}
	for t := 1; t <= steps; t++ {
		adaptive := p + math.Min(float64(t), math.Min(d, r+float64(t/delta)))
		ys := []float64{float64(n + t), float64(p + t), p + math.Min(float64(t), d),
			adaptive, adaptive + float64(t%(delta+1))}
		for i := range out {
			out[i].X[t-1], out[i].Y[t-1] = float64(t), ys[i]
		}
	}
	return out
}

func positionCurves(k int) []Series {
	out := make([]Series, 3)
	for i, name := range []string{"full", "slide", "h2o (unified)"} {
		s := Series{Name: name, Y: make([]float64, k)}
		for j := range s.Y {
			drop := float64(i*i) * 0.06 * float64(j) / float64(k)
			s.Y[j] = 0.55 - drop + 0.04*math.Sin(float64(j+i))
		}
		out[i] = s
	}
	return out
}

func driftLayers() []DriftLayer {
	steps := []float64{1, 256, 512, 1024}
	return []DriftLayer{
		{Name: "layer 0", Steps: steps, DecodedFraction: []float64{0, 0.31, 0.48, 0.66}, Overlap: []float64{1, 0.52, 0.37, 0.22}},
		{Name: "layer 11", Steps: steps, DecodedFraction: []float64{0, 0.38, 0.55, 0.71}, Overlap: []float64{1, 0.45, 0.30, 0.18}},
		{Name: "layer 23", Steps: steps, DecodedFraction: []float64{0.01, 0.29, 0.50, 0.69}, Overlap: []float64{1, 0.50, 0.33, 0.20}},
	}
}

// allFigures is one of every chart the package makes, by file name.
func allFigures() map[string]Figure {
	budget := AccuracyVsBudget("GSM8K+ accuracy vs prefill keep ratio", "prefill keep ratio", accuracyCurves())
	budget.Refs = []Ref{{Name: "full cache", Y: 52}}
	pol := []string{"slide", "adaptive", "discontinuous"}
	refreshes := []Series{{Name: "D = T/4", Y: []float64{1790, 1790, 112}}, {Name: "D = T/8", Y: []float64{1910, 1910, 120}}}
	copied := []Series{{Name: "D = T/4", Y: []float64{3 << 30, 2.7 * (1 << 30), 190 << 20}}, {Name: "D = T/8", Y: []float64{1.6 * (1 << 30), 1.5 * (1 << 30), 100 << 20}}}
	tps := []Series{{Name: "tokens/s", Y: []float64{41.3, 18.28, 17.9, 25.92, 22.4, 30.1}}}
	points := Chart{Title: "points", XLabel: "x", YLabel: "y", Kind: Points,
		Series: []Series{{Name: "alpha", X: []float64{1, 2, 3}, Y: []float64{3, 1, 2}}, {Name: "beta", X: []float64{1, 2, 3}, Y: []float64{2, 2.5, math.NaN()}}}}
	one := func(c Chart) Figure { return Figure{Panels: []Chart{c}} }
	return map[string]Figure{
		"accuracy_budget":   one(budget),
		"resident_kv":       one(ResidentKV("resident KV entries per layer (N = 1500, P = 900, D = 512)", residentCurves(2000))),
		"prefill_survival":  one(PrefillSurvival("prefill entries kept", []Series{{Name: "h2o (unified)", X: []float64{1, 500, 1000}, Y: []float64{1, 0.7, 0.45}}, {Name: "slide", X: []float64{1, 1000}, Y: []float64{1, 1}}})),
		"accuracy_position": one(AccuracyByPosition("accuracy by answer position", positionCurves(15))),
		"accuracy_thirds":   one(AccuracyByThird("accuracy by answer third", positionCurves(15))),
		"refresh_cost":      RefreshCost("refresh cost", pol, refreshes, copied),
		"throughput":        one(Throughput("decode throughput", policies, tps)),
		"drift":             DriftProbe("attention drift", driftLayers()),
		"points":            one(points),
	}
}
