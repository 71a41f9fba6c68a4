// Package sample picks the next token from logits. With only temperature and top-p set it
// reproduces llama2.c's sampler exactly (same RNG, same float32 arithmetic, same order), so
// seeded runs match its published outputs.
//
// Non-finite logits have a defined meaning instead of a panic: a NaN logit is never chosen
// (it counts as -Inf); when some logits are +Inf (in the model's output or after dividing by
// a tiny temperature) the choice is uniform among them (greedy takes the first); when
// dividing by a tiny temperature takes every logit to -Inf the largest logit is taken; when
// no logit is above -Inf (after the repetition penalty) there is nothing to choose and Sample
// returns ErrNoCandidates.
package sample

import (
	"errors"
	"math"
	"sort"
)

var (
	// ErrInvalidParams marks Params that Validate rejects.
	ErrInvalidParams = errors.New("invalid sampling parameters")
	// ErrNoCandidates means every logit was NaN or -Inf (or there were none).
	ErrNoCandidates = errors.New("no token to sample: every logit is NaN or -Inf")
)

// Params configures a Sampler. The zero value of each filter disables it.
type Params struct {
	Temperature   float32 // 0 = greedy (argmax)
	TopK          int     // keep the K most likely tokens (0 = off)
	TopP          float32 // nucleus threshold in (0,1) (0 or 1 = off)
	MinP          float32 // drop tokens below MinP * max probability, in [0,1] (0 = off)
	RepeatPenalty float32 // > 1 penalises recent tokens (0 or 1 = off)
	RepeatLastN   int     // how many recent tokens the penalty looks at (< 0 = all)
	Seed          uint64
}

// Sampler draws tokens; it is deterministic for a given seed and history.
type Sampler struct {
	p     Params
	err   error // from p.Validate, returned by every Sample
	rng   uint64
	probs []float32
	cands []candidate
}

type candidate struct {
	id   int
	prob float32
}

// New returns a sampler; a zero seed is replaced by 1 (xorshift has no zero state). Invalid
// parameters make every Sample fail with ErrInvalidParams.
func New(p Params) *Sampler {
	s := &Sampler{p: p, rng: p.Seed, err: p.Validate()}
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

// Sample returns the next token id, in [0, len(logits)). logits is modified in place.
// recent holds the previous tokens (for the repetition penalty). The error wraps
// ErrInvalidParams or ErrNoCandidates.
func (s *Sampler) Sample(logits []float32, recent []int32) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	s.penalise(logits, recent)
	if !sanitise(logits) {
		return 0, ErrNoCandidates
	}
	if s.p.Temperature == 0 {
		return argmax(logits), nil
	}
	probs := s.distribution(logits)
	return s.pick(probs, s.randomF32()), nil
}

// distribution turns logits into the probabilities the coin is drawn against, after
// temperature, top-k and min-p.
func (s *Sampler) distribution(logits []float32) []float32 {
	if cap(s.probs) < len(logits) {
		s.probs = make([]float32, len(logits))
	}
	probs := s.probs[:len(logits)]
	for i, v := range logits {
		probs[i] = v / s.p.Temperature
	}
	// A tiny temperature can overflow finite logits to ±Inf. Some at +Inf share the choice;
	// all at -Inf means the division lost every difference, and the limit is greedy.
	if !sanitise(probs) {
		clear(probs)
		probs[argmax(logits)] = 1
		return probs
	}
	softmax(probs)
	s.filterTopK(probs)
	s.filterMinP(probs)
	return probs
}

// pick draws from probs with coin in [0,1): through the nucleus when top-p is on.
func (s *Sampler) pick(probs []float32, coin float32) int {
	if s.p.TopP <= 0 || s.p.TopP >= 1 {
		return sampleMult(probs, coin)
	}
	return s.sampleTopP(probs, coin)
}

// sanitise gives non-finite logits their documented meaning in place, leaving finite ones
// untouched when there is no +Inf: NaN becomes -Inf; if any value is +Inf, those become 0
// and all others -Inf. It reports whether any value is above -Inf.
func sanitise(x []float32) bool {
	posInf, live := false, false
	for i, v := range x {
		switch {
		case v != v:
			x[i] = float32(math.Inf(-1))
		case math.IsInf(float64(v), 1):
			posInf = true
		}
		live = live || x[i] > float32(math.Inf(-1))
	}
	if posInf {
		for i, v := range x {
			if math.IsInf(float64(v), 1) {
				x[i] = 0
			} else {
				x[i] = float32(math.Inf(-1))
			}
		}
	}
	return live
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
// Where llama2.c's pre-filter would drop every token (a vocabulary of one, or top-p below
// 1/n with a flat distribution) it keeps them all.
func (s *Sampler) sampleTopP(probs []float32, coin float32) int {
	cutoff := float32(0)
	if len(probs) > 1 {
		cutoff = (1 - s.p.TopP) / float32(len(probs)-1)
	}
	s.cands = s.cands[:0]
	for i, p := range probs {
		if p >= cutoff {
			s.cands = append(s.cands, candidate{i, p})
		}
	}
	if len(s.cands) == 0 {
		for i, p := range probs {
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
	fallback := s.cands[0].id
	for _, c := range s.cands[:last+1] {
		cdf += c.prob
		if r < cdf {
			return c.id
		}
		if c.prob > 0 {
			fallback = c.id
		}
	}
	return fallback // r rounded up to cum: the last token with a nonzero probability
}

// sampleMult draws from probs by inverse CDF; float32 rounding can leave the coin above the
// last partial sum, and then the last token with a nonzero probability is taken.
func sampleMult(probs []float32, coin float32) int {
	var cdf float32
	last := 0
	for i, p := range probs {
		cdf += p
		if coin < cdf {
			return i
		}
		if p > 0 {
			last = i
		}
	}
	return last
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
