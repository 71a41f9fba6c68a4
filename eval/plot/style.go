package plot

import (
	"image/color"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// palette is the Okabe–Ito colour-blind-safe set (yellow replaced by a grey that reads on
// white), ordered so that the first few series differ most.
var palette = []color.RGBA{
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0x00, 0x00, 0x00, 0xFF}, // black
	{0x80, 0x80, 0x80, 0xFF}, // grey
}

var glyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{},
	draw.RingGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.PlusGlyph{},
}

var dashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(1.5), vg.Points(2)},
	{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)},
}

var (
	gridColor = color.Gray{0xDD}
	refColor  = color.Gray{0x60}
)

// style is the look of one series.
type style struct {
	color color.RGBA
	glyph draw.GlyphDrawer
	dash  []vg.Length
}

// styleAt returns the look of palette slot i (0-based). Past the palette's length the
// colours repeat with a shifted marker and dash, so neighbours never look the same.
func styleAt(i int) style {
	shift := i / len(palette)
	return style{
		color: palette[i%len(palette)],
		glyph: glyphs[(i+shift)%len(glyphs)],
		dash:  dashes[(i+shift)%len(dashes)],
	}
}

// seriesStyle returns the look of the series at position pos.
func seriesStyle(s Series, pos int) style {
	if s.Style > 0 {
		return styleAt(s.Style - 1)
	}
	return styleAt(pos)
}

func (s style) line() draw.LineStyle {
	return draw.LineStyle{Color: s.color, Width: vg.Points(1.5), Dashes: s.dash}
}

func (s style) glyphStyle() draw.GlyphStyle {
	return draw.GlyphStyle{Color: s.color, Radius: vg.Points(2.8), Shape: s.glyph}
}

// thumb is a legend swatch: a line, a marker, a filled box, or a line with a marker.
type thumb struct {
	line  *draw.LineStyle
	glyph *draw.GlyphStyle
	fill  color.Color
}

func (t thumb) Thumbnail(c *draw.Canvas) {
	if t.fill != nil {
		r := c.Rectangle
		inset := (r.Max.Y - r.Min.Y) * 0.1
		r.Min.Y += inset
		r.Max.Y -= inset
		c.FillPolygon(t.fill, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
	}
	mid := c.Center()
	if t.line != nil {
		c.StrokeLine2(*t.line, c.Min.X, mid.Y, c.Max.X, mid.Y)
	}
	if t.glyph != nil {
		c.DrawGlyphNoClip(*t.glyph, mid)
	}
}
