package sample

import (
	"errors"
	"math"
	"testing"
)

// coinSteps is the resolution at which measure sweeps the coin over [0,1).
const coinSteps = 1 << 16

// measure returns, for each token, the fraction of coins in [0,1) for which pick chooses it:
// the exact distribution the sampler draws from, up to 1/coinSteps.
func measure(s *Sampler, probs []float32) []float64 {
	got := make([]float64, len(probs))
	for i := range coinSteps {
		got[s.pick(probs, (float32(i)+0.5)/coinSteps)]++
	}
	for i := range got {
		got[i] /= coinSteps
	}
	return got
}

// dist runs Sample's steps on logits and measures the distribution of its choice.
func dist(t *testing.T, p Params, logits []float32, recent []int32) []float64 {
	t.Helper()
	s := New(p)
	if s.err != nil {
		t.Fatal(s.err)
	}
	x := append([]float32(nil), logits...)
	s.penalise(x, recent)
	if !sanitise(x) {
		t.Fatal("no candidates")
	}
	if p.Temperature == 0 {
		got := make([]float64, len(x))
		got[argmax(x)] = 1
		return got
	}
	return measure(s, s.distribution(x))
}

// logs returns float32 log weights, so that softmax gives w_i / sum(w).
func logs(w ...float64) []float32 {
	x := make([]float32, len(w))
	for i, v := range w {
		x[i] = float32(math.Log(v))
	}
	return x
}

// normalised returns w / sum(w).
func normalised(w ...float64) []float64 {
	var sum float64
	for _, v := range w {
		sum += v
	}
	out := make([]float64, len(w))
	for i, v := range w {
		out[i] = v / sum
	}
	return out
}

func expectDist(t *testing.T, got, want []float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-4 {
			t.Errorf("distribution %.5f, want %.5f", got, want)
			return
		}
	}
}

func TestTemperature(t *testing.T) {
	w := logs(1, 2, 3, 4)
	expectDist(t, dist(t, Params{Temperature: 1}, w, nil), normalised(1, 2, 3, 4))
	// Dividing the logits by T = 0.5 squares the weights; T = 2 takes their square roots.
	expectDist(t, dist(t, Params{Temperature: 0.5}, w, nil), normalised(1, 4, 9, 16))
	expectDist(t, dist(t, Params{Temperature: 2}, w, nil), normalised(1, math.Sqrt(2), math.Sqrt(3), 2))
	expectDist(t, dist(t, Params{}, w, nil), []float64{0, 0, 0, 1})
}

func TestTopK(t *testing.T) {
	w := logs(3, 1, 4, 2)
	expectDist(t, dist(t, Params{Temperature: 1, TopK: 2}, w, nil), normalised(3, 0, 4, 0))
	expectDist(t, dist(t, Params{Temperature: 1, TopK: 1}, w, nil), []float64{0, 0, 1, 0})
	expectDist(t, dist(t, Params{Temperature: 1, TopK: 4}, w, nil), normalised(3, 1, 4, 2))
	expectDist(t, dist(t, Params{Temperature: 1, TopK: 9}, w, nil), normalised(3, 1, 4, 2))
}

// TestTopPCutoff checks where the nucleus ends, on probabilities that float32 holds exactly:
// the nucleus ends at the first token whose cumulative probability exceeds top-p, so a sum
// equal to top-p takes one more token.
func TestTopPCutoff(t *testing.T) {
	probs := []float32{0.5, 0.25, 0.125, 0.125}
	s := New(Params{Temperature: 1, TopP: 0.75})
	expectDist(t, measure(s, probs), normalised(4, 2, 1, 0))
	s = New(Params{Temperature: 1, TopP: 0.7})
	expectDist(t, measure(s, probs), normalised(2, 1, 0, 0))
	s = New(Params{Temperature: 1, TopP: 0.4})
	expectDist(t, measure(s, probs), []float64{1, 0, 0, 0})
}

// TestTopPPrefilter checks llama2.c's pre-filter, which drops tokens below
// (1-top-p)/(n-1) before sorting: a token exactly at that bound stays, and the bound never
// removes a token of the nucleus.
func TestTopPPrefilter(t *testing.T) {
	// Bound (1-0.5)/4 = 0.125: the four tokens at 0.125 are kept and the first of them joins
	// the nucleus after the 0.5 token (0.5 does not exceed 0.5).
	s := New(Params{Temperature: 1, TopP: 0.5})
	expectDist(t, measure(s, []float32{0.5, 0.125, 0.125, 0.125, 0.125}), normalised(4, 1, 0, 0, 0))
	// Bound 0.25/3: the second token (0.1) belongs to the nucleus and must survive it.
	s = New(Params{Temperature: 1, TopP: 0.75})
	expectDist(t, measure(s, []float32{0.7, 0.1, 0.1, 0.1}), normalised(7, 1, 0, 0))
}

func TestTopPThroughSoftmax(t *testing.T) {
	// 0.4 + 0.3 = 0.7 exceeds 0.65: the nucleus is the two largest tokens.
	got := dist(t, Params{Temperature: 1, TopP: 0.65}, logs(1, 2, 3, 4), nil)
	expectDist(t, got, normalised(0, 0, 3, 4))
	// top-p 1 and 0 are off.
	expectDist(t, dist(t, Params{Temperature: 1, TopP: 1}, logs(1, 2, 3, 4), nil), normalised(1, 2, 3, 4))
}

// TestMinP checks the min-p filter: tokens below MinP times the largest probability go,
// a token exactly at that threshold stays.
func TestMinP(t *testing.T) {
	s := New(Params{MinP: 0.25})
	probs := []float32{0.5, 0.25, 0.125, 0.125}
	s.filterMinP(probs)
	expectDist(t, []float64{float64(probs[0]), float64(probs[1]), float64(probs[2]), float64(probs[3])},
		[]float64{0.5, 0.25, 0.125, 0.125})
	s = New(Params{MinP: 0.3})
	probs = []float32{0.5, 0.25, 0.125, 0.125}
	s.filterMinP(probs)
	expectDist(t, []float64{float64(probs[0]), float64(probs[1]), float64(probs[2]), float64(probs[3])},
		normalised(2, 1, 0, 0))
	// Through the whole sampler: weights 10, 4, 1.5, 1 with min-p 0.2 keep those >= 2.
	expectDist(t, dist(t, Params{Temperature: 1, MinP: 0.2}, logs(10, 4, 1.5, 1), nil), normalised(10, 4, 0, 0))
	expectDist(t, dist(t, Params{Temperature: 1, MinP: 0.09}, logs(10, 4, 1.5, 1), nil), normalised(10, 4, 1.5, 1))
}

func TestFiltersCombine(t *testing.T) {
	// Top-k 3 leaves 8, 4, 2 (of 14); min-p 0.3 then drops 2 (< 0.3*8/14*14 = 2.4); top-p 0.6
	// keeps 8/12 = 0.667 alone.
	p := Params{Temperature: 1, TopK: 3, MinP: 0.3}
	expectDist(t, dist(t, p, logs(1, 8, 2, 4), nil), normalised(0, 8, 0, 4))
	p.TopP = 0.6
	expectDist(t, dist(t, p, logs(1, 8, 2, 4), nil), []float64{0, 1, 0, 0})
}

// TestRepeatPenalty checks llama.cpp's rule: positive logits of recent tokens are divided
// by the penalty, negative ones multiplied, each distinct token once, within the last N.
func TestRepeatPenalty(t *testing.T) {
	s := New(Params{RepeatPenalty: 2, RepeatLastN: 64})
	x := []float32{2, -1, 1, 0.5, 3}
	s.penalise(x, []int32{0, 1, 0, 0, 7, -1})
	want := []float32{1, -2, 1, 0.5, 3}
	for i := range want {
		if x[i] != want[i] {
			t.Fatalf("penalised logits %v, want %v", x, want)
		}
	}
	s = New(Params{RepeatPenalty: 2, RepeatLastN: 2})
	x = []float32{2, -1, 1, 0.5}
	s.penalise(x, []int32{0, 1, 3, 2})
	if want := []float32{2, -1, 0.5, 0.25}; x[0] != want[0] || x[1] != want[1] || x[2] != want[2] || x[3] != want[3] {
		t.Fatalf("last 2 only: %v, want %v", x, want)
	}
	// The distribution after the penalty: weights e^1, e^-2, e^1, e^0.5.
	got := dist(t, Params{Temperature: 1, RepeatPenalty: 2, RepeatLastN: 64}, []float32{2, -1, 1, 0.5}, []int32{0, 1})
	expectDist(t, got, normalised(math.E, math.Exp(-2), math.E, math.Exp(0.5)))
	// Greedy: token 0 (logit 2) loses to token 4 (logit 1.5) once penalised.
	s = New(Params{RepeatPenalty: 1.5, RepeatLastN: 64})
	if id, err := s.Sample([]float32{2, 0, 0, 0, 1.5}, []int32{0}); err != nil || id != 4 {
		t.Errorf("greedy with penalty: %d %v, want 4", id, err)
	}
	// A penalty below 1 rewards: token 1's negative logit moves towards 0 and wins.
	s = New(Params{RepeatPenalty: 0.25, RepeatLastN: 64})
	if id, _ := s.Sample([]float32{-1, -2, -0.6}, []int32{1}); id != 1 {
		t.Errorf("penalty 0.25: %d, want 1", id)
	}
}

// TestSeed pins the xorshift generator llama2.c uses (values computed from its definition)
// and checks that a seed reproduces its draws.
func TestSeed(t *testing.T) {
	s := New(Params{Seed: 42})
	for i, want := range []uint32{1456360119, 3359763283, 3393612768} {
		if got := s.randomU32(); got != want {
			t.Fatalf("draw %d of seed 42: %d, want %d", i, got, want)
		}
	}
	draws := func(seed uint64) []int {
		s := New(Params{Temperature: 1, TopK: 40, TopP: 0.95, MinP: 0.05, RepeatPenalty: 1.1, RepeatLastN: 8, Seed: seed})
		var ids []int
		var recent []int32
		for range 200 {
			id, err := s.Sample(logs(1, 2, 3, 4, 5, 6, 7, 8), recent)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
			recent = append(recent, int32(id))
		}
		return ids
	}
	a, b, c := draws(7), draws(7), draws(8)
	same := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("seed 7 drew %d then %d at step %d", a[i], b[i], i)
		}
		if a[i] == c[i] {
			same++
		}
	}
	if same == len(a) {
		t.Error("seeds 7 and 8 drew the same 200 tokens")
	}
	if x, y := New(Params{Seed: 0}).randomU32(), New(Params{Seed: 1}).randomU32(); x != y {
		t.Errorf("seed 0 should act as seed 1: %d, %d", x, y)
	}
}

// TestSampleFrequencies draws with a fixed seed and compares the frequencies with the
// distribution: 40000 draws put each within 0.01 (more than 4 standard deviations).
func TestSampleFrequencies(t *testing.T) {
	for _, c := range []struct {
		p    Params
		want []float64
	}{
		{Params{Temperature: 1, Seed: 3}, normalised(1, 2, 3, 4)},
		{Params{Temperature: 1, TopP: 0.65, Seed: 5}, normalised(0, 0, 3, 4)},
		{Params{Temperature: 0.5, TopK: 3, Seed: 9}, normalised(0, 4, 9, 16)},
	} {
		s := New(c.p)
		got := make([]float64, 4)
		const n = 40000
		for range n {
			id, err := s.Sample(logs(1, 2, 3, 4), nil)
			if err != nil {
				t.Fatal(err)
			}
			got[id] += 1.0 / n
		}
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 0.01 {
				t.Errorf("%+v: frequencies %.4f, want %.4f", c.p, got, c.want)
				break
			}
		}
	}
}

func TestValidate(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	bad := []Params{{Temperature: nan}, {Temperature: inf}, {Temperature: -1}, {TopP: nan}, {TopP: 1.5},
		{TopP: -0.1}, {MinP: nan}, {MinP: 2}, {RepeatPenalty: nan}, {RepeatPenalty: inf},
		{RepeatPenalty: -1}, {TopK: -1}}
	for _, p := range bad {
		err := p.Validate()
		if !errors.Is(err, ErrInvalidParams) {
			t.Errorf("%+v: %v, want ErrInvalidParams", p, err)
		}
		if _, err2 := New(p).Sample([]float32{1, 2}, nil); !errors.Is(err2, ErrInvalidParams) {
			t.Errorf("%+v: Sample gave %v", p, err2)
		}
	}
	good := []Params{{}, {Temperature: 0.8, TopK: 40, TopP: 0.95, MinP: 0.05, RepeatPenalty: 1.1, RepeatLastN: -1},
		{TopP: 1, MinP: 1}}
	for _, p := range good {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
}
