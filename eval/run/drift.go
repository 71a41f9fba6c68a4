package run

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/scopekv/scope/runtime"
)

// KeyWeight is the head-averaged attention probability of one resident key.
type KeyWeight struct {
	Pos    int32
	Weight float64
}

// HeadAverage returns the attention of a probe sample averaged over its query heads, per
// logical key position, sorted by position. A head that does not hold a key (its unit
// evicted it) contributes zero to that key's mean.
func HeadAverage(s runtime.ProbeSample) ([]KeyWeight, error) {
	if s.Heads <= 0 || s.Cols < 0 || len(s.Probs) < s.Heads*s.Cols || len(s.Positions) < s.Heads*s.Cols {
		return nil, fmt.Errorf("%w: probe sample with %d heads, %d columns, %d probabilities, %d positions",
			ErrInput, s.Heads, s.Cols, len(s.Probs), len(s.Positions))
	}
	sum := map[int32]float64{}
	for i := range s.Heads * s.Cols {
		if p := s.Positions[i]; p >= 0 {
			sum[p] += float64(s.Probs[i])
		}
	}
	out := make([]KeyWeight, 0, len(sum))
	for p, w := range sum {
		out = append(out, KeyWeight{Pos: p, Weight: w / float64(s.Heads)})
	}
	slices.SortFunc(out, func(a, b KeyWeight) int { return cmp.Compare(a.Pos, b.Pos) })
	return out, nil
}

// TopKeys returns the positions of the top fraction of keys by weight (at least one key,
// round(fraction*len) of them), in increasing position order. Ties keep the older key.
func TopKeys(keys []KeyWeight, fraction float64) []int32 {
	if len(keys) == 0 {
		return nil
	}
	k := min(max(1, int(math.Round(fraction*float64(len(keys))))), len(keys))
	order := slices.Clone(keys)
	slices.SortStableFunc(order, func(a, b KeyWeight) int {
		if c := cmp.Compare(b.Weight, a.Weight); c != 0 {
			return c
		}
		return cmp.Compare(a.Pos, b.Pos)
	})
	top := make([]int32, k)
	for i := range top {
		top[i] = order[i].Pos
	}
	slices.Sort(top)
	return top
}

// DecodedFraction returns the share of positions at or after promptLen (the decoded
// region); 0 for an empty set.
func DecodedFraction(pos []int32, promptLen int) float64 {
	if len(pos) == 0 {
		return 0
	}
	n := 0
	for _, p := range pos {
		if int(p) >= promptLen {
			n++
		}
	}
	return float64(n) / float64(len(pos))
}

// MassFrom returns the total weight of the keys at or after position from.
func MassFrom(keys []KeyWeight, from int) float64 {
	var m float64
	for _, k := range keys {
		if int(k.Pos) >= from {
			m += k.Weight
		}
	}
	return m
}

// Cover returns how many of the keys at or after position from it takes, heaviest first,
// to hold share of their total weight: small when their attention is concentrated on a few
// keys (heavy hitters can keep it), large when it is spread thin.
func Cover(keys []KeyWeight, from int, share float64) int {
	var w []float64
	var total float64
	for _, k := range keys {
		if int(k.Pos) >= from {
			w = append(w, k.Weight)
			total += k.Weight
		}
	}
	slices.SortFunc(w, func(a, b float64) int { return cmp.Compare(b, a) })
	var sum float64
	for i, x := range w {
		if sum >= share*total {
			return i
		}
		sum += x
	}
	return len(w)
}

// Jaccard returns |a∩b| / |a∪b| of two sets of distinct positions given in increasing
// order; two empty sets overlap fully.
func Jaccard(a, b []int32) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// PrefillResident returns the mean over heads of the resident keys before promptLen (the
// prefill entries a head can still attend to).
func PrefillResident(s runtime.ProbeSample) float64 {
	if s.Heads <= 0 {
		return 0
	}
	n := 0
	for i := range min(s.Heads*s.Cols, len(s.Positions)) {
		if p := s.Positions[i]; p >= 0 && int(p) < s.PromptLen {
			n++
		}
	}
	return float64(n) / float64(s.Heads)
}
