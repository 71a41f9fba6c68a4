package engine

import (
	"context"
	"fmt"
	"time"
)

// StepStats time the engine's steps, for benchmarks. A prefill step runs at least one
// prompt or part of one (alone or beside decode tokens); a decode step runs only the
// decode tokens of sequences that have their prompt in, one each. A step's time is the
// runner's Step (the forward pass); it is recorded before the step's outcomes reach the
// requests, so a request's last event comes after its last step is counted.
type StepStats struct {
	PrefillSteps, DecodeSteps int64
	PrefillTime, DecodeTime   time.Duration
	PrefillTokens             int64 // prompt tokens evaluated (recomputations included; KV shared from another sequence not)
	DecodeTokens              int64 // tokens evaluated in decode steps
	PeakRunning               int   // the most sequences running at once
	PeakKVInUse               int64 // the most KV bytes running sequences reserved at once
}

// Sub is s minus an earlier snapshot a, for the counters; the peaks stay s's.
func (s StepStats) Sub(a StepStats) StepStats {
	s.PrefillSteps -= a.PrefillSteps
	s.DecodeSteps -= a.DecodeSteps
	s.PrefillTime -= a.PrefillTime
	s.DecodeTime -= a.DecodeTime
	s.PrefillTokens -= a.PrefillTokens
	s.DecodeTokens -= a.DecodeTokens
	return s
}

// timeStep adds one finished step to the statistics.
func (e *Engine) timeStep(work []Work, took time.Duration) {
	var prompt, decode int64
	prompting := false
	for i := range work {
		w := &work[i]
		switch {
		case w.Prefill: // a whole prompt, counted once even when it runs in chunks
			prompting = true
			prompt += int64(len(w.Tokens) - w.Shared)
		case len(w.Tokens) == 0: // the rest of a pending prompt
			prompting = true
		default:
			decode += int64(len(w.Tokens))
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	st := &e.stats.Steps
	if prompting {
		st.PrefillSteps++
		st.PrefillTime += took
		st.PrefillTokens += prompt
		return
	}
	st.DecodeSteps++
	st.DecodeTime += took
	st.DecodeTokens += decode
}

// notePeaks records the running count and reservation after an admission.
func (e *Engine) notePeaks(st *loopState) {
	e.mu.Lock()
	p := &e.stats.Steps
	p.PeakRunning = max(p.PeakRunning, len(st.running))
	p.PeakKVInUse = max(p.PeakKVInUse, st.inUse)
	e.mu.Unlock()
}

// SubmitAll queues several requests at once: the scheduler sees all of them in the same
// iteration, so they are admitted (and their prompts run) together when they fit. Either
// every request is queued or none is.
func (e *Engine) SubmitAll(ctx context.Context, reqs []Request) ([]<-chan Event, error) {
	seqs := make([]*sequence, len(reqs))
	for i, r := range reqs {
		s, err := e.newSequence(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("request %d: %w", i, err)
		}
		seqs[i] = s
	}
	if err := e.enqueue(seqs...); err != nil {
		return nil, err
	}
	out := make([]<-chan Event, len(seqs))
	for i, s := range seqs {
		out[i] = s.events
	}
	return out, nil
}
