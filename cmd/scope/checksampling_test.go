package main

import (
	"math"
	"testing"
)

func TestCheckSamplingRejectsNonFinite(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name                  string
		temp, topP, minP, rep float64
	}{
		{"temp NaN", nan, 0.9, 0.05, 1}, {"temp +Inf", inf, 0.9, 0.05, 1},
		{"top-p NaN", 0.8, nan, 0.05, 1}, {"min-p NaN", 0.8, 0.9, nan, 1},
		{"repeat-penalty NaN", 0.8, 0.9, 0.05, nan}, {"repeat-penalty +Inf", 0.8, 0.9, 0.05, inf},
	} {
		if err := checkSampling(16, c.temp, 40, c.topP, c.minP, c.rep); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
	if err := checkSampling(16, 0.8, 40, 0.9, 0.05, 1.1); err != nil {
		t.Errorf("valid values rejected: %v", err)
	}
}
