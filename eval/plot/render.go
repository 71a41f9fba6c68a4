package plot

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var legendGap = vg.Points(8)

// drawPanel draws one chart into c, with its legend (when it has two or more entries) in a
// column to the right of the plot, so that it never hides data.
func drawPanel(c draw.Canvas, ch Chart) {
	p := gplot.New()
	p.Title.Text = cleanText(ch.Title, 0)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = cleanText(ch.XLabel, 0)
	p.Y.Label.Text = cleanText(ch.YLabel, 0)
	p.Add(newGrid(ch.Kind == Bars))

	lg := gplot.NewLegend()
	lg.Top, lg.Left = true, true
	styleText(p, &lg)
	lg.Padding = vg.Points(2)

	if ch.Kind == Bars {
		addBars(p, &lg, ch)
	} else {
		addLines(p, &lg, ch)
	}
	for i, r := range ch.Refs {
		ls := refStyle(i)
		if isFinite(r.Y) {
			p.Add(hline{y: r.Y, style: ls})
		}
		lg.Add(cleanText(r.Name, maxNameLen), thumb{line: &ls})
	}
	applyLimits(p, ch)

	withLegend := len(ch.Series)+len(ch.Refs) >= 2
	plotC := c
	if withLegend {
		r := lg.Rectangle(c)
		plotC = draw.Crop(c, 0, -(r.Max.X - r.Min.X + legendGap), 0, 0)
	}
	if ch.Kind == Bars {
		rotateLongCategories(p, ch.Categories, plotC)
	}
	p.Draw(plotC)
	if !withLegend {
		return
	}
	legC := c
	legC.Min.X = plotC.Max.X + legendGap
	if p.Title.Text != "" {
		legC.Max.Y -= p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding
	}
	lg.Draw(legC)
}

func newGrid(bars bool) *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color = gridColor
	g.Horizontal.Color = gridColor
	g.Vertical.Width = vg.Points(0.5)
	g.Horizontal.Width = vg.Points(0.5)
	if bars {
		g.Vertical.Color = nil
	}
	return g
}

// addLines adds a Lines or Points chart's series: one line per finite stretch (so gaps
// stay gaps), markers where the series is short enough to show them.
func addLines(p *gplot.Plot, lg *gplot.Legend, ch Chart) {
	for pos, s := range ch.Series {
		st := seriesStyle(s, pos)
		ls, gs := st.line(), st.glyphStyle()
		runs := reduceRuns(finiteRuns(s), MaxPoints)
		markers := ch.Kind == Points || countPoints(runs) <= MaxMarkers
		for _, run := range runs {
			xys := toXYs(run)
			if ch.Kind == Lines && len(run) > 1 {
				if l, err := plotter.NewLine(xys); err == nil {
					l.LineStyle = ls
					p.Add(l)
				}
			}
			if markers || len(run) == 1 {
				if sc, err := plotter.NewScatter(xys); err == nil {
					sc.GlyphStyle = gs
					p.Add(sc)
				}
			}
		}
		th := thumb{}
		if markers {
			th.glyph = &gs
		}
		if ch.Kind == Lines {
			th.line = &ls
		}
		lg.Add(cleanText(s.Name, maxNameLen), th)
	}
}

func countPoints(runs [][]xy) int {
	n := 0
	for _, r := range runs {
		n += len(r)
	}
	return n
}

func toXYs(run []xy) plotter.XYs {
	xys := make(plotter.XYs, len(run))
	for i, p := range run {
		xys[i].X, xys[i].Y = p.x, p.y
	}
	return xys
}

// addBars adds a grouped bar chart's series on a nominal X axis. A lone series without a
// pinned style colours each bar by its category's position, the way line charts colour
// series, so that a policy keeps its colour across charts.
func addBars(p *gplot.Plot, lg *gplot.Legend, ch Chart) {
	labels := p.X.Tick.Label
	labels.Font.Size = vg.Points(8)
	labels.XAlign, labels.YAlign = draw.XCenter, draw.YBottom
	for pos, s := range ch.Series {
		b := barSeries{values: s.Y, index: pos, count: len(ch.Series), color: seriesStyle(s, pos).color,
			perBar: len(ch.Series) == 1 && s.Style == 0}
		if ch.ValueLabels {
			b.labels = &labels
		}
		p.Add(b)
		lg.Add(cleanText(s.Name, maxNameLen), thumb{fill: b.color})
	}
	names := make([]string, len(ch.Categories))
	for i, c := range ch.Categories {
		names[i] = cleanText(c, maxNameLen)
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
}

// applyLimits sets the fixed axis limits and leaves room above labelled bars.
func applyLimits(p *gplot.Plot, ch Chart) {
	if ch.Kind == Bars && ch.ValueLabels && ch.YMax == nil && p.Y.Max > p.Y.Min {
		p.Y.Max += 0.08 * (p.Y.Max - p.Y.Min)
	}
	if ch.YMin != nil {
		p.Y.Min = *ch.YMin
	}
	if ch.YMax != nil {
		p.Y.Max = *ch.YMax
	}
	if p.Y.Min >= p.Y.Max && ch.YMin != nil {
		p.Y.Max = p.Y.Min + 1 // data entirely below a fixed minimum
	} else if p.Y.Min >= p.Y.Max && ch.YMax != nil {
		p.Y.Min = p.Y.Max - 1
	}
}

// rotateLongCategories tilts the category names when the widest one does not fit its slot.
func rotateLongCategories(p *gplot.Plot, names []string, c draw.Canvas) {
	slot := (c.Max.X - c.Min.X - vg.Centimeter*1.5) / vg.Length(len(names))
	widest := vg.Length(0)
	for _, n := range names {
		widest = max(widest, p.X.Tick.Label.Width(cleanText(n, maxNameLen)))
	}
	if widest > slot*0.95 {
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
}

// cleanText makes text safe to draw: valid UTF-8 and no control characters. With a limit
// (a legend or category name) it is one line of at most limit runes, shortened with an
// ellipsis; without one (titles, axis labels) line breaks stay.
func cleanText(s string, limit int) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && (r != '\n' || limit > 0) {
			return ' '
		}
		return r
	}, s)
	if limit > 0 && utf8.RuneCountInString(s) > limit {
		s = string([]rune(s)[:limit-1]) + "…"
	}
	return s
}
