package plot

import "math"

// xy is one finite point.
type xy struct{ x, y float64 }

// finiteRuns splits a Lines or Points series into maximal runs of consecutive finite
// points; a NaN or infinite coordinate ends a run and is dropped.
func finiteRuns(s Series) [][]xy {
	var runs [][]xy
	var cur []xy
	for i, y := range s.Y {
		if i < len(s.X) && isFinite(s.X[i]) && isFinite(y) {
			cur = append(cur, xy{s.X[i], y})
			continue
		}
		if len(cur) > 0 {
			runs = append(runs, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// reduceRuns downsamples runs holding more than maxPoints points in all, giving each run
// a share of the budget in proportion to its length (at least its two ends).
func reduceRuns(runs [][]xy, maxPoints int) [][]xy {
	total := 0
	for _, r := range runs {
		total += len(r)
	}
	if total <= maxPoints {
		return runs
	}
	out := make([][]xy, len(runs))
	for i, r := range runs {
		out[i] = reduceRun(r, max(2, maxPoints*len(r)/total))
	}
	return out
}

// reduceRun keeps the first and last points and, in each of (budget-2)/2 equal index
// buckets between them, the points with the smallest and the largest Y in their original
// order. Unlike taking every k-th point this keeps the envelope of a sawtooth (the
// discontinuous policy's resident-entry curve) instead of aliasing it.
func reduceRun(run []xy, budget int) []xy {
	n := len(run)
	if n <= budget || n <= 2 {
		return run
	}
	out := []xy{run[0]}
	inner := n - 2
	buckets := (budget - 2) / 2
	for b := range buckets {
		lo, hi := 1+b*inner/buckets, 1+(b+1)*inner/buckets
		if lo == hi {
			continue
		}
		iMin, iMax := lo, lo
		for i := lo + 1; i < hi; i++ {
			if run[i].y < run[iMin].y {
				iMin = i
			}
			if run[i].y > run[iMax].y {
				iMax = i
			}
		}
		out = append(out, run[min(iMin, iMax)])
		if iMin != iMax {
			out = append(out, run[max(iMin, iMax)])
		}
	}
	return append(out, run[n-1])
}

// Downsample returns a copy of s with about maxPoints points (at most maxPoints + 3 per
// gap + 2), keeping each stretch's ends and its per-bucket minimum and
// maximum so that plateaus, peaks and sawtooth envelopes survive. Non-finite points are
// dropped; a gap they made stays a gap (one NaN point between stretches). A series that
// is already short enough, a malformed one, or maxPoints < 4 give an unchanged copy.
func Downsample(s Series, maxPoints int) Series {
	out := Series{Name: s.Name, Style: s.Style}
	if len(s.Y) <= maxPoints || maxPoints < 4 || len(s.X) != len(s.Y) {
		out.X = append([]float64(nil), s.X...)
		out.Y = append([]float64(nil), s.Y...)
		return out
	}
	for i, run := range reduceRuns(finiteRuns(s), maxPoints) {
		if i > 0 {
			out.X = append(out.X, math.NaN())
			out.Y = append(out.Y, math.NaN())
		}
		for _, p := range run {
			out.X = append(out.X, p.x)
			out.Y = append(out.Y, p.y)
		}
	}
	return out
}
