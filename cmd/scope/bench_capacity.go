package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/scopekv/scope/engine"
	scope "github.com/scopekv/scope/runtime"
	kvpol "github.com/scopekv/scope/scope"
)

// capacitySetup is one scope bench --capacity run: under one KV budget, how many
// generations of P prompt and N new tokens run at once without a preemption.
type capacitySetup struct {
	p, n  int
	ctx   int // positions per sequence; 0 = P+N
	kvMem int64
	step  int // tokens per engine step (0 = the engine's default)
}

// capacityResult is one policy's answer.
type capacityResult struct {
	Policy     string        `json:"policy"`
	Reserve    int64         `json:"reserved_bytes_per_sequence"`
	Concurrent int           `json:"concurrent"` // the most that ran at once with no preemption
	Trials     []trialResult `json:"trials"`
}

// trialResult is one attempt with k requests.
type trialResult struct {
	K           int     `json:"k"`
	Admitted    int     `json:"admitted_at_once"`
	Preemptions int64   `json:"preemptions"`
	OK          bool    `json:"ok"`
	Seconds     float64 `json:"seconds"`
}

// findCapacity starts at the count the projection admits and moves k up while a trial
// succeeds and down while it fails; the answer is the largest k that succeeded.
func findCapacity(m *scope.Model, s capacitySetup, kv kvpol.Config, log io.Writer) (capacityResult, error) {
	res := capacityResult{Policy: policyName(kv)}
	eng, err := capacityEngine(m, s, kv, 1)
	if err != nil {
		return res, err
	}
	res.Reserve = eng.Reserve(nil, s.p, s.n)
	guess := max(int(eng.Budget()/max(res.Reserve, 1)), 1)
	if err := eng.Close(context.Background()); err != nil {
		return res, err
	}
	tried := map[int]bool{}
	for k := guess; k >= 1 && !tried[k]; {
		tried[k] = true
		t, err := capacityTrial(m, s, kv, k)
		if err != nil {
			return res, err
		}
		fmt.Fprintf(log, "scope: capacity %s: k=%d admitted %d at once, %d preemptions, %.1f s: %s\n",
			res.Policy, k, t.Admitted, t.Preemptions, t.Seconds, map[bool]string{true: "ok", false: "no"}[t.OK])
		res.Trials = append(res.Trials, t)
		if t.OK {
			res.Concurrent = max(res.Concurrent, k)
			k++
		} else if res.Concurrent == 0 {
			k--
		}
	}
	return res, nil
}

func capacityEngine(m *scope.Model, s capacitySetup, kv kvpol.Config, k int) (*engine.Engine, error) {
	ctxLen := s.ctx
	if ctxLen == 0 {
		ctxLen = s.p + s.n
	}
	return engine.New(m, engine.Options{Parallel: k, ContextLen: ctxLen, KVMemory: s.kvMem, StepTokens: s.step,
		MaxQueue: k, KV: &kv})
}

// capacityTrial submits k requests at once. The engine admits what fits in its first
// iteration; if that is fewer than k the trial fails at once (the rest would wait for a
// finished sequence). Otherwise every request runs to its last token and the trial
// succeeds when no sequence was preempted.
func capacityTrial(m *scope.Model, s capacitySetup, kv kvpol.Config, k int) (trialResult, error) {
	t := trialResult{K: k}
	eng, err := capacityEngine(m, s, kv, k)
	if err != nil {
		return t, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go watchAdmission(eng, k, cancel, done)
	start := time.Now()
	r, err := runBatch(ctx, eng, benchPrompts(m, s.p, k), s.n)
	close(done)
	t.Seconds = time.Since(start).Seconds()
	st := eng.Stats()
	err = errors.Join(err, eng.Close(context.Background()))
	t.Admitted, t.Preemptions = st.Steps.PeakRunning, st.Preemptions
	if err != nil {
		return t, err
	}
	if r.err != nil && !errors.Is(r.err, engine.ErrCancelled) {
		return t, r.err
	}
	t.OK = t.Admitted == k && t.Preemptions == 0 && r.err == nil && r.tokens == k*s.n
	return t, nil
}

// watchAdmission cancels the trial when the first step has run with fewer than k
// sequences admitted, or when a sequence is preempted.
func watchAdmission(eng *engine.Engine, k int, cancel context.CancelFunc, done <-chan struct{}) {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		st := eng.Stats()
		if st.Preemptions > 0 || (st.Steps.PrefillSteps > 0 && st.Steps.PeakRunning < k) {
			cancel()
			return
		}
	}
}

func policyName(c kvpol.Config) string {
	if c.Prefill == kvpol.PrefillFull && c.Decode == kvpol.DecodeNone {
		return "full"
	}
	name := fmt.Sprintf("%s+%s", c.Prefill, c.Decode)
	if c.Prefill != kvpol.PrefillFull {
		name += fmt.Sprintf(" P=%d", c.PrefillBudget)
	}
	if c.Decode != kvpol.DecodeNone {
		name += fmt.Sprintf(" D=%d R=%d", c.DecodeBudget, c.Recent)
	}
	return name
}

// printCapacity prints both policies' answers.
func printCapacity(w io.Writer, s capacitySetup, budget int64, res []capacityResult) {
	fmt.Fprintf(w, "KV budget %.2f MiB; %d prompt + %d generated tokens per sequence (end of text ignored)\n\n",
		float64(budget)/(1<<20), s.p, s.n)
	fmt.Fprintf(w, "| KV | reserved per sequence | concurrent without preemption | trials |\n|---|---|---|---|\n")
	for _, r := range res {
		trials := ""
		for i, t := range r.Trials {
			if i > 0 {
				trials += ", "
			}
			trials += fmt.Sprintf("k=%d: %d admitted, %d preempted", t.K, t.Admitted, t.Preemptions)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s |\n", r.Policy, mib(r.Reserve), r.Concurrent, trials)
	}
}
