package scope

import (
	"fmt"
	"math"
)

// SnapKVScores sums the attention of the observation window over the prompt keys:
// dst[j] = sum_i probs[i*n+j] for j < n-window. probs: (window, n), the causal softmax of
// the last window prompt queries over all n keys. Window keys are not scored (always kept).
func SnapKVScores(dst, probs []float32, window, n int) ([]float32, error) {
	if window < 0 || n < window || len(probs) < window*n {
		return dst, fmt.Errorf("%w: SnapKV scores need (%d, %d) probabilities, got %d", ErrConfig, window, n, len(probs))
	}
	m := n - window
	dst = resize(dst, m)
	for j := range dst {
		dst[j] = 0
	}
	for i := range window {
		row := probs[i*n : i*n+m]
		for j, v := range row {
			dst[j] += v
		}
	}
	return dst, nil
}

// Pool1D smooths src over a window of kernel positions centred on each position (stride 1,
// padding kernel/2; kernel is odd). Max pooling ignores the padding; average pooling counts
// it as zeros (divides by kernel), as torch's avg_pool1d does by default.
func Pool1D(dst, src []float32, kernel int, kind Pooling) []float32 {
	dst = resize(dst, len(src))
	half := kernel / 2
	for i := range src {
		lo, hi := max(0, i-half), min(len(src), i+half+1)
		if kind == PoolMax {
			m := float32(math.Inf(-1))
			for _, v := range src[lo:hi] {
				m = max32(m, v)
			}
			dst[i] = m
			continue
		}
		var s float32
		for _, v := range src[lo:hi] {
			s += v
		}
		dst[i] = s / float32(kernel)
	}
	return dst
}

// TopK appends to dst the indices of the k largest scores, in increasing index order. Ties
// go to the lower index; NaN counts as -Inf. k is clamped to [0, len(scores)].
func TopK(dst []int32, scores []float32, k int) []int32 {
	k = min(max(k, 0), len(scores))
	var sel selector
	for i, v := range scores {
		sel.add(v, int32(i), -1)
	}
	sel.keepBest(k)
	return appendSortedPositions(dst, sel.c[:k])
}

// KeepScored appends to dst the prompt positions (0..n-1) a scoring prefill method keeps
// under budget: every position when n <= budget, else the top budget-window positions of
// scores[:n-window] plus the last window positions. The result is in increasing order.
func KeepScored(dst []int32, scores []float32, n, budget, window int) []int32 {
	if n <= budget {
		return appendRange(dst, 0, n)
	}
	dst = TopK(dst, scores[:n-window], budget-window)
	return appendRange(dst, n-window, n)
}

// KeepStreaming appends to dst the positions StreamingLLM keeps: every position when
// n <= budget, else the first budget-window and the last window positions.
func KeepStreaming(dst []int32, n, budget, window int) []int32 {
	if n <= budget {
		return appendRange(dst, 0, n)
	}
	dst = appendRange(dst, 0, budget-window)
	return appendRange(dst, n-window, n)
}

// PyramidBudgets returns PyramidKV's per-layer entry counts (window included) for a prompt
// of n tokens: all n when n < P; P in every layer when n < 2(P-w); else a
// pyramid from max+w (layer 0) down in steps of (max-min) div L, with min = (P-w) div beta
// and max = 2(P-w) - min (both moved so that max <= n-w).
func PyramidBudgets(n, p, w, beta, layers int) []int {
	out := make([]int, layers)
	if n < p {
		fill(out, n)
		return out
	}
	if n < 2*(p-w) {
		fill(out, p)
		return out
	}
	lo := (p - w) / beta
	hi := 2*(p-w) - lo
	if hi >= n-w {
		hi = n - w
		lo = 2*(p-w) - hi
	}
	step := (hi - lo) / layers
	for l := range out {
		out[l] = hi - l*step + w
	}
	return out
}

// PrefillBudgets returns P_l, the prompt entries each layer keeps for a prompt of n tokens:
// the real counts, not the nominal P (n when the prompt is shorter than the budget).
func (c Config) PrefillBudgets(n, layers int) []int {
	if c.Prefill == PrefillPyramidKV {
		return PyramidBudgets(n, c.PrefillBudget, c.Window, c.PyramidBeta, layers)
	}
	out := make([]int, layers)
	if c.Prefill == PrefillFull {
		fill(out, n)
	} else {
		fill(out, min(n, c.PrefillBudget))
	}
	return out
}

func fill(s []int, v int) {
	for i := range s {
		s[i] = v
	}
}

func appendRange(dst []int32, lo, hi int) []int32 {
	for i := lo; i < hi; i++ {
		dst = append(dst, int32(i))
	}
	return dst
}

func resize(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

func max32(a, b float32) float32 {
	if b > a {
		return b
	}
	return a
}
