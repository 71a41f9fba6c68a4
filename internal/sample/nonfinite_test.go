package sample

import (
	"errors"
	"math"
	"testing"
)

var (
	nan    = float32(math.NaN())
	posInf = float32(math.Inf(1))
	negInf = float32(math.Inf(-1))
)

var samplerConfigs = []Params{
	{},
	{Temperature: 1},
	{Temperature: 0.8, TopP: 0.9},
	{Temperature: 0.8, TopK: 2, MinP: 0.05},
	{Temperature: 1e-30},
	{Temperature: 1, RepeatPenalty: 1.3, RepeatLastN: 4},
}

// sampleAll draws 50 tokens with each configuration from fresh copies of logits.
func sampleAll(t *testing.T, logits []float32, check func(p Params, id int)) {
	t.Helper()
	for i, p := range samplerConfigs {
		p.Seed = uint64(i + 1)
		s := New(p)
		for range 50 {
			id, err := s.Sample(append([]float32(nil), logits...), []int32{1, 2})
			if err != nil {
				t.Fatalf("%+v: %v", p, err)
			}
			check(p, id)
		}
	}
}

func TestNaNLogitsNeverChosen(t *testing.T) {
	logits := []float32{nan, 0.5, nan, 0.1, nan}
	sampleAll(t, logits, func(p Params, id int) {
		if id != 1 && id != 3 {
			t.Fatalf("%+v chose NaN token %d", p, id)
		}
	})
}

func TestPosInfLogitsShareTheChoice(t *testing.T) {
	logits := []float32{1, posInf, 3, posInf, nan}
	seen := map[int]int{}
	sampleAll(t, logits, func(p Params, id int) {
		if id != 1 && id != 3 {
			t.Fatalf("%+v chose %d, not a +Inf token", p, id)
		}
		if p.Temperature > 0 {
			seen[id]++
		}
	})
	if seen[1] == 0 || seen[3] == 0 {
		t.Errorf("sampling among two +Inf tokens chose %v", seen)
	}
}

func TestNoCandidates(t *testing.T) {
	for _, logits := range [][]float32{{}, {nan}, {nan, negInf, nan}} {
		for _, p := range samplerConfigs {
			if _, err := New(p).Sample(logits, nil); !errors.Is(err, ErrNoCandidates) {
				t.Errorf("%v %+v: %v, want ErrNoCandidates", logits, p, err)
			}
		}
	}
}

// TestTinyTemperature: dividing by a tiny temperature overflows the largest logits to +Inf;
// the choice is then among them, like greedy.
func TestTinyTemperature(t *testing.T) {
	s := New(Params{Temperature: 1e-38, Seed: 1})
	for range 20 {
		if id, err := s.Sample([]float32{1, 5, -3, 2}, nil); err != nil || id != 1 {
			t.Fatalf("%d %v, want 1", id, err)
		}
	}
	// Every logit overflows to -Inf: the largest one is taken.
	s = New(Params{Temperature: 3e-39, TopK: 7, Seed: 1})
	for range 20 {
		if id, err := s.Sample([]float32{-4e12, nan, -3e12}, nil); err != nil || id != 2 {
			t.Fatalf("%d %v, want 2", id, err)
		}
	}
}

// TestTopPEdgeCases covers inputs where llama2.c's pre-filter keeps no token.
func TestTopPEdgeCases(t *testing.T) {
	s := New(Params{Temperature: 1, TopP: 0.5})
	if id, err := s.Sample([]float32{3}, nil); err != nil || id != 0 {
		t.Errorf("one token: %d %v", id, err)
	}
	// Flat over 4 with top-p 0.1: the bound 0.3 is above every probability.
	s = New(Params{Temperature: 1, TopP: 0.1})
	expectDist(t, measure(s, []float32{0.25, 0.25, 0.25, 0.25}), []float64{1, 0, 0, 0})
}
