package plot

import (
	"math"
	"slices"
	"testing"
)

func TestFiniteRuns(t *testing.T) {
	nan := math.NaN()
	s := Series{X: []float64{1, 2, 3, nan, 5, 6, 7}, Y: []float64{nan, 2, 3, 4, 5, math.Inf(1), 7}}
	runs := finiteRuns(s)
	want := [][]xy{{{2, 2}, {3, 3}}, {{5, 5}}, {{7, 7}}}
	if len(runs) != len(want) {
		t.Fatalf("runs %v, want %v", runs, want)
	}
	for i := range want {
		if !slices.Equal(runs[i], want[i]) {
			t.Errorf("run %d: %v, want %v", i, runs[i], want[i])
		}
	}
}

// sawtooth is the discontinuous policy's resident-entry shape: a slow ramp plus teeth of
// height delta; stride sampling would alias it.
func sawtooth(n, delta int) Series {
	s := Series{Name: "saw", X: make([]float64, n), Y: make([]float64, n)}
	for i := range n {
		s.X[i] = float64(i + 1)
		s.Y[i] = 1000 + float64(i/97) + float64(i%(delta+1))
	}
	return s
}

func TestDownsampleKeepsEnvelope(t *testing.T) {
	for _, n := range []int{401, 1000, 9999} {
		s := sawtooth(n, 15)
		d := Downsample(s, 400)
		if len(d.X) > 400 || len(d.X) < 300 || len(d.X) != len(d.Y) {
			t.Fatalf("n=%d: %d points, want 300..400", n, len(d.X))
		}
		if d.X[0] != s.X[0] || d.X[len(d.X)-1] != s.X[n-1] || d.Y[len(d.Y)-1] != s.Y[n-1] {
			t.Errorf("n=%d: ends not kept", n)
		}
		if slices.Max(d.Y) != slices.Max(s.Y) || slices.Min(d.Y) != slices.Min(s.Y) {
			t.Errorf("n=%d: extremes lost", n)
		}
		if !slices.IsSorted(d.X) {
			t.Errorf("n=%d: order not kept", n)
		}
		// Every kept point is an original point.
		for i, x := range d.X {
			if j := int(x) - 1; s.Y[j] != d.Y[i] {
				t.Fatalf("n=%d: point %d (%v, %v) is not in the input", n, i, x, d.Y[i])
			}
		}
		// The teeth stay visible: once buckets hold 5 or more points, any 4 consecutive
		// buckets cover a whole tooth, and their kept minima and maxima still span most of
		// its height (stride sampling would not).
		w := 4 * 2
		for i := 0; n >= 1000 && i+w <= len(d.Y); i += w {
			if span := slices.Max(d.Y[i:i+w]) - slices.Min(d.Y[i:i+w]); span < 10 {
				t.Fatalf("n=%d: window at %d spans %v, the sawtooth was aliased", n, i, span)
			}
		}
	}
}

func TestDownsampleShortGapsAndInput(t *testing.T) {
	s := sawtooth(50, 3)
	d := Downsample(s, 400)
	if !slices.Equal(d.Y, s.Y) || &d.Y[0] == &s.Y[0] {
		t.Error("a short series should come back as an equal copy")
	}
	long := sawtooth(3000, 15)
	before := slices.Clone(long.Y)
	long.Y[1500] = math.NaN()
	before[1500] = math.NaN()
	d = Downsample(long, 400)
	gaps := 0
	for _, y := range d.Y {
		if math.IsNaN(y) {
			gaps++
		}
	}
	if gaps != 1 {
		t.Errorf("%d NaN separators, want 1", gaps)
	}
	for i := range before {
		if long.Y[i] != before[i] && !math.IsNaN(before[i]) {
			t.Fatal("input modified")
		}
	}
	if got := Downsample(Series{X: []float64{1}, Y: []float64{1, 2}}, 1); len(got.Y) != 2 {
		t.Error("a malformed series should come back unchanged")
	}
}

func TestNiceTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		labels []string
	}{
		{0, 100, []string{"0", "20", "40", "60", "80", "100"}},
		{0.2, 1, []string{"0.2", "0.4", "0.6", "0.8", "1.0"}},
		{1, 2000, []string{"500", "1000", "1500", "2000"}},
		{0, 1, []string{"0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{-3, 3, []string{"-3", "-2", "-1", "0", "1", "2", "3"}},
		{0, 0.25, []string{"0", "0.05", "0.10", "0.15", "0.20", "0.25"}},
		{0, 25, []string{"0", "5", "10", "15", "20", "25"}},
	}
	for _, tc := range cases {
		var got []string
		for _, tk := range (niceTicks{}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
			if tk.Value < tc.lo-1e-9 || tk.Value > tc.hi+1e-9 {
				t.Errorf("[%v, %v]: tick %v outside the range", tc.lo, tc.hi, tk.Value)
			}
		}
		if !slices.Equal(got, tc.labels) {
			t.Errorf("[%v, %v]: labels %v, want %v", tc.lo, tc.hi, got, tc.labels)
		}
	}
}
