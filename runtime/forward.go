package runtime

import (
	"context"
	"errors"
	"sync"
)

// forward runs forward steps over one KV store: the activations of up to rows tokens and
// the logits of up to seqs sequences per step. A session owns one; the sessions of a Batch
// share the batch's, and a step then carries several of them.
type forward struct {
	mu     sync.Mutex // one step at a time over the activations
	m      *Model
	acts   *acts
	rows   int       // tokens per step
	seqs   int       // sequences per step
	logits []float32 // (seqs, vocab) on the host
}

func newForward(m *Model, rows, seqs int) (*forward, error) {
	a, err := newActs(m.dev, m, rows, seqs)
	if err != nil {
		return nil, err
	}
	return &forward{m: m, acts: a, rows: rows, seqs: seqs, logits: make([]float32, seqs*m.file.Config.VocabSize)}, nil
}

// free releases the activations (the caller is inside Model.use).
func (f *forward) free() error {
	var errs []error
	for _, b := range f.acts.all() {
		errs = append(errs, f.m.dev.FreeBuffer(b))
	}
	return errors.Join(errs...)
}

// part is one session's share of a step: its tokens, prepared (slots, tables, scores) and
// not yet run, with what to do once the step has run or failed.
type part struct {
	s      *Session
	st     *step
	row    int               // the first activation row of its tokens
	finish func() error      // after the forward pass: scores, the policy's step end
	abort  func(error) error // when the pass failed: undo the preparation
	err    error             // the part's outcome
}

// run executes one forward pass over parts (at most f.rows tokens and f.seqs parts) and
// finishes each: on success every session advances and receives its logits; when the pass
// fails, every part is aborted and returns the error. The caller holds f.mu.
func (f *forward) run(ctx context.Context, parts []*part) error {
	row := 0
	for _, p := range parts {
		p.row = row
		row += len(p.st.tokens)
	}
	if err := f.m.dev.Run(ctx, f.buildOps(parts)); err != nil {
		return f.abortAll(parts, err)
	}
	vocab := f.m.file.Config.VocabSize
	if !f.m.fuse.readBack { // the step did not read them back
		if err := f.m.dev.Read(f.acts.logits, f.logits[:len(parts)*vocab]); err != nil {
			return f.abortAll(parts, err)
		}
	}
	for i, p := range parts {
		s := p.s
		s.pos += len(p.st.tokens)
		s.history = append(s.history, p.st.tokens...)
		copy(s.logits, f.logits[i*vocab:(i+1)*vocab])
		if p.finish != nil {
			p.err = p.finish()
		}
	}
	return nil
}

func (f *forward) abortAll(parts []*part, err error) error {
	for _, p := range parts {
		p.err = err
		if p.abort != nil {
			p.err = p.abort(err)
		}
	}
	return err
}
