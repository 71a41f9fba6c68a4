package scope

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

func closeTo(a, b []float32, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > tol {
			return false
		}
	}
	return true
}

func TestSnapKVScores(t *testing.T) {
	probs := []float32{
		0.1, 0.2, 0.3, 0.4, 0.0,
		0.0, 0.1, 0.2, 0.3, 0.4,
	}
	got, err := SnapKVScores(nil, probs, 2, 5)
	if err != nil || !closeTo(got, []float32{0.1, 0.3, 0.5}, 1e-6) {
		t.Errorf("SnapKVScores = %v, %v; want [0.1 0.3 0.5]", got, err)
	}
	if _, err := SnapKVScores(nil, probs[:9], 2, 5); err == nil {
		t.Error("short probabilities accepted")
	}
}

func TestPool1D(t *testing.T) {
	src := []float32{1, 5, 2, 0, 3}
	if got := Pool1D(nil, src, 3, PoolMax); !closeTo(got, []float32{5, 5, 5, 3, 3}, 0) {
		t.Errorf("max pool = %v", got)
	}
	want := []float32{6.0 / 3, 8.0 / 3, 7.0 / 3, 5.0 / 3, 3.0 / 3} // padding counts as zeros
	if got := Pool1D(nil, src, 3, PoolAvg); !closeTo(got, want, 1e-6) {
		t.Errorf("avg pool = %v, want %v", got, want)
	}
	if got := Pool1D(nil, src, 1, PoolMax); !closeTo(got, src, 0) {
		t.Errorf("kernel 1 = %v, want the input", got)
	}
}

func TestTopKEncodedPositions(t *testing.T) {
	scores := make([]float32, 23)
	for i := range scores {
		scores[i] = float32(i) * 0.01 // score encodes the position
	}
	if got := TopK(nil, scores, 5); !slices.Equal(got, []int32{18, 19, 20, 21, 22}) {
		t.Errorf("TopK rising scores = %v", got)
	}
	if got := TopK(nil, []float32{1, 1, 1, 0}, 2); !slices.Equal(got, []int32{0, 1}) {
		t.Errorf("TopK ties = %v, want the lower positions [0 1]", got)
	}
	nan := float32(math.NaN())
	if got := TopK(nil, []float32{nan, 0.5, 0.1}, 2); !slices.Equal(got, []int32{1, 2}) {
		t.Errorf("TopK with NaN = %v, want [1 2]", got)
	}
	if got := TopK([]int32{99}, scores, 40); len(got) != 24 || got[0] != 99 {
		t.Errorf("TopK k > n must keep dst's prefix and clamp: %v", got)
	}
}

// TestTopKAgainstSort checks the quickselect paths (small and large evictions) on odd
// sizes with many ties against a full sort.
func TestTopKAgainstSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for _, n := range []int{1, 7, 17, 33, 257, 1001} {
		scores := make([]float32, n)
		for i := range scores {
			scores[i] = float32(rng.IntN(n/3 + 1)) // many ties
		}
		for _, k := range []int{0, 1, n / 2, n - 17, n - 1, n} {
			k = max(k, 0)
			idx := make([]int32, n)
			for i := range idx {
				idx[i] = int32(i)
			}
			sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
			want := slices.Clone(idx[:k])
			slices.Sort(want)
			if got := TopK(nil, scores, k); !slices.Equal(got, want) {
				t.Fatalf("n=%d k=%d: TopK = %v, want %v", n, k, got, want)
			}
		}
	}
}

func TestKeepRules(t *testing.T) {
	// scores are a permutation: position j scores (j*7)%20
	scores := make([]float32, 20)
	for j := range scores {
		scores[j] = float32(j * 7 % 20)
	}
	// scores of 0..16: 0 7 14 1 8 15 2 9 16 3 10 17 4 11 18 5 12 -> best 5: 14(18) 11(17) 8(16) 5(15) 2(14)
	got := KeepScored(nil, scores, 20, 8, 3)
	if want := []int32{2, 5, 8, 11, 14, 17, 18, 19}; !slices.Equal(got, want) {
		t.Errorf("KeepScored = %v, want %v", got, want)
	}
	if got := KeepScored(nil, scores, 20, 20, 3); len(got) != 20 {
		t.Errorf("budget >= n must keep all, got %v", got)
	}
	if got := KeepStreaming(nil, 10, 6, 2); !slices.Equal(got, []int32{0, 1, 2, 3, 8, 9}) {
		t.Errorf("KeepStreaming = %v", got)
	}
}

func TestPyramidBudgets(t *testing.T) {
	// spec §2.3 worked example: P=2048, w=8, L=32, prompt long enough for the pyramid
	b := PyramidBudgets(4080, 2048, 8, 20, 32)
	if b[0] != 3978+8 || b[31] != 227+8 || b[0]-b[1] != 121 {
		t.Errorf("pyramid layer 0 %d, layer 31 %d, step %d; want 3986, 235, 121", b[0], b[31], b[0]-b[1])
	}
	sum := 0
	for _, v := range b {
		sum += v
	}
	if mean := float64(sum) / 32; math.Abs(mean-2110.5) > 0.01 {
		t.Errorf("mean layer budget %.2f, want 2110.5 (L, not L-1, divides)", mean)
	}
	if b := PyramidBudgets(4079, 2048, 8, 20, 32); b[0] != 2048 || b[31] != 2048 {
		t.Errorf("N < 2(P-w) must be SnapKV with P: %v", b[:2])
	}
	if b := PyramidBudgets(2000, 2048, 8, 20, 32); b[5] != 2000 {
		t.Errorf("N < P must keep all: %v", b[:2])
	}
	// max clamped to N-w: P=20, w=4, beta=20, N=34 -> max 30, min 2, step 7
	if b := PyramidBudgets(34, 20, 4, 20, 4); !slices.Equal(b, []int{34, 27, 20, 13}) {
		t.Errorf("clamped pyramid = %v, want [34 27 20 13]", b)
	}
}

func TestH2OAccumulatorCausal(t *testing.T) {
	a, err := NewH2OAccumulator(2, 4)
	if err != nil {
		t.Fatal(err)
	}
	// chunk 1: queries 0 and 1 over keys 0..3; future keys carry 9s that must be ignored
	chunk := []float32{
		1, 9, 9, 9,
		0.25, 0.75, 9, 9,
	}
	if err := a.AddProbs(1, chunk, 2, 4, 0); err != nil {
		t.Fatal(err)
	}
	// chunk 2 as column sums of queries 2 and 3
	if err := a.AddColumnSums(1, []float32{0.5, 0.5, 0.5, 0.5}); err != nil {
		t.Fatal(err)
	}
	got := a.Scores(nil)
	want := []float32{0, 0, 0, 0, 1.75, 1.25, 0.5, 0.5}
	if !closeTo(got, want, 1e-6) {
		t.Errorf("scores %v, want %v", got, want)
	}
	if err := a.AddColumnSums(2, nil); err == nil {
		t.Error("head out of range accepted")
	}
	if err := a.AddProbs(0, chunk, 3, 4, 0); err == nil {
		t.Error("short chunk accepted")
	}
}
