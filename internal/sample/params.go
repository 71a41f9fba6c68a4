package sample

import (
	"fmt"
	"math"
)

// Validate reports parameters the sampler cannot honour, wrapping ErrInvalidParams: NaN or
// infinite values, a negative temperature, top-k or repeat penalty, and top-p or min-p
// outside [0,1].
func (p Params) Validate() error {
	check := func(name string, v float32, lo, hi float64) error {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) || f < lo || f > hi {
			if hi == math.MaxFloat32 {
				return fmt.Errorf("%w: %s must be finite and >= %g, got %g", ErrInvalidParams, name, lo, f)
			}
			return fmt.Errorf("%w: %s must be in [%g,%g], got %g", ErrInvalidParams, name, lo, hi, f)
		}
		return nil
	}
	if err := check("temperature", p.Temperature, 0, math.MaxFloat32); err != nil {
		return err
	}
	if err := check("top-p", p.TopP, 0, 1); err != nil {
		return err
	}
	if err := check("min-p", p.MinP, 0, 1); err != nil {
		return err
	}
	if err := check("repeat penalty", p.RepeatPenalty, 0, math.MaxFloat32); err != nil {
		return err
	}
	if p.TopK < 0 {
		return fmt.Errorf("%w: top-k must be >= 0, got %d", ErrInvalidParams, p.TopK)
	}
	return nil
}
