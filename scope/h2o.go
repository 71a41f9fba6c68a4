package scope

import "fmt"

// H2OAccumulator sums causal attention per prompt key over all prompt queries, chunk by
// chunk: score[j] = sum over queries i >= j of softmax_i(j). Every row is causally masked
// (the reference masks only the last w rows, so earlier queries also see future keys).
// One accumulator serves one layer; the runtime feeds each chunk's probabilities (or
// column sums) for every query head.
type H2OAccumulator struct {
	heads, n int
	sums     []float64 // (heads, n); float64 so long prompts do not lose small terms
}

// NewH2OAccumulator prepares sums for heads query heads over n prompt positions.
func NewH2OAccumulator(heads, n int) (*H2OAccumulator, error) {
	if heads <= 0 || n < 0 {
		return nil, fmt.Errorf("%w: H2O accumulator of %d heads over %d positions", ErrConfig, heads, n)
	}
	return &H2OAccumulator{heads: heads, n: n, sums: make([]float64, heads*n)}, nil
}

// AddColumnSums adds per-key sums of one chunk's probabilities: colSums[j] for keys
// 0..len(colSums)-1. The caller is responsible for having masked future keys.
func (a *H2OAccumulator) AddColumnSums(head int, colSums []float32) error {
	if head < 0 || head >= a.heads || len(colSums) > a.n {
		return fmt.Errorf("%w: column sums for head %d over %d keys (accumulator %dx%d)",
			ErrConfig, head, len(colSums), a.heads, a.n)
	}
	row := a.sums[head*a.n:]
	for j, v := range colSums {
		row[j] += float64(v)
	}
	return nil
}

// AddProbs adds a chunk of probabilities of one head: probs is (rows, cols) row-major, row
// r belongs to the query at prompt position q0+r and column j to key j. Keys after a
// row's query are skipped, so the sums stay causal whatever the chunk holds there.
func (a *H2OAccumulator) AddProbs(head int, probs []float32, rows, cols, q0 int) error {
	if head < 0 || head >= a.heads || rows < 0 || cols < 0 || cols > a.n || q0 < 0 || len(probs) < rows*cols {
		return fmt.Errorf("%w: probabilities (%d, %d) at query %d for head %d (accumulator %dx%d, %d values)",
			ErrConfig, rows, cols, q0, head, a.heads, a.n, len(probs))
	}
	row := a.sums[head*a.n:]
	for r := range rows {
		visible := min(cols, q0+r+1)
		for j, v := range probs[r*cols : r*cols+visible] {
			row[j] += float64(v)
		}
	}
	return nil
}

// Scores returns the accumulated scores, (heads, n) row-major, in dst when it is large enough.
func (a *H2OAccumulator) Scores(dst []float32) []float32 {
	dst = resize(dst, len(a.sums))
	for i, v := range a.sums {
		dst[i] = float32(v)
	}
	return dst
}

// Len returns the number of prompt positions.
func (a *H2OAccumulator) Len() int { return a.n }
