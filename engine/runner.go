package engine

import (
	"context"

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
	Shared int       // out, with Prefill: prompt tokens whose KV came from another sequence
	// Pending (out): the prompt is partly in; a later step continues it with a Work of
	// no Tokens. Logits are then nil.
	Pending bool
}
