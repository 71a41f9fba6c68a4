package runtime

import (
	"context"
	"fmt"
)

// Prefill starts a new request on the session: it resets it, begins the KV policy's request
// with maxNew expected new tokens (T), and evaluates the prompt ids. It returns the logits
// after the last prompt token; each later token goes through Eval, one decode step at a
// time. It is the step-level entry point for callers that sample themselves (a serving
// engine); Generate does the same from text.
func (s *Session) Prefill(ctx context.Context, ids []int32, maxNew int) ([]float32, error) {
	ctx, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer s.exit()
	if len(ids) == 0 {
		return nil, fmt.Errorf("%w: empty prompt", ErrBadConfig)
	}
	s.reset()
	if len(ids) > s.ctxLen {
		return nil, fmt.Errorf("%w: the prompt has %d tokens, the context holds %d", ErrContextFull, len(ids), s.ctxLen)
	}
	if s.pol != nil {
		if maxNew <= 0 || maxNew > s.ctxLen-len(ids) {
			maxNew = s.ctxLen - len(ids)
		}
		if err := s.pol.begin(len(ids), max(maxNew, 1)); err != nil {
			return nil, badConfig{err}
		}
	}
	return s.eval(ctx, ids)
}
