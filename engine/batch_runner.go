package engine

import (
	"context"

	"github.com/scopekv/scope/runtime"
)

// BatchRunner runs each engine step as batched forward passes of one runtime.Batch: every
// sequence's KV pages come from one shared pool, and the step's tokens (one decode token
// per running sequence plus prompt chunks) share each matrix product.
type BatchRunner struct {
	b *runtime.Batch
}

// NewBatchRunner allocates the shared KV store and the step's activations.
func NewBatchRunner(m *runtime.Model, opt runtime.BatchOptions) (*BatchRunner, error) {
	b, err := m.NewBatch(opt)
	if err != nil {
		return nil, err
	}
	return &BatchRunner{b: b}, nil
}

type batchSeq struct{ s *runtime.Session }

// Close returns the sequence's pages to the pool.
func (q *batchSeq) Close() {
	_ = q.s.Close()
	q.s = nil
}

// Open adds a sequence with the request's KV policy. Its pages come from the shared pool
// as it runs; the engine's admission keeps the reservations within the pool.
func (r *BatchRunner) Open(spec SeqSpec) (Seq, error) {
	kv := spec.KV
	s, err := r.b.NewSession(&kv)
	if err != nil {
		return nil, err
	}
	return &batchSeq{s: s}, nil
}

// Step runs the work items together.
func (r *BatchRunner) Step(ctx context.Context, work []Work) {
	items := make([]runtime.BatchItem, len(work))
	for i, w := range work {
		items[i] = runtime.BatchItem{Session: w.Seq.(*batchSeq).s, Tokens: w.Tokens, Prefill: w.Prefill, MaxNew: w.MaxNew}
	}
	err := r.b.Step(ctx, items)
	for i := range work {
		work[i].Logits, work[i].Err, work[i].Shared = items[i].Logits, items[i].Err, items[i].Shared
		work[i].Pending = items[i].Pending
		if work[i].Err == nil && work[i].Logits == nil && !work[i].Pending {
			work[i].Err = err
		}
	}
}

// Pages returns the shared pool's used and total pages.
func (r *BatchRunner) Pages() (used, total int) { return r.b.Pages() }

// Close frees the shared KV store once every sequence is closed.
func (r *BatchRunner) Close() error { return r.b.Close() }
