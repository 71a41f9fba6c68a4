package engine

import (
	"errors"
	"fmt"
	"time"

	"github.com/scopekv/scope/runtime"
)

// loop is the scheduler: it admits waiting requests, runs one step over the running ones,
// and handles what the step produced, until Close.
type loopState struct {
	waiting []*sequence
	running []*sequence
	inUse   int64
}

func (e *Engine) loop() {
	defer close(e.done)
	defer e.closeRunner()
	defer e.stop()
	var st loopState
	for {
		draining := e.take(&st)
		if len(st.waiting) == 0 && len(st.running) == 0 {
			if draining {
				return
			}
			select {
			case <-e.wake:
			case <-e.ctx.Done():
			}
			continue
		}
		if e.ctx.Err() != nil {
			e.abort(&st)
			return
		}
		e.dropCancelled(&st)
		e.admit(&st)
		e.step(&st)
		e.publish(&st)
	}
}

// take moves submitted requests into the waiting queue.
// closeRunner frees the runner New made, once every sequence has left it.
func (e *Engine) closeRunner() {
	if e.ownRunner != nil {
		_ = e.ownRunner.Close()
	}
}

func (e *Engine) take(st *loopState) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	st.waiting = append(st.waiting, e.inbox...)
	clear(e.inbox)
	e.inbox = e.inbox[:0]
	return e.draining
}

func (e *Engine) publish(st *loopState) {
	e.mu.Lock()
	e.stats.Running, e.stats.KVInUse = len(st.running), st.inUse
	e.rate.add(time.Now(), e.generated.Load())
	e.mu.Unlock()
}

// abort fails every request when the engine is stopped before they finish.
func (e *Engine) abort(st *loopState) {
	for _, s := range st.running {
		e.release(st, s)
		s.finish("", ErrInterrupted)
	}
	for _, s := range st.waiting {
		e.queued.Add(-1)
		s.finish("", ErrInterrupted)
	}
	st.running, st.waiting = nil, nil
	e.take(st)
	for _, s := range st.waiting {
		e.queued.Add(-1)
		s.finish("", ErrInterrupted)
	}
	st.waiting = nil
	e.publish(st)
}

// dropCancelled ends the requests whose clients went away, freeing their memory now.
func (e *Engine) dropCancelled(st *loopState) {
	keep := st.waiting[:0]
	for _, s := range st.waiting {
		if s.ctx.Err() != nil {
			e.queued.Add(-1)
			s.finish("", fmt.Errorf("%w: %v", ErrCancelled, s.ctx.Err()))
			continue
		}
		keep = append(keep, s)
	}
	clear(st.waiting[len(keep):])
	st.waiting = keep
	run := st.running[:0]
	for _, s := range st.running {
		if s.ctx.Err() != nil {
			e.release(st, s)
			s.finish("", fmt.Errorf("%w: %v", ErrCancelled, s.ctx.Err()))
			continue
		}
		run = append(run, s)
	}
	clear(st.running[len(run):])
	st.running = run
}

// admit starts waiting requests in order while a running slot and their reservation are
// free. The queue is first come, first served: a request that does not fit yet waits for
// memory instead of being overtaken.
func (e *Engine) admit(st *loopState) {
	for len(st.waiting) > 0 && len(st.running) < e.opt.Parallel {
		s := st.waiting[0]
		if s.reserve > e.budget-st.inUse {
			return
		}
		st.waiting = st.waiting[1:]
		e.queued.Add(-1)
		seq, err := e.runner.Open(SeqSpec{KV: s.kv, KVBytes: s.reserve, Context: e.geo.context})
		if err != nil {
			s.finish("", fmt.Errorf("allocating the sequence: %w", err))
			continue
		}
		s.seq, s.prefilled, s.prompting = seq, false, false
		st.inUse += s.reserve
		st.running = append(st.running, s)
		e.notePeaks(st)
	}
}

func (e *Engine) release(st *loopState, s *sequence) {
	if s.seq != nil {
		s.seq.Close()
		s.seq = nil
		st.inUse -= s.reserve
	}
}

// step runs the decode tokens of every prefilled sequence, the prompts the runner holds
// partly in, and as many new prompts as the step budget allows (at least one, so a long
// prompt is never starved), then samples. A runner may take a long prompt in chunks over
// several steps (Work.Pending), so that it does not hold up the decoding sequences.
func (e *Engine) step(st *loopState) {
	var work []Work
	var who []*sequence
	budget := e.opt.StepTokens
	prefills := 0
	for _, s := range st.running {
		if !s.prefilled && !s.prompting {
			continue
		}
		work, who = append(work, s.work()), append(who, s)
		budget--
	}
	for _, s := range st.running {
		if s.prefilled || s.prompting || (prefills > 0 && s.tokens() > budget) {
			continue
		}
		work, who = append(work, s.work()), append(who, s)
		budget -= s.tokens()
		prefills++
	}
	if len(work) == 0 {
		return
	}
	start := time.Now()
	e.runner.Step(e.ctx, work)
	e.timeStep(work, time.Since(start)) // before the outcomes: a finished request sees its steps
	var preempted []*sequence
	for i, s := range who {
		if e.outcome(st, s, &work[i]) {
			preempted = append(preempted, s)
		}
	}
	st.running = e.compact(st.running)
	// Preempted sequences go back to the head of the queue, in their running order.
	st.waiting = append(preempted, st.waiting...)
}

// compact drops finished and preempted sequences from the running list.
func (e *Engine) compact(run []*sequence) []*sequence {
	keep := run[:0]
	for _, s := range run {
		if s.seq != nil {
			keep = append(keep, s)
		}
	}
	clear(run[len(keep):])
	return keep
}

// outcome handles one sequence's step result; it reports a preemption.
func (e *Engine) outcome(st *loopState, s *sequence, w *Work) bool {
	if w.Err != nil {
		e.release(st, s)
		// Out of pages: recompute later with a larger reservation, or once the other
		// sequences (which share the pool) have given pages back.
		if errors.Is(w.Err, runtime.ErrOutOfPages) && (s.reserve < s.full || len(st.running) > 1) {
			s.reserve = min(2*s.reserve, s.full)
			s.prefilled, s.prompting = false, false
			e.preemptions.Add(1)
			e.queued.Add(1)
			return true
		}
		s.finish("", w.Err)
		return false
	}
	if w.Prefill {
		e.shared.Add(int64(w.Shared))
	}
	if w.Pending {
		s.prompting = true
		return false
	}
	if w.Prefill || s.prompting {
		s.prefilled, s.prompting = true, false
		e.prompted.Add(int64(len(s.prompt) + len(s.out)))
	}
	e.sample(st, s, w.Logits)
	return false
}

// sample picks the next token and ends the request at end of text, a stop string or its
// token limit.
func (e *Engine) sample(st *loopState, s *sequence, logits []float32) {
	id, err := s.smp.Sample(logits, s.recent())
	if err != nil { // every logit NaN or -Inf (parameters were checked at Submit)
		e.release(st, s)
		s.finish("", err)
		return
	}
	next := int32(id)
	if !s.noEOS && (e.tok.IsEOG(next) || next == e.tok.BOS()) {
		e.release(st, s)
		s.finish("stop", nil)
		return
	}
	s.out = append(s.out, next)
	e.generated.Add(1)
	text, stopped := s.text.add(next)
	if text != "" || !s.first {
		s.send(Event{Text: text})
	}
	switch {
	case stopped:
		e.release(st, s)
		s.finish("stop", nil)
	case len(s.out) >= s.maxNew:
		e.release(st, s)
		s.finish("length", nil)
	}
}
