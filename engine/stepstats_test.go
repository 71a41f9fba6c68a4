package engine

import (
	"context"
	"errors"
	"testing"
)

// Requests submitted together run their prompts in one step, then decode side by side:
// N-1 decode steps of B tokens for N new tokens each.
func TestSubmitAllStepsTogether(t *testing.T) {
	m := openStories(t)
	const b, n = 3, 9
	e := newEngine(t, m, Options{Parallel: b, StepTokens: 512})
	reqs := make([]Request, b)
	for i := range reqs {
		reqs[i] = Request{Prompt: e.encode("Once upon a time"), MaxTokens: n, IgnoreEOS: true}
	}
	chans, err := e.SubmitAll(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range chans {
		if _, last := collect(t, ch); last.Err != nil {
			t.Fatal(last.Err)
		}
	}
	st := e.Stats().Steps
	if st.PrefillSteps != 1 || st.DecodeSteps != n-1 || st.DecodeTokens != b*(n-1) {
		t.Errorf("steps %+v: want 1 prefill step and %d decode steps of %d tokens", st, n-1, b)
	}
	if st.PrefillTokens != int64(b*len(reqs[0].Prompt)) || st.PrefillTime <= 0 || st.DecodeTime <= 0 {
		t.Errorf("steps %+v", st)
	}
	if st.PeakRunning != b || st.PeakKVInUse != int64(b)*e.Reserve(nil, len(reqs[0].Prompt), n) {
		t.Errorf("peaks %+v", st)
	}
	if d := st.Sub(st); d.DecodeSteps != 0 || d.PrefillTime != 0 || d.PeakRunning != b {
		t.Errorf("Sub: %+v", d)
	}
}

// SubmitAll queues every request or none.
func TestSubmitAllAllOrNothing(t *testing.T) {
	m := openStories(t)
	e := newEngine(t, m, Options{Parallel: 1, MaxQueue: 2})
	ok := Request{Prompt: e.encode("Once upon a time"), MaxTokens: 4}
	if _, err := e.SubmitAll(context.Background(), []Request{ok, {}}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("a bad request among good ones: %v", err)
	}
	if _, err := e.SubmitAll(context.Background(), []Request{ok, ok, ok}); !errors.Is(err, ErrQueueFull) {
		t.Errorf("three requests into a queue of two: %v", err)
	}
	if s := e.Stats(); s.Waiting != 0 || s.Running != 0 {
		t.Errorf("refused requests were queued: %+v", s)
	}
}

// Prompts longer than the step's tokens go in over several steps: every step that carries
// part of a prompt is a prefill step, and each prompt's tokens count once.
func TestStepStatsCountChunkedPrompts(t *testing.T) {
	m := openStories(t)
	const step, n = 8, 6
	e := newEngine(t, m, Options{Parallel: 2, StepTokens: step})
	prompt := e.encode("Lily liked to play in the garden with her friends every day. She")
	reqs := []Request{{Prompt: prompt, MaxTokens: n, IgnoreEOS: true}, {Prompt: prompt[:len(prompt)-1], MaxTokens: n, IgnoreEOS: true}}
	chans, err := e.SubmitAll(context.Background(), reqs)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range chans {
		if _, last := collect(t, ch); last.Err != nil {
			t.Fatal(last.Err)
		}
	}
	st := e.Stats().Steps
	total := int64(2*len(prompt) - 1)
	if st.PrefillTokens != total || st.PrefillSteps < (total+step-1)/step {
		t.Errorf("steps %+v: want %d prompt tokens over at least %d steps", st, total, (total+step-1)/step)
	}
	if st.DecodeSteps == 0 || st.DecodeSteps > n-1 || st.DecodeTokens > 2*(n-1) {
		t.Errorf("steps %+v: decode steps beyond the %d each sequence needs", st, n-1)
	}
}
