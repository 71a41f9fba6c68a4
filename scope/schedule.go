package scope

import "fmt"

// Plan says what one decode step does. Every (layer, unit) of a sequence holds the same
// number of decode entries, so one plan serves them all.
type Plan struct {
	Step       int  // s: 1 for the first decode pass after the prefill
	Budget     int  // D_s: decode entries a rebuild keeps (heavy hitters + recent)
	Entries    int  // decode entries attended at this step, the new token included
	Rebuild    bool // a selection runs (no-op rebuilds included, as the reference counts)
	Evict      int  // entries each (layer, unit) loses after attending
	NeedScores bool // attention must report this step's scores
}

// Schedule is the per-sequence decode schedule. For each decode step it gives the budget
// D_s (R + (s-1) div delta for Adaptive and Discontinuous, at most D with CapBudget; D
// otherwise), whether a rebuild runs (every step once the decode entries reach D_s; for
// Discontinuous, period-1 steps after that and then every period steps) and how many
// entries it evicts. The step counter, delta and the Discontinuous phase belong to one
// sequence and are derived from its own request, never shared across layers or requests.
type Schedule struct {
	policy    DecodePolicy
	d, r      int
	delta     int
	period    int
	capBudget bool
	history   bool // the score keeps a history: scores at every step

	step int // last planned step
	n    int // decode entries after the last step's eviction
	s0   int // first step whose threshold passed (Discontinuous), 0 = not yet
}

// NewSchedule derives the schedule of a request of maxNewTokens new tokens (T).
func NewSchedule(cfg Config, maxNewTokens int) (*Schedule, error) {
	if maxNewTokens < 1 {
		return nil, fmt.Errorf("%w: max new tokens %d must be positive", ErrConfig, maxNewTokens)
	}
	delta := cfg.DeltaFor(maxNewTokens)
	return &Schedule{
		policy: cfg.Decode, d: cfg.DecodeBudget, r: cfg.Recent,
		delta: delta, period: cfg.PeriodFor(delta), capBudget: cfg.CapBudget,
		history: cfg.Score.history() && cfg.Decode.scored(),
	}, nil
}

// Delta returns the adaptive growth interval.
func (s *Schedule) Delta() int { return s.delta }

// Period returns the Discontinuous refresh period.
func (s *Schedule) Period() int { return s.period }

// Step returns the last planned step (0 before the first).
func (s *Schedule) Step() int { return s.step }

// Entries returns the decode entries held after the last step's eviction.
func (s *Schedule) Entries() int { return s.n }

// budget returns D_s.
func (s *Schedule) budget(step int) int {
	switch s.policy {
	case DecodeAdaptive, DecodeDiscontinuous:
		b := s.r + (step-1)/s.delta
		if s.capBudget {
			b = min(b, s.d)
		}
		return b
	}
	return s.d
}

// Peek returns the plan Next would return, without advancing.
func (s *Schedule) Peek() Plan {
	c := *s
	return c.Next()
}

// Next plans the next decode step: the new token is appended, attention runs over
// everything, then Evict entries go. It advances the schedule.
func (s *Schedule) Next() Plan {
	s.step++
	s.n++
	p := Plan{Step: s.step, Budget: s.budget(s.step), Entries: s.n, NeedScores: s.history}
	if s.policy == DecodeNone || s.n < p.Budget {
		return p
	}
	if s.policy == DecodeDiscontinuous {
		if s.s0 == 0 {
			s.s0 = s.step
		}
		// first refresh period-1 steps after the threshold, then every period steps
		if (s.step-s.s0+1)%s.period != 0 {
			return p
		}
	}
	p.Rebuild = true
	p.Evict = s.n - p.Budget
	p.NeedScores = s.history || p.Evict > 0 && s.policy.scored()
	s.n = p.Budget
	return p
}

// DecodeFootprint replays the schedule of a request of maxNewTokens new tokens over its
// T-1 decode passes (the prefill pass yields the first token) and returns the most decode
// entries any step attends (the new token included) and their mean over the steps. It is
// what a (layer, unit) holds beyond its prompt entries, so budgets of different policies
// can be compared at equal peak.
func DecodeFootprint(cfg Config, maxNewTokens int) (peak int, mean float64, err error) {
	s, err := NewSchedule(cfg, maxNewTokens)
	if err != nil {
		return 0, 0, err
	}
	sum := 0
	for range maxNewTokens - 1 {
		e := s.Next().Entries
		peak, sum = max(peak, e), sum+e
	}
	if maxNewTokens > 1 {
		mean = float64(sum) / float64(maxNewTokens-1)
	}
	return peak, mean, nil
}

// FitPeak returns cfg with the largest decode budget D <= cfg.DecodeBudget whose schedule
// (delta derived from it) attends at most peak decode entries at any step of a request of
// maxNewTokens new tokens. When no D fits that way (Discontinuous saws up to delta entries
// above its budget, and delta grows as D shrinks), Adaptive and Discontinuous get
// CapBudget and the largest D, then the largest fixed Delta, that fit. ErrConfig when
// nothing above R fits.
func FitPeak(cfg Config, maxNewTokens, peak int) (Config, error) {
	fits := func(c Config) (bool, error) {
		got, _, err := DecodeFootprint(c, maxNewTokens)
		return err == nil && got <= peak, err
	}
	for d := cfg.DecodeBudget; d > cfg.Recent; d-- {
		c := cfg
		c.DecodeBudget = d
		if ok, err := fits(c); ok || err != nil {
			return c, err
		}
	}
	if cfg.Decode == DecodeAdaptive || cfg.Decode == DecodeDiscontinuous {
		for d := cfg.DecodeBudget; d > cfg.Recent; d-- {
			c := cfg
			c.DecodeBudget, c.CapBudget = d, true
			for delta := c.DeltaFor(maxNewTokens); delta >= 1; delta-- {
				c.Delta = delta
				if ok, err := fits(c); ok || err != nil {
					return c, err
				}
			}
		}
	}
	return cfg, fmt.Errorf("%w: no decode budget above R=%d keeps %s within %d entries", ErrConfig, cfg.Recent, cfg.Decode, peak)
}
