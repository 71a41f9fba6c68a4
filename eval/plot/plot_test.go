package plot

import (
	"bytes"
	"encoding/xml"
	"errors"
	"html"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteEveryChartBothFormats(t *testing.T) {
	dir := outDir(t)
	for name, f := range allFigures() {
		base := filepath.Join(dir, name)
		if err := WriteFigureBoth(f, base); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		w, h := f.size()
		checkPNG(t, base+".png", w, h)
		svg := checkSVG(t, base+".svg")
		for _, p := range f.Panels {
			if !strings.Contains(svg, html.EscapeString(p.Title)) {
				t.Errorf("%s.svg lacks title %q", name, p.Title)
			}
			if len(p.Series)+len(p.Refs) < 2 {
				continue // no legend
			}
			for _, s := range p.Series {
				if !strings.Contains(svg, ">"+html.EscapeString(s.Name)+"<") {
					t.Errorf("%s.svg lacks series name %q", name, s.Name)
				}
			}
		}
	}
}

func checkPNG(t *testing.T, path string, wcm, hcm float64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	wantW, wantH := PNGSize(wcm, hcm)
	if got := img.Bounds().Size(); got.X != wantW || got.Y != wantH {
		t.Errorf("%s: %dx%d px, want %dx%d", path, got.X, got.Y, wantW, wantH)
	}
	// A chart is mostly white with some ink: a blank or solid image is a defect.
	ink := 0
	for y := 0; y < wantH; y += 3 {
		for x := 0; x < wantW; x += 3 {
			if r, g, b, _ := img.At(x, y).RGBA(); r+g+b < 3*0xF000 {
				ink++
			}
		}
	}
	if total := (wantW / 3) * (wantH / 3); ink < total/200 || ink > total/2 {
		t.Errorf("%s: %d of %d sampled pixels inked", path, ink, total)
	}
}

// checkSVG parses the file as XML and returns its text.
func checkSVG(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	elems := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: not XML: %v", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if elems == 0 && se.Name.Local != "svg" {
				t.Fatalf("%s: root element %q", path, se.Name.Local)
			}
			elems++
		}
	}
	if elems < 20 {
		t.Errorf("%s: only %d elements", path, elems)
	}
	if s := string(b); strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
		t.Errorf("%s: non-finite number in the drawing", path)
	}
	return string(b)
}

func TestOutputIsDeterministic(t *testing.T) {
	for _, format := range Formats {
		for name, f := range allFigures() {
			var a, b bytes.Buffer
			if err := Encode(&a, f, format); err != nil {
				t.Fatalf("%s.%s: %v", name, format, err)
			}
			if err := Encode(&b, allFigures()[name], format); err != nil {
				t.Fatal(err)
			}
			if a.Len() == 0 || !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("%s.%s: %d and %d bytes, not identical", name, format, a.Len(), b.Len())
			}
		}
	}
}

func TestBadChartsGiveErrors(t *testing.T) {
	xy := []float64{1, 2, 3}
	good := func() Chart {
		return Chart{Title: "t", Series: []Series{{Name: "a", X: xy, Y: xy}}}
	}
	nan := math.NaN()
	cases := []struct {
		name   string
		edit   func(*Chart)
		want   error
		format string
	}{
		{"no series", func(c *Chart) { c.Series = nil }, ErrEmpty, ""},
		{"empty series", func(c *Chart) { c.Series = append(c.Series, Series{Name: "b"}) }, ErrEmpty, ""},
		{"short X", func(c *Chart) { c.Series[0].X = xy[:2] }, ErrMismatch, ""},
		{"bars without categories", func(c *Chart) { c.Kind = Bars; c.Series[0].X = nil }, ErrEmpty, ""},
		{"bars with X", func(c *Chart) { c.Kind = Bars; c.Categories = []string{"p", "q", "r"} }, ErrMismatch, ""},
		{"bars short", func(c *Chart) { c.Kind = Bars; c.Series[0].X = nil; c.Categories = []string{"p", "q"} }, ErrMismatch, ""},
		{"all NaN", func(c *Chart) { c.Series[0].Y = []float64{nan, nan, math.Inf(1)} }, ErrNoData, ""},
		{"NaN X only", func(c *Chart) { c.Series[0].X = []float64{nan, nan, nan} }, ErrNoData, ""},
		{"inverted limits", func(c *Chart) { c.YMin, c.YMax = Limit(2), Limit(1) }, ErrRange, ""},
		{"NaN limit", func(c *Chart) { c.YMax = Limit(nan) }, ErrRange, ""},
		{"negative style", func(c *Chart) { c.Series[0].Style = -1 }, ErrRange, ""},
		{"unknown kind", func(c *Chart) { c.Kind = Kind(7) }, ErrKind, ""},
		{"pdf", func(*Chart) {}, ErrFormat, ".pdf"},
		{"no extension", func(*Chart) {}, ErrFormat, "none"},
	}
	dir := t.TempDir()
	for _, tc := range cases {
		c := good()
		tc.edit(&c)
		path := filepath.Join(dir, "bad.svg")
		switch tc.format {
		case ".pdf":
			path = filepath.Join(dir, "bad.pdf")
		case "none":
			path = filepath.Join(dir, "bad")
		}
		err := Write(c, path)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
		if _, statErr := os.Stat(path); statErr == nil {
			t.Errorf("%s: a file was written despite the error", tc.name)
		}
	}
	if err := Write(good(), filepath.Join(dir, "ok.png")); err != nil {
		t.Errorf("the unedited chart fails: %v", err)
	}
}

func TestBadFiguresGiveErrors(t *testing.T) {
	c := Chart{Series: []Series{{Name: "a", X: []float64{1}, Y: []float64{1}}}}
	cases := []struct {
		name string
		f    Figure
		want error
	}{
		{"no panels", Figure{}, ErrEmpty},
		{"negative cols", Figure{Panels: []Chart{c}, Cols: -1}, ErrRange},
		{"too many cols", Figure{Panels: []Chart{c}, Cols: 3}, ErrRange},
		{"huge page", Figure{Panels: []Chart{c}, Width: 500}, ErrRange},
		{"negative height", Figure{Panels: []Chart{c}, Height: -1}, ErrRange},
		{"NaN width", Figure{Panels: []Chart{c}, Width: math.NaN()}, ErrRange},
		{"bad panel", Figure{Panels: []Chart{c, {}}}, ErrEmpty},
	}
	for _, tc := range cases {
		if err := Encode(io.Discard, tc.f, "svg"); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestNaNPointsAreSkipped(t *testing.T) {
	nan := math.NaN()
	c := Chart{Title: "gaps", Series: []Series{
		{Name: "gappy", X: []float64{1, 2, 3, 4, 5, 6}, Y: []float64{1, nan, 3, 4, math.Inf(-1), 2}},
		{Name: "lone", X: []float64{nan, 2, 3}, Y: []float64{5, 5, nan}},
	}}
	bars := Chart{Title: "bars", Kind: Bars, Categories: []string{"a", "b", "c"}, ValueLabels: true,
		Series: []Series{{Name: "s", Y: []float64{1, nan, 2}}, {Name: "t", Y: []float64{nan, 3, 1}}}}
	for _, ch := range []Chart{c, bars} {
		var buf bytes.Buffer
		if err := Encode(&buf, Figure{Panels: []Chart{ch}}, "svg"); err != nil {
			t.Fatalf("%s: %v", ch.Title, err)
		}
		path := filepath.Join(t.TempDir(), "g.svg")
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		checkSVG(t, path)
	}
}

func TestOddTextAndValues(t *testing.T) {
	c := Chart{Title: "a <title> & \"quotes\"\x00", XLabel: "x\ty", Kind: Lines, Series: []Series{
		{Name: "<h2o & slide>", X: []float64{1, 2}, Y: []float64{-1e300, 1e300}},
		{Name: strings.Repeat("long name ", 10) + "\xff", X: []float64{0}, Y: []float64{0}, Style: 11},
		{Name: "flat", X: []float64{5, 5}, Y: []float64{7, 7}},
	}}
	path := filepath.Join(t.TempDir(), "odd.svg")
	err := Write(c, path)
	if err != nil && !errors.Is(err, ErrRender) {
		t.Fatalf("got %v, want nil or ErrRender", err)
	}
	if err == nil {
		svg := checkSVG(t, path)
		if !strings.Contains(svg, html.EscapeString("<h2o & slide>")) {
			t.Error("escaped series name missing")
		}
	}
	// Values inside a sane range always draw.
	c.Series[0].Y = []float64{-3, 3}
	if err := Write(c, path); err != nil {
		t.Fatal(err)
	}
	checkSVG(t, path)
}

func TestLongSeriesAreDownsampled(t *testing.T) {
	f := Figure{Panels: []Chart{ResidentKV("resident", residentCurves(20000))}}
	var buf bytes.Buffer
	if err := Encode(&buf, f, "svg"); err != nil {
		t.Fatal(err)
	}
	// 5 series of 20000 points would take well over a megabyte of path data.
	if buf.Len() > 150_000 {
		t.Errorf("svg is %d bytes; long series were not downsampled", buf.Len())
	}
}
