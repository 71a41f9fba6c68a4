package runtime

import (
	"context"
	"fmt"
)

// BatchItem is one sequence's share of a Batch step.
type BatchItem struct {
	Session *Session
	Tokens  []int32
	// Prefill starts a new request: the session starts over, the policy's request begins
	// with MaxNew expected new tokens (0 = the rest of the context), and Tokens are its
	// prompt. Otherwise Tokens continue the sequence (decode steps after its prompt).
	Prefill bool
	MaxNew  int

	Logits []float32 // out: the logits after the last token (valid until its next step)
	Err    error     // out
	// Shared (out, with Prefill) is the prompt tokens whose KV pages came from another
	// sequence of the step with the same prompt start, instead of being computed.
	Shared int
}

// itemRun is an item's progress through the passes of a step.
type itemRun struct {
	it     *BatchItem
	s      *Session
	left   []int32
	chunks []int // the prompt's chunks still to run (nil for decode tokens)
	prompt bool
	done   bool
}

// Step runs every item's tokens at its session's next positions, in as few forward passes
// as the batch's step size allows: each pass carries one decode token of every decoding
// item and the next chunk of every prompt that still fits. It fills each item's Logits or
// Err; one item's failure (out of KV pages, a bad token) does not stop the others. The
// error it returns is a failure of the whole step (a closed model, a cancelled ctx).
func (b *Batch) Step(ctx context.Context, items []BatchItem) error {
	runs := b.enter(ctx, items)
	defer b.exit(runs)
	err := b.m.withDevice(ctx, func(ctx context.Context) error {
		b.fw.mu.Lock()
		defer b.fw.mu.Unlock()
		for _, r := range runs {
			r.start()
		}
		for _, r := range runs {
			if r.prompt && !r.done {
				r.sharePrefix(runs)
			}
		}
		for {
			parts, owners := b.nextPass(runs)
			if len(parts) == 0 {
				return nil
			}
			err := b.fw.run(ctx, parts)
			for i, p := range parts {
				owners[i].advance(p)
			}
			if err != nil && ctx.Err() != nil {
				b.failAll(runs, err)
				return err
			}
		}
	})
	return err
}

// enter claims every item's session (ErrBusy, ErrClosed and tokens that cannot run fail
// the item alone).
func (b *Batch) enter(ctx context.Context, items []BatchItem) []*itemRun {
	runs := make([]*itemRun, 0, len(items))
	for i := range items {
		it := &items[i]
		it.Logits, it.Err, it.Shared = nil, nil, 0
		s := it.Session
		if s == nil || s.fw != b.fw {
			it.Err = fmt.Errorf("%w: the session is not one of this batch's", ErrBadConfig)
			continue
		}
		if _, err := s.enter(ctx); err != nil {
			it.Err = err
			continue
		}
		runs = append(runs, &itemRun{it: it, s: s, left: it.Tokens})
	}
	return runs
}

func (b *Batch) exit(runs []*itemRun) {
	for _, r := range runs {
		if r.it.Err == nil {
			r.it.Err = r.s.deliverProbes()
		}
		if r.it.Err == nil {
			r.it.Logits = r.s.logits
		}
		r.s.exit()
	}
}

// start begins a prefill's request and plans a prompt's chunks.
func (r *itemRun) start() {
	s, it := r.s, r.it
	if it.Prefill {
		if len(it.Tokens) == 0 {
			r.fail(fmt.Errorf("%w: empty prompt", ErrBadConfig))
			return
		}
		if err := s.begin(len(it.Tokens), it.MaxNew); err != nil {
			r.fail(err)
			return
		}
	}
	if err := s.checkTokens(it.Tokens); err != nil {
		r.fail(err)
		return
	}
	if s.pos > 0 {
		return
	}
	r.prompt = true
	s.promptLen = len(it.Tokens)
	if err := s.startPrompt(len(it.Tokens)); err != nil {
		r.fail(err)
		return
	}
	r.chunks = s.pol.chunks(len(it.Tokens), s.fw.rows)
}

// sharePrefix takes the leading prompt pages from the decoding sequence of the step whose
// prompt shares the longest start with this one (see scope.Manager.SharePrefix); the
// prompt then runs from the first token not shared. At least the last token is computed:
// it gives the logits.
func (r *itemRun) sharePrefix(runs []*itemRun) {
	var donor *Session
	best := 0
	for _, o := range runs {
		d := o.s
		if o.prompt || d == r.s || d.pol.mgr == nil || !d.pol.decoding {
			continue
		}
		if n := commonPrefix(d.history[:min(d.promptLen, len(d.history))], r.left); n > best {
			donor, best = d, n
		}
	}
	if donor == nil {
		return
	}
	s := r.s
	n, err := s.pol.mgr.SharePrefix(donor.pol.mgr, min(best, len(r.left)-1))
	if err != nil || n == 0 {
		return // nothing shared: the prompt runs in full
	}
	s.pos, s.history = n, append(s.history[:0], r.left[:n]...)
	r.left, r.it.Shared = r.left[n:], n
	r.chunks = s.pol.chunks(len(r.left), s.fw.rows)
}

func commonPrefix(a, b []int32) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// next prepares the item's next part: a prompt chunk or one decode token.
func (r *itemRun) next() (*part, int, error) {
	if r.prompt {
		n := r.chunks[0]
		p, err := r.s.promptPart(r.left[:n], len(r.chunks) == 1)
		return p, n, err
	}
	p, err := r.s.decodePart(r.left[0])
	return p, 1, err
}

// size is the tokens of the item's next part.
func (r *itemRun) size() int {
	if r.prompt {
		return r.chunks[0]
	}
	return 1
}

// advance records a part's outcome.
func (r *itemRun) advance(p *part) {
	if p.err != nil {
		r.fail(p.err)
		return
	}
	n := len(p.st.tokens)
	r.left = r.left[n:]
	if r.prompt {
		r.chunks = r.chunks[1:]
	}
	r.done = len(r.left) == 0
}

func (r *itemRun) fail(err error) {
	r.it.Err, r.done = err, true
	if r.prompt {
		r.s.reset() // a prompt cannot be resumed halfway
	}
}

// nextPass prepares the parts of the next forward pass: items in order, as many as fit the
// step's tokens and sequences.
func (b *Batch) nextPass(runs []*itemRun) ([]*part, []*itemRun) {
	var parts []*part
	var owners []*itemRun
	rows := 0
	for _, r := range runs {
		if r.done || len(parts) == b.fw.seqs || rows+r.size() > b.fw.rows {
			continue
		}
		p, n, err := r.next()
		if err != nil {
			r.fail(err)
			continue
		}
		parts, owners = append(parts, p), append(owners, r)
		rows += n
	}
	return parts, owners
}

func (b *Batch) failAll(runs []*itemRun, err error) {
	for _, r := range runs {
		if !r.done {
			r.fail(err)
		}
	}
}
