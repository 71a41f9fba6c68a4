package runtime

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Continue evaluates text on top of what the session already holds and samples an answer
// the way Generate does: only text's tokens are evaluated, the earlier ones stay in the KV
// cache. A chat feeds each turn this way.
//
// On an empty session text starts the sequence (with BOS unless opts.NoBOS); later texts
// get no BOS. Special-token texts in text become those tokens, as chat templates write them.
// opts.Stream receives the generated pieces only, not text.
//
// On return the session holds every token of Result.Tokens (unless the context is full or
// ctx was cancelled), so the next Continue goes on after the answer; an end-of-generation
// token that stopped the answer is not held. With a KV policy the first text is the prompt,
// and the request's expected new tokens (T) are the rest of the context, so later turns are
// decode steps within it.
func (s *Session) Continue(ctx context.Context, text string, opts GenerateOptions) (*Result, error) {
	ctx, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer s.exit()
	if err := opts.check(); err != nil {
		return nil, err
	}
	tok := s.m.file.Tokenizer
	fresh := s.pos == 0
	ids := tok.Encode(text, fresh && !opts.NoBOS, true)
	if len(ids) == 0 {
		return nil, fmt.Errorf("%w: nothing to evaluate", ErrBadConfig)
	}
	if s.pos+len(ids) > s.ctxLen {
		return nil, fmt.Errorf("%w: %d new tokens at position %d exceed the context of %d", ErrContextFull, len(ids), s.pos, s.ctxLen)
	}
	if fresh {
		s.reset() // a policy request begins at the prompt, with the rest of the context as T
	}
	base := s.pos
	out := newTextStream(tok, opts.Stream)
	out.stopAt(opts.Stop)
	out.prev = ids[len(ids)-1]
	res := &Result{PromptTokens: len(ids), StopReason: "length"}
	start := time.Now()
	logits, err := s.eval(ctx, ids)
	if err != nil {
		return nil, err
	}
	res.PromptTime = time.Since(start)
	if err = s.sampleLoop(ctx, logits, opts, res, out); err == nil {
		err = out.finish()
	}
	if err == nil || ctx.Err() == nil {
		err = errors.Join(err, s.holdAnswer(ctx, res, base+len(ids)))
	}
	return s.finish(res, out, start, err)
}

// holdAnswer evaluates the answer's tokens the sample loop did not (the last one when it
// stopped at the token limit or because Stream asked it to), so the session ends after the
// whole answer.
func (s *Session) holdAnswer(ctx context.Context, res *Result, answerStart int) error {
	want := answerStart + len(res.Tokens)
	if s.pos >= want || want > s.ctxLen || s.pos < answerStart {
		return nil
	}
	_, err := s.eval(ctx, res.Tokens[len(res.Tokens)-(want-s.pos):])
	return err
}
