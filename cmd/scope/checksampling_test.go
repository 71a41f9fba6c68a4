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
		if err := (&samplingFlags{n: 16, temp: c.temp, topK: 40, topP: c.topP, minP: c.minP, rep: c.rep}).check(); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
	if err := (&samplingFlags{n: 16, temp: 0.8, topK: 40, topP: 0.9, minP: 0.05, rep: 1.1}).check(); err != nil {
		t.Errorf("valid values rejected: %v", err)
	}
}
