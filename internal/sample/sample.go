// Package sample picks the next token from logits. With only temperature and top-p set it
// reproduces llama2.c's sampler exactly (same RNG, same float32 arithmetic, same order), so
// seeded runs match its published outputs.
package sample

import (
	"math"
	"sort"
)

// Params configures a Sampler. The zero value of each filter disables it.
type Params struct {
	Temperature   float32 // 0 = greedy (argmax)
	TopK          int     // keep the K most likely tokens (0 = off)
	TopP          float32 // nucleus threshold in (0,1) (0 or >= 1 = off)
	MinP          float32 // drop tokens below MinP * max probability (0 = off)
	RepeatPenalty float32 // > 1 penalises recent tokens (0 or 1 = off)
	RepeatLastN   int     // how many recent tokens the penalty looks at
	Seed          uint64
}

// Sampler draws tokens; it is deterministic for a given seed and history.
type Sampler struct {
	p     Params
	rng   uint64
	probs []float32
	cands []candidate
}

type candidate struct {
	id   int
	prob float32
}

// New returns a sampler; a zero seed is replaced by 1 (xorshift has no zero state).
func New(p Params) *Sampler {
	s := &Sampler{p: p, rng: p.Seed}
	if s.rng == 0 {
		s.rng = 1
	}
	return s
}

func (s *Sampler) randomU32() uint32 {
	s.rng ^= s.rng >> 12
	s.rng ^= s.rng << 25
	s.rng ^= s.rng >> 27
	return uint32((s.rng * 0x2545F4914F6CDD1D) >> 32)
}

func (s *Sampler) randomF32() float32 { return float32(s.randomU32()>>8) / 16777216.0 }

// Sample returns the next token id. logits is modified in place. recent holds the previous
// tokens (for the repetition penalty).
func (s *Sampler) Sample(logits []float32, recent []int32) int {
	s.penalise(logits, recent)
	if s.p.Temperature == 0 {
		return argmax(logits)
	}
	if cap(s.probs) < len(logits) {
		s.probs = make([]float32, len(logits))
	}
	probs := s.probs[:len(logits)]
	for i, v := range logits {
		probs[i] = v / s.p.Temperature
	}
	softmax(probs)
	s.filterTopK(probs)
	s.filterMinP(probs)
	coin := s.randomF32()
	if s.p.TopP <= 0 || s.p.TopP >= 1 {
		return sampleMult(probs, coin)
	}
	return s.sampleTopP(probs, coin)
}

// penalise applies llama.cpp's repetition penalty: positive logits are divided, negative
// ones multiplied, once per distinct recent token.
func (s *Sampler) penalise(logits []float32, recent []int32) {
	if s.p.RepeatPenalty == 0 || s.p.RepeatPenalty == 1 || s.p.RepeatLastN == 0 {
		return
	}
	if n := s.p.RepeatLastN; n > 0 && len(recent) > n {
		recent = recent[len(recent)-n:]
	}
	seen := make(map[int32]bool, len(recent))
	for _, id := range recent {
		if seen[id] || id < 0 || int(id) >= len(logits) {
			continue
		}
		seen[id] = true
		if logits[id] > 0 {
			logits[id] /= s.p.RepeatPenalty
		} else {
			logits[id] *= s.p.RepeatPenalty
		}
	}
}

func (s *Sampler) filterTopK(probs []float32) {
	k := s.p.TopK
	if k <= 0 || k >= len(probs) {
		return
	}
	s.cands = s.cands[:0]
	for i, p := range probs {
		s.cands = append(s.cands, candidate{i, p})
	}
	sort.SliceStable(s.cands, func(a, b int) bool { return s.cands[a].prob > s.cands[b].prob })
	for _, c := range s.cands[k:] {
		probs[c.id] = 0
	}
	renormalise(probs)
}

func (s *Sampler) filterMinP(probs []float32) {
	if s.p.MinP <= 0 {
		return
	}
	var maxp float32
	for _, p := range probs {
		maxp = max(maxp, p)
	}
	cut := s.p.MinP * maxp
	for i, p := range probs {
		if p < cut {
			probs[i] = 0
		}
	}
	renormalise(probs)
}

// sampleTopP is llama2.c's sample_topp: drop tokens that cannot be in the nucleus, sort by
// probability, cut after the cumulative probability first exceeds topp, draw from the rest.
func (s *Sampler) sampleTopP(probs []float32, coin float32) int {
	cutoff := (1 - s.p.TopP) / float32(len(probs)-1)
	s.cands = s.cands[:0]
	for i, p := range probs {
		if p >= cutoff {
			s.cands = append(s.cands, candidate{i, p})
		}
	}
	sort.SliceStable(s.cands, func(a, b int) bool { return s.cands[a].prob > s.cands[b].prob })
	var cum float32
	last := len(s.cands) - 1
	for i, c := range s.cands {
		cum += c.prob
		if cum > s.p.TopP {
			last = i
			break
		}
	}
	r := coin * cum
	var cdf float32
	for _, c := range s.cands[:last+1] {
		cdf += c.prob
		if r < cdf {
			return c.id
		}
	}
	return s.cands[last].id
}

func sampleMult(probs []float32, coin float32) int {
	var cdf float32
	for i, p := range probs {
		cdf += p
		if coin < cdf {
			return i
		}
	}
	return len(probs) - 1
}

func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

func softmax(x []float32) {
	maxv := x[0]
	for _, v := range x[1:] {
		maxv = max(maxv, v)
	}
	var sum float32
	for i, v := range x {
		x[i] = float32(math.Exp(float64(v - maxv)))
		sum += x[i]
	}
	for i := range x {
		x[i] /= sum
	}
}

func renormalise(p []float32) {
	var sum float32
	for _, v := range p {
		sum += v
	}
	if sum > 0 {
		for i := range p {
			p[i] /= sum
		}
	}
}
