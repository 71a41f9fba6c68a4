package engine

import "time"

// tokenRate measures generated tokens per second over a sliding window of steps.
type tokenRate struct {
	window  time.Duration
	samples []rateSample
}

type rateSample struct {
	at    time.Time
	total int64
}

// add records the running total after a step.
func (r *tokenRate) add(at time.Time, total int64) {
	r.samples = append(r.samples, rateSample{at, total})
	cut := 0
	for cut < len(r.samples)-2 && at.Sub(r.samples[cut+1].at) > r.window {
		cut++
	}
	r.samples = append(r.samples[:0], r.samples[cut:]...)
}

// perSecond is the rate between the oldest sample in the window and now; 0 when idle
// longer than the window.
func (r *tokenRate) perSecond(now time.Time) float64 {
	if len(r.samples) < 2 {
		return 0
	}
	first, last := r.samples[0], r.samples[len(r.samples)-1]
	if now.Sub(last.at) > r.window {
		return 0
	}
	d := now.Sub(first.at).Seconds()
	if d <= 0 {
		return 0
	}
	return float64(last.total-first.total) / d
}
