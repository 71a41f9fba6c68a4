package plot

import "math"

// The builders below make the evaluation's charts from plain data. They do not check
// their input: Write reports empty or mismatched series as errors. Accuracies and other
// shares are fractions in [0, 1] (as the eval scorers return them); charts that say
// "(%)" show them in percent. Builders copy what they scale; inputs are never modified.

// AccuracyVsBudget is accuracy against a budget, one curve per policy (claims C1, C4,
// C5): X is the budget (a keep ratio or tokens, named by xLabel), Y the accuracy.
func AccuracyVsBudget(title, xLabel string, curves []Series) Chart {
	return Chart{Title: title, XLabel: xLabel, YLabel: "accuracy (%)", Kind: Lines,
		Series: percent(curves), YMin: Limit(0), YMax: Limit(100)}
}

// ResidentKV is resident KV entries (per layer) against decode step, one curve per
// policy: the memory plateau of claim C8. Long curves are downsampled when drawn,
// keeping their envelope.
func ResidentKV(title string, curves []Series) Chart {
	return Chart{Title: title, XLabel: "decode step", YLabel: "resident KV entries",
		Kind: Lines, Series: curves, YMin: Limit(0)}
}

// PrefillSurvival is the share of prefill entries still resident against decode step
// (claim C3a).
func PrefillSurvival(title string, curves []Series) Chart {
	return Chart{Title: title, XLabel: "decode step", YLabel: "prefill entries kept (%)",
		Kind: Lines, Series: percent(curves), YMin: Limit(0), YMax: Limit(105)}
}

// AccuracyByPosition is accuracy by answer position, one curve per policy (claim C3b):
// Y[i] is the accuracy of answer i over all prompts; an empty X means positions 1..n.
func AccuracyByPosition(title string, curves []Series) Chart {
	out := percent(curves)
	for i := range out {
		if len(out[i].X) == 0 {
			out[i].X = make([]float64, len(out[i].Y))
			for j := range out[i].X {
				out[i].X[j] = float64(j + 1)
			}
		}
	}
	return Chart{Title: title, XLabel: "answer position", YLabel: "accuracy (%)",
		Kind: Lines, Series: out, YMin: Limit(0), YMax: Limit(100)}
}

// ThirdNames are the categories of AccuracyByThird.
var ThirdNames = []string{"early", "middle", "late"}

// AccuracyByThird is the grouped-bar variant of AccuracyByPosition: for each policy, the
// mean accuracy over the early, middle and late thirds of the answer positions (X is
// ignored).
func AccuracyByThird(title string, curves []Series) Chart {
	out := make([]Series, len(curves))
	for i, c := range curves {
		out[i] = Series{Name: c.Name, Style: c.Style}
		if len(c.Y) > 0 {
			t := Thirds(c.Y)
			out[i].Y = []float64{100 * t[0], 100 * t[1], 100 * t[2]}
		}
	}
	return Chart{Title: title, YLabel: "accuracy (%)", Kind: Bars, Series: out,
		Categories: ThirdNames, YMin: Limit(0), YMax: Limit(100), ValueLabels: true}
}

// Thirds returns the means of v over its first, middle and last thirds by position
// (position i of n falls in third 3i/n), skipping NaN; an empty third gives NaN.
func Thirds(v []float64) [3]float64 {
	var sum [3]float64
	var n [3]int
	for i, x := range v {
		if math.IsNaN(x) {
			continue
		}
		t := 3 * i / len(v)
		sum[t] += x
		n[t]++
	}
	var out [3]float64
	for t := range out {
		out[t] = math.NaN()
		if n[t] > 0 {
			out[t] = sum[t] / float64(n[t])
		}
	}
	return out
}

// RefreshCost is two panels of grouped bars over the policies (claim C7): the number of
// cache refreshes (rebuilds), and the bytes they copied, in a binary unit picked from
// the largest value. Each series (for example one per budget) has a value per policy.
func RefreshCost(title string, policies []string, refreshes, bytesCopied []Series) Figure {
	bytes, unit := scaleBytes(bytesCopied)
	return Figure{Panels: []Chart{
		{Title: join(title, "refreshes"), YLabel: "refreshes", Kind: Bars, Series: refreshes,
			Categories: policies, YMin: Limit(0), ValueLabels: true},
		{Title: join(title, "bytes copied by refreshes"), YLabel: "copied (" + unit + ")",
			Kind: Bars, Series: bytes, Categories: policies, YMin: Limit(0), ValueLabels: true},
	}}
}

// Throughput is decode tokens/s per policy as bars; each series (for example one per
// budget or backend) has a value per policy.
func Throughput(title string, policies []string, tokensPerSec []Series) Chart {
	return Chart{Title: title, YLabel: "decode tokens/s", Kind: Bars, Series: tokensPerSec,
		Categories: policies, YMin: Limit(0), ValueLabels: true}
}

// DriftLayer is one layer's attention drift probe (claim C2): at each decode step, the
// share of the top keys (for example the top 15% of the head-averaged attention) that
// lie in the decoded region, and the Jaccard overlap of the top-key set with step 1's.
type DriftLayer struct {
	Name                            string
	Steps, DecodedFraction, Overlap []float64
}

// DriftProbe is two panels against decode step, one curve per layer: the share of top
// keys in the decoded region, and their overlap with step 1.
func DriftProbe(title string, layers []DriftLayer) Figure {
	frac := make([]Series, len(layers))
	overlap := make([]Series, len(layers))
	for i, l := range layers {
		frac[i] = Series{Name: l.Name, X: l.Steps, Y: l.DecodedFraction}
		overlap[i] = Series{Name: l.Name, X: l.Steps, Y: l.Overlap}
	}
	return Figure{Panels: []Chart{
		{Title: join(title, "top keys in the decoded region"), XLabel: "decode step",
			YLabel: "share of top keys (%)", Kind: Lines, Series: percent(frac),
			YMin: Limit(0), YMax: Limit(100)},
		{Title: join(title, "overlap with step 1"), XLabel: "decode step",
			YLabel: "Jaccard overlap", Kind: Lines, Series: overlap,
			YMin: Limit(0), YMax: Limit(1)},
	}}
}

// percent returns copies of the series with Y scaled by 100.
func percent(in []Series) []Series {
	return scaled(in, 100)
}

func scaled(in []Series, k float64) []Series {
	out := make([]Series, len(in))
	for i, s := range in {
		out[i] = Series{Name: s.Name, X: s.X, Style: s.Style}
		if s.Y != nil {
			out[i].Y = make([]float64, len(s.Y))
			for j, y := range s.Y {
				out[i].Y[j] = y * k
			}
		}
	}
	return out
}

// scaleBytes returns the series in the largest binary unit that keeps their largest
// value at or above 1, and the unit's name.
func scaleBytes(in []Series) ([]Series, string) {
	top := 0.0
	for _, s := range in {
		for _, y := range s.Y {
			if isFinite(y) {
				top = math.Max(top, math.Abs(y))
			}
		}
	}
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	u := 0
	for u < len(units)-1 && top >= math.Ldexp(1, 10*(u+1)) {
		u++
	}
	return scaled(in, math.Ldexp(1, -10*u)), units[u]
}

// join makes a panel title from a figure title and the panel's subject.
func join(title, subject string) string {
	if title == "" {
		return subject
	}
	return title + ": " + subject
}
