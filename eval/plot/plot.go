// Package plot draws the evaluation charts (accuracy against budget, resident KV entries
// against decode step, accuracy by answer position, refresh cost, throughput and the
// attention drift probe) as PNG or SVG files. Its inputs are plain typed series, so a sweep
// runner can call it without the rest of the project; rendering uses gonum.org/v1/plot.
//
// Output is deterministic: the same chart gives byte-identical files. Series keep the
// order they are given in and take their colour, marker and dash from their position (or
// from Series.Style), so passing the policies in the same order keeps their look across
// charts.
package plot

import (
	"errors"
	"fmt"
	"math"
)

// Sentinel errors, matched with errors.Is; returned errors wrap them with context.
var (
	// ErrEmpty: a chart without series, a series without points, a figure without panels.
	ErrEmpty = errors.New("plot: empty chart")
	// ErrMismatch: X and Y of different lengths, or bar values that do not match the
	// categories.
	ErrMismatch = errors.New("plot: mismatched lengths")
	// ErrNoData: nothing finite to draw (every value NaN or infinite).
	ErrNoData = errors.New("plot: no finite data")
	// ErrRange: a bad axis limit, figure size or column count.
	ErrRange = errors.New("plot: bad range")
	// ErrFormat: a file extension other than .png or .svg.
	ErrFormat = errors.New("plot: unsupported format")
	// ErrKind: a Kind value that is not Lines, Points or Bars.
	ErrKind = errors.New("plot: unknown chart kind")
	// ErrRender: the drawing library failed on the input.
	ErrRender = errors.New("plot: render failed")
)

// Kind is how a chart draws its series.
type Kind int

const (
	// Lines joins each series' points in order; series with at most MaxMarkers points
	// also get a marker at each point. A NaN or infinite value breaks the line.
	Lines Kind = iota
	// Points draws a marker at each point.
	Points
	// Bars draws grouped bars: one group per category, one bar per series in each group.
	Bars
)

func (k Kind) String() string {
	switch k {
	case Lines:
		return "lines"
	case Points:
		return "points"
	case Bars:
		return "bars"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Series is one named data set. For Lines and Points, (X[i], Y[i]) are the points; for
// Bars, Y[i] is the value for Chart.Categories[i] and X must be empty. Points with a NaN
// or infinite coordinate are skipped.
type Series struct {
	Name string
	X, Y []float64
	// Style picks the palette slot (1-based) for colour, marker and dash; 0 means the
	// series' position in the chart. Pin it to keep a policy's look across charts.
	Style int
}

// Ref is a labelled horizontal reference line (for example the full-cache accuracy or a
// P + D budget), drawn dashed in grey across the plot.
type Ref struct {
	Name string
	Y    float64
}

// Chart is one plot panel.
type Chart struct {
	Title, XLabel, YLabel string
	Kind                  Kind
	Series                []Series
	// Categories names the bar groups (Bars only).
	Categories []string
	Refs       []Ref
	// YMin and YMax fix the value axis when set; nil means fit the data.
	YMin, YMax *float64
	// ValueLabels prints each bar's value above it (Bars only).
	ValueLabels bool
}

// Figure is several charts drawn on one page in a grid, filled row by row.
type Figure struct {
	Panels []Chart
	// Cols is the number of panel columns; 0 means 1 (panels stacked vertically).
	Cols int
	// Width and Height are the page size in centimetres; 0 means PanelWidth per column
	// and PanelHeight per row.
	Width, Height float64
}

// Layout constants.
const (
	PanelWidth  = 16.0 // default panel width, cm
	PanelHeight = 10.0 // default panel height, cm
	MaxSize     = 60.0 // largest page side accepted, cm
	PNGDPI      = 150  // resolution of PNG output
	MaxMarkers  = 40   // Lines series longer than this are drawn without markers
	MaxPoints   = 400  // Lines and Points series longer than this are downsampled
	maxNameLen  = 32   // legend names longer than this are shortened
)

// Limit returns a pointer to v, for Chart.YMin and Chart.YMax.
func Limit(v float64) *float64 { return &v }

// Validate reports why c cannot be drawn, or nil.
func (c Chart) Validate() error {
	if c.Kind < Lines || c.Kind > Bars {
		return fmt.Errorf("%w: %v", ErrKind, c.Kind)
	}
	if len(c.Series) == 0 {
		return fmt.Errorf("%w: %q has no series", ErrEmpty, c.Title)
	}
	if err := c.validateLimits(); err != nil {
		return err
	}
	if c.Kind == Bars && len(c.Categories) == 0 {
		return fmt.Errorf("%w: bar chart %q has no categories", ErrEmpty, c.Title)
	}
	finite := false
	for _, s := range c.Series {
		if err := c.validateSeries(s); err != nil {
			return err
		}
		finite = finite || hasFinite(s, c.Kind)
	}
	for _, r := range c.Refs {
		finite = finite || isFinite(r.Y)
	}
	if !finite {
		return fmt.Errorf("%w: %q", ErrNoData, c.Title)
	}
	return nil
}

func (c Chart) validateLimits() error {
	for _, l := range []*float64{c.YMin, c.YMax} {
		if l != nil && !isFinite(*l) {
			return fmt.Errorf("%w: axis limit %v", ErrRange, *l)
		}
	}
	if c.YMin != nil && c.YMax != nil && *c.YMin >= *c.YMax {
		return fmt.Errorf("%w: YMin %v >= YMax %v", ErrRange, *c.YMin, *c.YMax)
	}
	return nil
}

func (c Chart) validateSeries(s Series) error {
	if len(s.Y) == 0 {
		return fmt.Errorf("%w: series %q has no points", ErrEmpty, s.Name)
	}
	if s.Style < 0 {
		return fmt.Errorf("%w: series %q has style %d", ErrRange, s.Name, s.Style)
	}
	if c.Kind == Bars {
		if len(s.X) != 0 || len(s.Y) != len(c.Categories) {
			return fmt.Errorf("%w: bar series %q has %d values (and %d X) for %d categories",
				ErrMismatch, s.Name, len(s.Y), len(s.X), len(c.Categories))
		}
		return nil
	}
	if len(s.X) != len(s.Y) {
		return fmt.Errorf("%w: series %q has %d X and %d Y", ErrMismatch, s.Name, len(s.X), len(s.Y))
	}
	return nil
}

func hasFinite(s Series, k Kind) bool {
	for i, y := range s.Y {
		if isFinite(y) && (k == Bars || isFinite(s.X[i])) {
			return true
		}
	}
	return false
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Validate reports why f cannot be drawn, or nil.
func (f Figure) Validate() error {
	if len(f.Panels) == 0 {
		return fmt.Errorf("%w: figure has no panels", ErrEmpty)
	}
	if f.Cols < 0 || f.Cols > len(f.Panels) && f.Cols > 1 {
		return fmt.Errorf("%w: %d columns for %d panels", ErrRange, f.Cols, len(f.Panels))
	}
	w, h := f.size()
	if !(w > 0 && w <= MaxSize && h > 0 && h <= MaxSize) {
		return fmt.Errorf("%w: page %vx%v cm (sides must be in (0, %v])", ErrRange, w, h, MaxSize)
	}
	for i, c := range f.Panels {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("panel %d: %w", i, err)
		}
	}
	return nil
}

// grid returns the number of columns and rows of the panel grid.
func (f Figure) grid() (cols, rows int) {
	cols = max(f.Cols, 1)
	return cols, (len(f.Panels) + cols - 1) / cols
}

// size returns the page size in centimetres.
func (f Figure) size() (w, h float64) {
	cols, rows := f.grid()
	w, h = f.Width, f.Height
	if w == 0 {
		w = PanelWidth * float64(cols)
	}
	if h == 0 {
		h = PanelHeight * float64(rows)
	}
	return w, h
}
