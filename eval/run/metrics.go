package run

import (
	"errors"
	"fmt"
	"math"
)

// ErrInput reports malformed input to a metric (mismatched or empty distributions).
var ErrInput = errors.New("run: bad input")

// Argmax returns the index of the largest logit; ties go to the lower index and NaN never
// wins. It returns -1 for an empty slice.
func Argmax(logits []float32) int {
	best := -1
	for i, v := range logits {
		if v != v {
			continue
		}
		if best < 0 || v > logits[best] {
			best = i
		}
	}
	if best < 0 && len(logits) > 0 {
		return 0
	}
	return best
}

// LogSoftmax writes log(softmax(logits)) into dst (grown as needed) in float64, stable for
// large logits.
func LogSoftmax(dst []float64, logits []float32) []float64 {
	dst = append(dst[:0], make([]float64, len(logits))...)
	if len(logits) == 0 {
		return dst
	}
	mx := math.Inf(-1)
	for _, v := range logits {
		mx = math.Max(mx, float64(v))
	}
	var sum float64
	for _, v := range logits {
		sum += math.Exp(float64(v) - mx)
	}
	lse := mx + math.Log(sum)
	for i, v := range logits {
		dst[i] = float64(v) - lse
	}
	return dst
}

// KL returns the Kullback-Leibler divergence KL(p||q) in nats of the next-token
// distributions softmax(p) and softmax(q), given as logits. p is the reference (the full
// cache), q the approximation (a policy). Terms where p is zero add nothing.
func KL(p, q []float32) (float64, error) {
	if len(p) != len(q) || len(p) == 0 {
		return 0, fmt.Errorf("%w: logits of lengths %d and %d", ErrInput, len(p), len(q))
	}
	lp := LogSoftmax(nil, p)
	lq := LogSoftmax(nil, q)
	return klLog(lp, lq), nil
}

// klLog is KL(p||q) from log-probabilities.
func klLog(lp, lq []float64) float64 {
	var kl float64
	for i, a := range lp {
		if math.IsInf(a, -1) {
			continue
		}
		kl += math.Exp(a) * (a - lq[i])
	}
	return math.Max(kl, 0) // rounding can leave a tiny negative for equal distributions
}

// Agreement compares a policy's greedy tokens with the full cache's. Prefix is the number
// of leading tokens that match (up to the first divergence); Overall the fraction of the
// reference's positions whose token matches at the same position (tokens the policy did
// not produce count as mismatches, tokens past the reference are ignored). An empty
// reference agrees fully.
type Agreement struct {
	Prefix  int     `json:"prefix"`
	Overall float64 `json:"overall"`
}

// Agree computes the agreement of got with the reference want.
func Agree(want, got []int32) Agreement {
	if len(want) == 0 {
		return Agreement{Overall: 1}
	}
	a := Agreement{Prefix: -1}
	same := 0
	for i, w := range want {
		match := i < len(got) && got[i] == w
		if match {
			same++
		} else if a.Prefix < 0 {
			a.Prefix = i
		}
	}
	if a.Prefix < 0 {
		a.Prefix = len(want)
	}
	a.Overall = float64(same) / float64(len(want))
	return a
}

// PrefixFraction returns Prefix as a fraction of the reference length (1 when empty).
func (a Agreement) PrefixFraction(refLen int) float64 {
	if refLen == 0 {
		return 1
	}
	return float64(a.Prefix) / float64(refLen)
}
