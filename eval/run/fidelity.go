package run

import (
	"context"
	"fmt"
	"time"

	"github.com/scopekv/scope/runtime"
	"github.com/scopekv/scope/scope"
)

// FidelityOptions configures RunFidelity.
type FidelityOptions struct {
	MaxTokens int  // T: new tokens per prompt
	IgnoreEOS bool // keep generating past the end of text
	NoBOS     bool // do not add BOS to the prompts
}

// PromptFidelity compares a policy with the full cache on one prompt.
type PromptFidelity struct {
	PromptLen    int `json:"prompt_len"`
	RefTokens    int `json:"ref_tokens"`    // full-cache greedy tokens
	PolicyTokens int `json:"policy_tokens"` // the policy's own greedy tokens
	Agreement
	MeanKL float64 `json:"mean_kl"` // over the reference's steps, full-cache text forced
	MaxKL  float64 `json:"max_kl"`
	// ForcedTop1 is the share of those steps where the policy's most likely token is the
	// full cache's.
	ForcedTop1 float64 `json:"forced_top1"`
}

// FidelityRun is one spec's fidelity over a set of prompts.
type FidelityRun struct {
	Spec           Spec             `json:"spec"`
	Budget         Budget           `json:"budget"` // of the first prompt
	Prefix         float64          `json:"prefix"` // mean tokens before the first divergence
	PrefixFraction float64          `json:"prefix_fraction"`
	Agreement      float64          `json:"agreement"` // mean overall agreement
	MeanKL         float64          `json:"mean_kl"`
	MaxKL          float64          `json:"max_kl"`
	ForcedTop1     float64          `json:"forced_top1"`
	KLCurve        []float64        `json:"kl_curve"`   // mean KL per step over the prompts that reached it
	GenTokens      int              `json:"gen_tokens"` // the policy's own greedy tokens, all prompts
	KV             KVSummary        `json:"kv"`         // of the policy's own greedy runs
	Prompts        []PromptFidelity `json:"prompts"`
	Timing         Timing           `json:"timing"`
}

// RunFidelity runs each prompt greedily with the full cache and with the spec's policy,
// and compares them: greedy token agreement, and the KL divergence of next-token
// distributions with the full-cache tokens forced into the policy session.
func RunFidelity(ctx context.Context, m *runtime.Model, spec Spec, prompts []string, o FidelityOptions) (FidelityRun, error) {
	out := FidelityRun{Spec: spec}
	if len(prompts) == 0 || o.MaxTokens <= 0 {
		return out, fmt.Errorf("%w: fidelity needs prompts and a positive token count", ErrInput)
	}
	var kv kvAcc
	gen := 0
	var klSum []float64
	var klCount []int
	var genTime time.Duration
	for i, p := range prompts {
		pf, curve, b, d, err := fidelityPrompt(ctx, m, spec, p, o, &kv, &gen)
		if err != nil {
			return out, fmt.Errorf("%s, prompt %d: %w", spec.Name, i, err)
		}
		if i == 0 {
			out.Budget = b
		}
		genTime += d
		out.Prompts = append(out.Prompts, pf)
		for j, kl := range curve {
			if j == len(klSum) {
				klSum, klCount = append(klSum, 0), append(klCount, 0)
			}
			klSum[j] += kl
			klCount[j]++
		}
	}
	out.summarise(klSum, klCount)
	out.KV, out.GenTokens = kv.summary(), gen
	out.Timing = Timing{Seconds: genTime.Seconds()}
	if genTime > 0 {
		out.Timing.GenTokensPerSec = float64(gen) / genTime.Seconds()
	}
	return out, nil
}

func (r *FidelityRun) summarise(klSum []float64, klCount []int) {
	n := float64(len(r.Prompts))
	for _, p := range r.Prompts {
		r.Prefix += float64(p.Prefix) / n
		r.PrefixFraction += p.PrefixFraction(p.RefTokens) / n
		r.Agreement += p.Overall / n
		r.MeanKL += p.MeanKL / n
		r.MaxKL = max(r.MaxKL, p.MaxKL)
		r.ForcedTop1 += p.ForcedTop1 / n
	}
	r.KLCurve = make([]float64, len(klSum))
	for i := range klSum {
		r.KLCurve[i] = klSum[i] / float64(klCount[i])
	}
}

// fidelityPrompt measures one prompt: the full cache and the forced policy session in
// lockstep, then the policy's own greedy run.
func fidelityPrompt(ctx context.Context, m *runtime.Model, spec Spec, prompt string, o FidelityOptions,
	kv *kvAcc, gen *int) (PromptFidelity, []float64, Budget, time.Duration, error) {
	tok := m.Tokenizer()
	ids := tok.Encode(prompt, !o.NoBOS, false)
	n := len(ids)
	if n == 0 {
		return PromptFidelity{}, nil, Budget{}, 0, fmt.Errorf("%w: empty prompt", ErrInput)
	}
	cfg, b, err := spec.Config(n, o.MaxTokens)
	if err != nil {
		return PromptFidelity{}, nil, b, 0, err
	}
	ref, curve, pf, err := forcedCompare(ctx, m, &cfg, ids, o)
	if err != nil {
		return pf, nil, b, 0, err
	}
	start := time.Now()
	got, rep, err := greedy(ctx, m, &cfg, ids, o)
	if err != nil {
		return pf, nil, b, 0, err
	}
	d := time.Since(start)
	*gen += len(got)
	if rep != nil {
		kv.add(rep)
	}
	pf.PromptLen, pf.RefTokens, pf.PolicyTokens = n, len(ref), len(got)
	pf.Agreement = Agree(ref, got)
	return pf, curve, b, d, nil
}

// forcedCompare generates greedily with the full cache and feeds the same tokens to a
// policy session, comparing the next-token distributions at every step. It returns the
// full-cache tokens and the per-step KL.
func forcedCompare(ctx context.Context, m *runtime.Model, cfg *scope.Config, ids []int32, o FidelityOptions) ([]int32, []float64, PromptFidelity, error) {
	var pf PromptFidelity
	full, err := newSession(m, nil, len(ids), o.MaxTokens)
	if err != nil {
		return nil, nil, pf, err
	}
	defer full.Close()
	pol, err := newSession(m, cfg, len(ids), o.MaxTokens)
	if err != nil {
		return nil, nil, pf, err
	}
	defer pol.Close()
	lf, err := full.Eval(ctx, ids)
	if err != nil {
		return nil, nil, pf, err
	}
	lq, err := pol.Eval(ctx, ids)
	if err != nil {
		return nil, nil, pf, err
	}
	var ref []int32
	var curve []float64
	top1 := 0
	lpf, lpq := []float64{}, []float64{}
	for step := 0; step < o.MaxTokens; step++ {
		lpf, lpq = LogSoftmax(lpf, lf), LogSoftmax(lpq, lq)
		kl := klLog(lpf, lpq)
		curve = append(curve, kl)
		pf.MaxKL = max(pf.MaxKL, kl)
		next := int32(Argmax(lf))
		if int32(Argmax(lq)) == next {
			top1++
		}
		if stops(m, next) && !o.IgnoreEOS {
			break
		}
		ref = append(ref, next)
		if step == o.MaxTokens-1 {
			break
		}
		if lf, err = full.Eval(ctx, []int32{next}); err != nil {
			return nil, nil, pf, err
		}
		if lq, err = pol.Eval(ctx, []int32{next}); err != nil {
			return nil, nil, pf, err
		}
	}
	pf.MeanKL = mean64(curve)
	pf.ForcedTop1 = float64(top1) / float64(len(curve))
	return ref, curve, pf, nil
}

// greedy generates up to MaxTokens tokens by argmax and returns them with the KV report.
func greedy(ctx context.Context, m *runtime.Model, cfg *scope.Config, ids []int32, o FidelityOptions) ([]int32, *scope.Report, error) {
	s, err := newSession(m, cfg, len(ids), o.MaxTokens)
	if err != nil {
		return nil, nil, err
	}
	defer s.Close()
	logits, err := s.Eval(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	var out []int32
	for len(out) < o.MaxTokens {
		next := int32(Argmax(logits))
		if stops(m, next) && !o.IgnoreEOS {
			break
		}
		out = append(out, next)
		if len(out) == o.MaxTokens {
			break
		}
		if logits, err = s.Eval(ctx, []int32{next}); err != nil {
			return nil, nil, err
		}
	}
	return out, s.KVReport(), nil
}

// newSession makes a session whose context holds exactly the prompt and T new tokens, so
// that a policy derives delta from T as a generation of T tokens would.
func newSession(m *runtime.Model, cfg *scope.Config, n, t int) (*runtime.Session, error) {
	if lim := m.Config().ContextLen; lim > 0 && n+t > lim {
		return nil, fmt.Errorf("%w: prompt %d + %d new tokens exceed the model's context of %d", ErrInput, n, t, lim)
	}
	return m.NewSession(runtime.SessionOptions{KV: cfg, ContextLen: n + t})
}

// stops reports whether a token ends generation (end of text, or BOS as Generate treats it).
func stops(m *runtime.Model, t int32) bool {
	tok := m.Tokenizer()
	return tok.IsEOG(t) || t == tok.BOS()
}
