package scope

import (
	"math"
	"math/bits"
	"slices"
)

// cand is one selectable entry: its score, logical position and physical slot.
type cand struct {
	score float32
	pos   int32
	slot  int32
}

// better ranks a above b: higher score first; equal scores go to the lower position (the
// older entry). Scores are normalised by add, so NaN never reaches here.
func better(a, b cand) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.pos < b.pos
}

func compareCands(a, b cand) int {
	switch {
	case better(a, b):
		return -1
	case better(b, a):
		return 1
	}
	return 0
}

// selector partitions candidates into kept and evicted without allocating once warm.
type selector struct{ c []cand }

func (s *selector) reset() { s.c = s.c[:0] }

// add appends a candidate; a NaN score counts as -Inf.
func (s *selector) add(score float32, pos, slot int32) {
	if score != score {
		score = float32(math.Inf(-1))
	}
	s.c = append(s.c, cand{score, pos, slot})
}

// keepBest reorders the candidates so that the k best come first, in no particular order.
// Small evictions (the steady state of per-step policies) use repeated minimum search;
// larger ones a deterministic quickselect.
func (s *selector) keepBest(k int) {
	c := s.c
	n := len(c)
	if k <= 0 || k >= n {
		return
	}
	if e := n - k; e <= 16 {
		for i := range e {
			last := n - 1 - i
			w := last
			for j := range last {
				if better(c[w], c[j]) {
					w = j
				}
			}
			c[w], c[last] = c[last], c[w]
		}
		return
	}
	quickselect(c, k)
}

// quickselect places the k best candidates first (k-th boundary in place); it falls back
// to sorting when partitions stay unbalanced for too long.
func quickselect(c []cand, k int) {
	lo, hi := 0, len(c) // the boundary k lies in [lo, hi)
	budget := 2*bits.Len(uint(len(c))) + 8
	for hi-lo > 16 {
		if budget == 0 {
			slices.SortFunc(c[lo:hi], compareCands)
			return
		}
		budget--
		p := partition(c[lo:hi]) + lo
		switch {
		case p == k:
			return
		case p < k:
			lo = p + 1
		default:
			hi = p
		}
	}
	slices.SortFunc(c[lo:hi], compareCands)
}

// partition moves a median-of-three pivot to its final rank within c and returns it.
func partition(c []cand) int {
	n := len(c)
	mid := n / 2
	if better(c[mid], c[0]) {
		c[mid], c[0] = c[0], c[mid]
	}
	if better(c[n-1], c[0]) {
		c[n-1], c[0] = c[0], c[n-1]
	}
	if better(c[n-1], c[mid]) {
		c[n-1], c[mid] = c[mid], c[n-1]
	}
	// c[0] >= c[mid] >= c[n-1] in rank; use c[mid] as the pivot, parked at n-1
	c[mid], c[n-1] = c[n-1], c[mid]
	pivot := c[n-1]
	store := 0
	for i := range n - 1 {
		if better(c[i], pivot) {
			c[i], c[store] = c[store], c[i]
			store++
		}
	}
	c[store], c[n-1] = c[n-1], c[store]
	return store
}

// appendSortedPositions appends the positions of cs to dst in increasing order.
func appendSortedPositions(dst []int32, cs []cand) []int32 {
	start := len(dst)
	for _, x := range cs {
		dst = append(dst, x.pos)
	}
	slices.Sort(dst[start:])
	return dst
}
