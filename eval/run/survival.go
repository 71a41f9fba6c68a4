package run

import (
	"github.com/scopekv/scope/runtime"
)

// survival records how many prefill entries stay resident as decoding goes on, from probe
// samples at a few decode steps.
type survival struct {
	steps    []int
	resident map[int]float64 // step -> prefill entries per head, summed over layers
}

// newSurvival probes step 1 and about SurvivalPoints evenly spaced steps up to t.
func newSurvival(t int) *survival {
	every := max(1, t/SurvivalPoints)
	steps := []int{1}
	for s := every; s <= t; s += every {
		if s > 1 {
			steps = append(steps, s)
		}
	}
	return &survival{steps: steps, resident: map[int]float64{}}
}

func (sv *survival) observe(s runtime.ProbeSample) error {
	sv.resident[s.Step] += PrefillResident(s)
	return nil
}

// curve returns the reached steps and the resident share relative to step 1.
func (sv *survival) curve() ([]int, []float64) {
	base := sv.resident[1]
	var steps []int
	var frac []float64
	for _, st := range sv.steps {
		r, ok := sv.resident[st]
		if !ok || base == 0 {
			continue
		}
		steps = append(steps, st)
		frac = append(frac, r/base)
	}
	return steps, frac
}
