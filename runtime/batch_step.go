package runtime

import (
	"context"
	"fmt"
)

// BatchItem is one sequence's share of a Batch step.
type BatchItem struct {
	Session *Session
	// Tokens continue the sequence: decode tokens after its prompt, or the prompt itself
	// with Prefill. Nil (without Prefill) continues a prompt an earlier step left pending.
	Tokens []int32
	// Prefill starts a new request: the session starts over, the policy's request begins
	// with MaxNew expected new tokens (0 = the rest of the context), and Tokens are its
	// prompt.
	Prefill bool
	MaxNew  int

	Logits []float32 // out: the logits after the last token (valid until its next step)
	Err    error     // out
	// Pending (out) says the prompt is not all in yet: the step ran the chunk that fit
	// (or none), and a later step continues it (an item with nil Tokens).
	Pending bool
	// Shared (out, with Prefill) is the prompt tokens whose KV pages came from another
	// sequence of the step with the same prompt start, instead of being computed.
	Shared int
}

// itemRun is an item's progress through the passes of a step.
type itemRun struct {
	it     *BatchItem
	s      *Session
	decode []int32 // decode tokens still to run
	prompt bool    // the item runs the next chunk of the session's prompt (s.prompt)
	done   bool
}

// promptLeft is a prompt that has not all run yet.
type promptLeft struct {
	tokens []int32
}

// Step runs one forward pass with one decode token of every decoding item and, in the
// rest of the batch's step tokens, the next chunk of every prompt in item order (the
// prompts that do not fit, whole or in part, stay Pending for a later step: a long prompt
// never holds up the decoding sequences); then more passes only for items with more
// than one decode token. It fills each item's Logits (unless Pending) or Err; one item's
// failure (out of KV pages, a bad token) does not stop the others. The error it returns
// is a failure of the whole step (a closed model, a cancelled ctx).
func (b *Batch) Step(ctx context.Context, items []BatchItem) error {
	runs := b.enter(ctx, items)
	defer b.exit(runs)
	return b.m.withDevice(ctx, func(ctx context.Context) error {
		b.fw.mu.Lock()
		defer b.fw.mu.Unlock()
		for _, r := range runs {
			r.start()
		}
		for _, r := range runs {
			if r.it.Prefill && !r.done {
				r.sharePrefix(runs)
			}
		}
		for first := true; ; first = false {
			parts, owners := b.nextPass(runs, first)
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
}

// enter claims every item's session (ErrBusy, ErrClosed and tokens that cannot run fail
// the item alone).
func (b *Batch) enter(ctx context.Context, items []BatchItem) []*itemRun {
	runs := make([]*itemRun, 0, len(items))
	for i := range items {
		it := &items[i]
		it.Logits, it.Err, it.Pending, it.Shared = nil, nil, false, 0
		s := it.Session
		if s == nil || s.fw != b.fw {
			it.Err = fmt.Errorf("%w: the session is not one of this batch's", ErrBadConfig)
			continue
		}
		if _, err := s.enter(ctx); err != nil {
			it.Err = err
			continue
		}
		runs = append(runs, &itemRun{it: it, s: s})
	}
	return runs
}

func (b *Batch) exit(runs []*itemRun) {
	for _, r := range runs {
		if r.it.Err == nil {
			r.it.Err = r.s.deliverProbes()
		}
		switch {
		case r.it.Err != nil:
		case r.s.prompt != nil:
			r.it.Pending = true
		default:
			r.it.Logits = r.s.logits
		}
		r.s.exit()
	}
}

// start checks an item and sets up its work: a new prompt, the rest of a pending one, or
// decode tokens.
func (r *itemRun) start() {
	s, it := r.s, r.it
	switch {
	case it.Prefill:
		if len(it.Tokens) == 0 {
			r.fail(fmt.Errorf("%w: empty prompt", ErrBadConfig))
			return
		}
		s.prompt = nil
		if err := s.begin(len(it.Tokens), it.MaxNew); err != nil {
			r.fail(err)
			return
		}
	case len(it.Tokens) == 0:
		if s.prompt == nil {
			r.fail(fmt.Errorf("%w: no tokens and no pending prompt", ErrBadConfig))
			return
		}
		r.prompt = true
		return
	case s.prompt != nil:
		r.fail(fmt.Errorf("%w: decode tokens while the prompt is pending", ErrBadConfig))
		return
	}
	if err := s.checkTokens(it.Tokens); err != nil {
		r.fail(err)
		return
	}
	if s.pos > 0 {
		r.decode = it.Tokens
		return
	}
	r.prompt = true
	s.promptLen = len(it.Tokens)
	if err := s.startPrompt(len(it.Tokens)); err != nil {
		r.fail(err)
		return
	}
	s.prompt = &promptLeft{tokens: it.Tokens}
}

// sharePrefix takes the leading prompt pages from the decoding sequence of the step whose
// prompt shares the longest start with this one (see scope.Manager.SharePrefix); the
// prompt then runs from the first token not shared. At least the last token is computed:
// it gives the logits.
func (r *itemRun) sharePrefix(runs []*itemRun) {
	s := r.s
	left := s.prompt.tokens
	var donor *Session
	best := 0
	for _, o := range runs {
		d := o.s
		if o.prompt || d == s || d.pol.mgr == nil || !d.pol.decoding {
			continue
		}
		if n := commonPrefix(d.history[:min(d.promptLen, len(d.history))], left); n > best {
			donor, best = d, n
		}
	}
	if donor == nil {
		return
	}
	n, err := s.pol.mgr.SharePrefix(donor.pol.mgr, min(best, len(left)-1))
	if err != nil || n == 0 {
		return // nothing shared: the prompt runs in full
	}
	s.pos, s.history = n, append(s.history[:0], left[:n]...)
	s.prompt.tokens, r.it.Shared = left[n:], n
}

func commonPrefix(a, b []int32) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// nextChunk is the size of the prompt's next chunk in room tokens: as much as fits, but
// never leaving fewer than the observation window for the last chunk (SnapKV's window
// queries run in one pass). 0 when nothing fits now.
func (s *Session) nextChunk(room int) int {
	left := len(s.prompt.tokens)
	w := min(s.pol.cfg.Window, s.pol.promptN)
	c := min(room, left)
	if rest := left - c; rest > 0 && rest < w {
		c = left - w
	}
	return max(c, 0)
}

// next prepares the item's next part in room tokens (nil when nothing fits).
func (r *itemRun) next(room int) (*part, error) {
	s := r.s
	if !r.prompt {
		return s.decodePart(r.decode[0])
	}
	n := s.nextChunk(room)
	if n == 0 {
		return nil, nil
	}
	return s.promptPart(s.prompt.tokens[:n], n == len(s.prompt.tokens))
}

// advance records a part's outcome.
func (r *itemRun) advance(p *part) {
	if p.err != nil {
		r.fail(p.err)
		return
	}
	n := len(p.st.tokens)
	if r.prompt {
		if r.s.prompt.tokens = r.s.prompt.tokens[n:]; len(r.s.prompt.tokens) == 0 {
			r.s.prompt = nil
		}
		r.done = true // one chunk per step
		return
	}
	r.decode = r.decode[n:]
	r.done = len(r.decode) == 0
}

func (r *itemRun) fail(err error) {
	r.it.Err, r.done = err, true
	if r.prompt || r.it.Prefill {
		r.s.prompt = nil
		r.s.reset() // a prompt cannot be resumed halfway
	}
}

// nextPass prepares the parts of the next forward pass: decode tokens first, then prompt
// chunks (first pass only) in the room left, within the step's tokens and sequences.
func (b *Batch) nextPass(runs []*itemRun, first bool) ([]*part, []*itemRun) {
	var parts []*part
	var owners []*itemRun
	rows := 0
	add := func(r *itemRun) {
		if len(parts) == b.fw.seqs || rows == b.fw.rows {
			return
		}
		p, err := r.next(b.fw.rows - rows)
		switch {
		case err != nil:
			r.fail(err)
		case p != nil:
			parts, owners = append(parts, p), append(owners, r)
			rows += len(p.st.tokens)
		}
	}
	for _, r := range runs {
		if !r.done && !r.prompt {
			add(r)
		}
	}
	for _, r := range runs {
		if first && !r.done && r.prompt {
			add(r)
		}
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
