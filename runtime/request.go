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
	if err := s.begin(len(ids), maxNew); err != nil {
		return nil, err
	}
	return s.eval(ctx, ids)
}

// begin resets the session for a new request of a prompt of n tokens and begins the KV
// policy's request with maxNew expected new tokens (0 or too many = the rest of the context).
func (s *Session) begin(n, maxNew int) error {
	s.reset()
	if n > s.ctxLen {
		return fmt.Errorf("%w: the prompt has %d tokens, the context holds %d", ErrContextFull, n, s.ctxLen)
	}
	if s.pol != nil {
		if maxNew <= 0 || maxNew > s.ctxLen-n {
			maxNew = s.ctxLen - n
		}
		if err := s.pol.begin(n, max(maxNew, 1)); err != nil {
			return badConfig{err}
		}
	}
	return nil
}
