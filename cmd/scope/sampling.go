package main

import (
	"flag"
	"fmt"
	"math"

	scope "github.com/scopekv/scope/runtime"
)

// samplingFlags are the token-count and sampling flags generate and chat share.
type samplingFlags struct {
	n, topK, repN         int
	temp, topP, minP, rep float64
	seed                  uint64
	noBOS                 bool
}

// register adds the flags; nUsage and seedUsage say what -n and --seed mean to the command.
func (f *samplingFlags) register(fs *flag.FlagSet, nUsage, seedUsage string) {
	fs.IntVar(&f.n, "n", 256, nUsage)
	fs.Float64Var(&f.temp, "temp", 0.8, "temperature (0 = greedy)")
	fs.IntVar(&f.topK, "top-k", 40, "top-k sampling (0 = off)")
	fs.Float64Var(&f.topP, "top-p", 0.95, "top-p (nucleus) sampling (1 = off)")
	fs.Float64Var(&f.minP, "min-p", 0.05, "min-p sampling (0 = off)")
	fs.Float64Var(&f.rep, "repeat-penalty", 1.0, "repetition penalty (1 = off)")
	fs.IntVar(&f.repN, "repeat-last-n", 64, "tokens the repetition penalty looks back at")
	fs.Uint64Var(&f.seed, "seed", 0, seedUsage)
	fs.BoolVar(&f.noBOS, "no-bos", false, "do not add the BOS token")
}

// check rejects values the sampler cannot use.
func (f *samplingFlags) check() error {
	switch {
	case !finite(f.temp, f.topP, f.minP, f.rep):
		return fmt.Errorf("--temp, --top-p, --min-p and --repeat-penalty must be finite numbers")
	case f.n < -1:
		return fmt.Errorf("-n must be >= -1 (-1 = until the end), got %d", f.n)
	case f.temp < 0:
		return fmt.Errorf("--temp must be >= 0, got %g", f.temp)
	case f.topK < 0:
		return fmt.Errorf("--top-k must be >= 0, got %d", f.topK)
	case f.topP < 0 || f.topP > 1:
		return fmt.Errorf("--top-p must be in [0,1], got %g", f.topP)
	case f.minP < 0 || f.minP > 1:
		return fmt.Errorf("--min-p must be in [0,1], got %g", f.minP)
	case f.rep <= 0:
		return fmt.Errorf("--repeat-penalty must be > 0, got %g", f.rep)
	}
	return nil
}

// options returns the generation options with the given seed; -n -1 is the API's
// "until the end" (0).
func (f *samplingFlags) options(seed uint64) scope.GenerateOptions {
	return scope.GenerateOptions{MaxTokens: max(f.n, 0), NoBOS: f.noBOS,
		Sampling: scope.Sampling{Temperature: float32(f.temp), TopK: f.topK, TopP: float32(f.topP), MinP: float32(f.minP),
			RepeatPenalty: float32(f.rep), RepeatLastN: f.repN, Seed: seed}}
}

func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
