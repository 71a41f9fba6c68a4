package plot

import (
	"image/color"
	"math"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// groupWidth is the share of one category's slot that its bar group covers.
const groupWidth = 0.8

// barSeries draws one series of a grouped bar chart: bar j sits in category j's slot
// (x = j on a nominal axis), at position index among count bars. Widths are in data
// units, so groups never overlap whatever the canvas size.
type barSeries struct {
	values       []float64
	index, count int
	color        color.Color
	perBar       bool        // colour bar j by palette slot j instead
	labels       *text.Style // value labels above the bars, or nil
}

func (b barSeries) span(j int) (x0, x1 float64) {
	w := groupWidth / float64(b.count)
	x0 = float64(j) - groupWidth/2 + float64(b.index)*w
	return x0, x0 + w
}

// Plot implements gplot.Plotter.
func (b barSeries) Plot(c draw.Canvas, p *gplot.Plot) {
	trX, trY := p.Transforms(&c)
	base := math.Max(p.Y.Min, math.Min(0, p.Y.Max))
	for j, v := range b.values {
		if !isFinite(v) {
			continue
		}
		x0, x1 := b.span(j)
		y0, y1 := trY(base), trY(v)
		box := []vg.Point{{X: trX(x0), Y: y0}, {X: trX(x1), Y: y0}, {X: trX(x1), Y: y1}, {X: trX(x0), Y: y1}}
		clr := b.color
		if b.perBar {
			clr = styleAt(j).color
		}
		c.FillPolygon(clr, c.ClipPolygonXY(box))
		if b.labels != nil && c.ContainsY(y1) {
			pt := vg.Point{X: (trX(x0) + trX(x1)) / 2, Y: y1 + vg.Points(2)}
			c.FillText(*b.labels, pt, formatValue(v))
		}
	}
}

// DataRange implements gplot.DataRanger; bars always rise from zero.
func (b barSeries) DataRange() (xmin, xmax, ymin, ymax float64) {
	ymin, ymax = 0, 0
	for _, v := range b.values {
		if isFinite(v) {
			ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
		}
	}
	return -0.5, float64(len(b.values)) - 0.5, ymin, ymax
}

// formatValue prints a bar value with about three significant digits.
func formatValue(v float64) string {
	a := math.Abs(v)
	switch {
	case a == 0:
		return "0"
	case a >= 1e6 || a < 1e-3:
		return strconv.FormatFloat(v, 'g', 3, 64)
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// hline draws a horizontal reference line across the whole plot width.
type hline struct {
	y     float64
	style draw.LineStyle
}

// Plot implements gplot.Plotter.
func (h hline) Plot(c draw.Canvas, p *gplot.Plot) {
	if h.y < p.Y.Min || h.y > p.Y.Max {
		return
	}
	_, trY := p.Transforms(&c)
	c.StrokeLine2(h.style, c.Min.X, trY(h.y), c.Max.X, trY(h.y))
}

// DataRange implements gplot.DataRanger: the line widens the Y range to include it and
// leaves the X range alone.
func (h hline) DataRange() (xmin, xmax, ymin, ymax float64) {
	return math.Inf(1), math.Inf(-1), h.y, h.y
}

func refStyle(i int) draw.LineStyle {
	return draw.LineStyle{Color: refColor, Width: vg.Points(1), Dashes: dashes[1+i%(len(dashes)-1)]}
}
