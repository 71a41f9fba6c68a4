package engine

import (
	"context"
	"sync"

	"github.com/scopekv/scope/runtime"
	"github.com/scopekv/scope/scope"
)

// Runner runs the forward passes of the engine's steps. The engine calls it from one
// goroutine.
type Runner interface {
	// Open allocates a sequence's state with a KV reservation of spec.KVBytes.
	Open(spec SeqSpec) (Seq, error)
	// Step runs one engine step: every Work's tokens at its sequence's next positions. It
	// fills each Work's Logits (valid until the next Step) or Err.
	Step(ctx context.Context, work []Work)
}

// Seq is a runner's per-sequence state.
type Seq interface {
	// Close frees the sequence's KV memory.
	Close()
}

// SeqSpec describes a sequence to allocate.
type SeqSpec struct {
	KV      scope.Config // the request's KV policy (full KV is Full + None)
	KVBytes int64        // the KV memory reserved for it
	Context int          // positions
}

// Work is one sequence's share of a step.
type Work struct {
	Seq     Seq
	Tokens  []int32
	Prefill bool // Tokens is a whole prompt (the sequence starts over)
	MaxNew  int  // with Prefill: the new tokens the request may still produce

	Logits []float32 // out: logits after the last token
	Err    error     // out
}

// SessionRunner runs every sequence in its own runtime.Session, sized by its reservation,
// and the sequences of a step on up to Workers goroutines. The device serialises their
// forward passes; what runs concurrently is the host work around them.
type SessionRunner struct {
	Model   *runtime.Model
	Workers int // 0 = 1
}

type sessionSeq struct{ s *runtime.Session }

// Close frees the session's KV store, pages and buffers.
func (q *sessionSeq) Close() {
	_ = q.s.Close()
	q.s = nil
}

// Open creates the sequence's session with a paged KV pool of spec.KVBytes.
func (r *SessionRunner) Open(spec SeqSpec) (Seq, error) {
	kv := spec.KV
	s, err := r.Model.NewSession(runtime.SessionOptions{ContextLen: spec.Context, KV: &kv, KVMemory: spec.KVBytes})
	if err != nil {
		return nil, err
	}
	return &sessionSeq{s: s}, nil
}

// Step runs each work item on its session.
func (r *SessionRunner) Step(ctx context.Context, work []Work) {
	sem := make(chan struct{}, max(r.Workers, 1))
	var wg sync.WaitGroup
	for i := range work {
		w := &work[i]
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			s := w.Seq.(*sessionSeq).s
			if w.Prefill {
				w.Logits, w.Err = s.Prefill(ctx, w.Tokens, w.MaxNew)
			} else {
				w.Logits, w.Err = s.Eval(ctx, w.Tokens)
			}
		}()
	}
	wg.Wait()
}
