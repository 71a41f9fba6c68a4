package plot

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestThirds(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		in   []float64
		want [3]float64
	}{
		// 10 positions: 3i/10 puts 0-3 early, 4-6 middle, 7-9 late.
		{[]float64{1, 1, 1, 1, 0.5, 0.5, 0.5, 0, 0, 0.3}, [3]float64{1, 0.5, 0.1}},
		{[]float64{1, nan, 0, 0.5, 0.25, 0.75}, [3]float64{1, 0.25, 0.5}},
		{[]float64{0.4}, [3]float64{0.4, nan, nan}},
		{[]float64{0.4, 0.6}, [3]float64{0.4, 0.6, nan}},
		{nil, [3]float64{nan, nan, nan}},
	}
	for _, tc := range cases {
		got := Thirds(tc.in)
		for i := range got {
			if !(math.Abs(got[i]-tc.want[i]) < 1e-12 || math.IsNaN(got[i]) && math.IsNaN(tc.want[i])) {
				t.Errorf("Thirds(%v) = %v, want %v", tc.in, got, tc.want)
				break
			}
		}
	}
}

func TestScaleBytes(t *testing.T) {
	cases := []struct {
		top  float64
		unit string
		k    float64
	}{
		{0, "B", 1}, {1023, "B", 1}, {1024, "KiB", 1024}, {3 << 20, "MiB", 1 << 20},
		{5 << 30, "GiB", 1 << 30}, {1 << 50, "TiB", 1 << 40},
	}
	for _, tc := range cases {
		in := []Series{{Y: []float64{tc.top / 2, math.NaN(), tc.top}}}
		out, unit := scaleBytes(in)
		if unit != tc.unit || out[0].Y[2] != tc.top/tc.k || !math.IsNaN(out[0].Y[1]) {
			t.Errorf("top %v: %v %q, want %v %q", tc.top, out[0].Y, unit, tc.top/tc.k, tc.unit)
		}
		if in[0].Y[2] != tc.top {
			t.Error("input modified")
		}
	}
}

func TestBuildersKeepInputAndScale(t *testing.T) {
	curves := accuracyCurves()
	before := slices.Clone(curves[1].Y)
	c := AccuracyVsBudget("t", "x", curves)
	if !slices.Equal(curves[1].Y, before) {
		t.Fatal("AccuracyVsBudget modified its input")
	}
	if c.Series[1].Y[2] != 100*before[2] || *c.YMax != 100 || c.Kind != Lines {
		t.Errorf("accuracy not shown in percent: %v", c.Series[1].Y)
	}
	pos := AccuracyByPosition("p", []Series{{Name: "a", Y: []float64{0.5, 0.25, 1}}})
	if !slices.Equal(pos.Series[0].X, []float64{1, 2, 3}) || !slices.Equal(pos.Series[0].Y, []float64{50, 25, 100}) {
		t.Errorf("positions %v, values %v", pos.Series[0].X, pos.Series[0].Y)
	}
	th := AccuracyByThird("th", []Series{{Name: "a", Y: []float64{1, 0, 0.5}, Style: 3}, {Name: "empty"}})
	if !slices.Equal(th.Series[0].Y, []float64{100, 0, 50}) || th.Series[0].Style != 3 || th.Series[1].Y != nil {
		t.Errorf("thirds %+v", th.Series)
	}
	if err := th.Validate(); err == nil {
		t.Error("an empty policy curve should make the chart invalid")
	}
	d := DriftProbe("d", []DriftLayer{{Name: "l", Steps: []float64{1, 2}, DecodedFraction: []float64{0, 0.5}, Overlap: []float64{1, 0.4}}})
	if len(d.Panels) != 2 || d.Panels[0].Series[0].Y[1] != 50 || d.Panels[1].Series[0].Y[1] != 0.4 {
		t.Errorf("drift panels %+v", d.Panels)
	}
	if err := d.Validate(); err != nil {
		t.Error(err)
	}
	bad := DriftProbe("d", []DriftLayer{{Name: "l", Steps: []float64{1, 2}, DecodedFraction: []float64{0}, Overlap: []float64{1, 0.4}}})
	if err := bad.Validate(); err == nil {
		t.Error("mismatched drift lengths should be an error")
	}
}

// TestStylesFollowPositionOrPin checks that series take palette slots by position, that
// Style pins a slot, and that a lone bar series colours its bars by category.
func TestStylesFollowPositionOrPin(t *testing.T) {
	hex := func(i int) string {
		c := styleAt(i).color
		return fmt.Sprintf("#%02X%02X%02X", c.R, c.G, c.B)
	}
	svgOf := func(c Chart) string {
		var buf bytes.Buffer
		if err := Encode(&buf, Figure{Panels: []Chart{c}}, "svg"); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	bars := svgOf(Throughput("tps", []string{"a", "b", "c", "d"}, []Series{{Name: "tps", Y: []float64{1, 2, 3, 4}}}))
	for i := range 4 {
		if !strings.Contains(bars, hex(i)) {
			t.Errorf("bar %d's colour %s missing", i, hex(i))
		}
	}
	pinned := svgOf(Chart{Series: []Series{{Name: "a", X: []float64{1, 2}, Y: []float64{1, 2}, Style: 6}}})
	if !strings.Contains(pinned, hex(5)) || strings.Contains(pinned, hex(0)) {
		t.Error("Style 6 should draw with palette slot 5 only")
	}
	if a, b := styleAt(0), styleAt(len(palette)); a.color != b.color || a.glyph == b.glyph {
		t.Error("past the palette, a repeated colour should get another marker")
	}
}
