package run

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
)

// FidelitySweepOptions configures SweepFidelity.
type FidelitySweepOptions struct {
	Model    string
	Prompts  []string
	Fidelity FidelityOptions
	Grid     Grid
	Workers  int       // concurrent configurations (0 = 2)
	Open     Opener    // nil = CPUOpener(1)
	Progress io.Writer // progress line; nil = none
}

// FidelitySweep is every spec's fidelity for one model and prompt set.
type FidelitySweep struct {
	Model     string        `json:"model"`
	Prompts   int           `json:"prompts"`
	PromptLen int           `json:"prompt_len"` // N of the first prompt
	MaxTokens int           `json:"max_tokens"` // T
	Grid      Grid          `json:"grid"`
	Runs      []FidelityRun `json:"runs"`
}

// Run returns the run of the named spec, or nil.
func (s *FidelitySweep) Run(name string) *FidelityRun {
	for i := range s.Runs {
		if s.Runs[i].Spec.Name == name {
			return &s.Runs[i]
		}
	}
	return nil
}

// SweepFidelity runs RunFidelity for every valid spec of the grid, concurrently on
// bounded workers; the result does not depend on the worker count.
func SweepFidelity(ctx context.Context, o FidelitySweepOptions) (*FidelitySweep, error) {
	if o.Model == "" || len(o.Prompts) == 0 || o.Fidelity.MaxTokens <= 0 {
		return nil, fmt.Errorf("%w: a fidelity sweep needs a model, prompts and a token count", ErrInput)
	}
	if o.Open == nil {
		o.Open = CPUOpener(1)
	}
	if o.Workers == 0 {
		o.Workers = 2
	}
	m, err := o.Open(o.Model)
	if err != nil {
		return nil, err
	}
	n := len(m.Tokenizer().Encode(o.Prompts[0], !o.Fidelity.NoBOS, false))
	if err := m.Close(); err != nil {
		return nil, err
	}
	sw := &FidelitySweep{Model: filepath.Base(o.Model), Prompts: len(o.Prompts), PromptLen: n,
		MaxTokens: o.Fidelity.MaxTokens, Grid: o.Grid}
	for _, s := range o.Grid.Specs(n, o.Fidelity.MaxTokens) {
		sw.Runs = append(sw.Runs, FidelityRun{Spec: s})
	}
	prog := progressFor(o.Progress, "fidelity", len(sw.Runs))
	err = forEach(ctx, o.Workers, len(sw.Runs), o.Open, func(ctx context.Context, i int, ms *models) error {
		m, err := ms.get(o.Model)
		if err != nil {
			return err
		}
		r, err := RunFidelity(ctx, m, sw.Runs[i].Spec, o.Prompts, o.Fidelity)
		if err != nil {
			return err
		}
		sw.Runs[i] = r
		prog.AddTokens(r.GenTokens)
		prog.Done(1)
		return nil
	})
	prog.Finish()
	if err != nil {
		return nil, err
	}
	return sw, nil
}
