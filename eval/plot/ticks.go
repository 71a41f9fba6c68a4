package plot

import (
	"math"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// niceTicks labels about five to seven round values (steps of 1, 2, 2.5 or 5 times a
// power of ten) with an unlabelled minor tick between each pair; the library's default
// labels only three or so, too few to read values off a chart.
type niceTicks struct{}

var tickMultiples = []float64{1, 2, 2.5, 5, 10}

// Ticks implements gplot.Ticker.
func (niceTicks) Ticks(lo, hi float64) []gplot.Tick {
	span := hi - lo
	if !isFinite(span) || span <= 0 || !isFinite(lo) {
		return gplot.DefaultTicks{}.Ticks(lo, hi)
	}
	mag := math.Pow(10, math.Floor(math.Log10(span/6)))
	step, mult := mag, 1.0
	for _, m := range tickMultiples {
		step, mult = m*mag, m
		if span/step <= 7 {
			break
		}
	}
	decimals := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	if mult == 2.5 {
		decimals++
	}
	var ticks []gplot.Tick
	first := math.Ceil(lo/step - 1e-9)
	for k := first; k*step <= hi+step*1e-9; k++ {
		v := k * step
		ticks = append(ticks, gplot.Tick{Value: v, Label: tickLabel(v, decimals, hi)})
		if minor := v + step/2; minor <= hi {
			ticks = append(ticks, gplot.Tick{Value: minor})
		}
	}
	if minor := first*step - step/2; minor >= lo {
		ticks = append(ticks, gplot.Tick{Value: minor})
	}
	return ticks
}

func tickLabel(v float64, decimals int, hi float64) string {
	if math.Abs(v) < 1e-12*math.Max(1, math.Abs(hi)) {
		return "0"
	}
	if math.Abs(hi) >= 1e7 || decimals > 6 {
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// sans is f in the sans-serif face of the bundled Liberation fonts.
func sans(f font.Font, size vg.Length) font.Font {
	f.Variant = "Sans"
	f.Size = size
	return f
}

// styleText sets the fonts and tick markers of a new plot.
func styleText(p *gplot.Plot, lg *gplot.Legend) {
	p.Title.TextStyle.Font = sans(p.Title.TextStyle.Font, vg.Points(12))
	for _, a := range []*gplot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(a.Label.TextStyle.Font, vg.Points(11))
		a.Tick.Label.Font = sans(a.Tick.Label.Font, vg.Points(9))
		a.Tick.Marker = niceTicks{}
	}
	lg.TextStyle.Font = sans(lg.TextStyle.Font, vg.Points(10))
}
