package plot

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Formats are the supported output formats, as file extensions without the dot.
var Formats = []string{"png", "svg"}

var tilePad = vg.Points(6)

// Write draws c on a PanelWidth x PanelHeight page into path, in the format its
// extension names (.png or .svg).
func Write(c Chart, path string) error {
	return WriteFigure(Figure{Panels: []Chart{c}}, path)
}

// WriteBoth writes c to base+".png" and base+".svg".
func WriteBoth(c Chart, base string) error {
	return WriteFigureBoth(Figure{Panels: []Chart{c}}, base)
}

// WriteFigure draws f into path, in the format its extension names (.png or .svg). The
// file is written only once the drawing has succeeded.
func WriteFigure(f Figure, path string) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	var buf bytes.Buffer
	if err := Encode(&buf, f, format); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// WriteFigureBoth writes f to base+".png" and base+".svg".
func WriteFigureBoth(f Figure, base string) error {
	for _, ext := range Formats {
		if err := WriteFigure(f, base+"."+ext); err != nil {
			return err
		}
	}
	return nil
}

// Encode draws f to w as "png" or "svg". PNG pages are rendered at PNGDPI; SVG text uses
// the Liberation font names without embedding the fonts.
func Encode(w io.Writer, f Figure, format string) error {
	if format != "png" && format != "svg" {
		return fmt.Errorf("%w: %q (want png or svg)", ErrFormat, format)
	}
	if err := f.Validate(); err != nil {
		return err
	}
	cw, err := render(f, format)
	if err != nil {
		return err
	}
	_, err = cw.WriteTo(w)
	return err
}

// render draws a validated figure. The drawing library panics on some inputs it cannot
// lay out; that becomes ErrRender rather than a crash of the caller.
func render(f Figure, format string) (cw vg.CanvasWriterTo, err error) {
	defer func() {
		if r := recover(); r != nil {
			cw, err = nil, fmt.Errorf("%w: %v", ErrRender, r)
		}
	}()
	w, h := f.size()
	pw, ph := vg.Length(w)*vg.Centimeter, vg.Length(h)*vg.Centimeter
	if format == "png" {
		cw = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(pw, ph), vgimg.UseDPI(PNGDPI))}
	} else {
		cw = vgsvg.New(pw, ph)
	}
	dc := draw.New(cw)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	cols, rows := f.grid()
	tiles := draw.Tiles{Cols: cols, Rows: rows, PadX: tilePad, PadY: tilePad,
		PadTop: tilePad, PadBottom: tilePad, PadLeft: tilePad, PadRight: tilePad}
	for i, ch := range f.Panels {
		drawPanel(tiles.At(dc, i%cols, i/cols), ch)
	}
	return cw, nil
}

// PNGSize returns the pixel size of a PNG page of w x h centimetres.
func PNGSize(w, h float64) (px, py int) {
	px = int(vg.Length(w)*vg.Centimeter/vg.Inch*PNGDPI + 0.5)
	py = int(vg.Length(h)*vg.Centimeter/vg.Inch*PNGDPI + 0.5)
	return px, py
}
