package runtime

import "github.com/scopekv/scope/internal/sample"

// params converts the public sampling options, filling in defaults.
func (p Sampling) params() sample.Params {
	if p.RepeatLastN == 0 {
		p.RepeatLastN = 64
	}
	return sample.Params{Temperature: p.Temperature, TopK: p.TopK, TopP: p.TopP, MinP: p.MinP,
		RepeatPenalty: p.RepeatPenalty, RepeatLastN: p.RepeatLastN, Seed: p.Seed}
}

// validate rejects NaN, infinite and out-of-range values before any work is done; the
// error wraps ErrBadConfig.
func (p Sampling) validate() error {
	if err := p.params().Validate(); err != nil {
		return badConfig{err}
	}
	return nil
}

// ErrNoCandidates is returned by Generate when the model's logits leave nothing to sample:
// every one is NaN or -Inf. NaN logits are never sampled, and when some logits are +Inf the
// choice is uniform among them.
var ErrNoCandidates = sample.ErrNoCandidates
