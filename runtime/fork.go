package runtime

import (
	"fmt"

	"github.com/scopekv/scope/kv"
)

// Fork returns a new session that continues from this one's state and shares its KV pages
// (copy on write): a prompt evaluated once can be continued several ways. Only sessions with
// a paged KV policy (SessionOptions.KV) can fork, and only after their prompt.
func (s *Session) Fork() (*Session, error) {
	if s.pol == nil {
		return nil, fmt.Errorf("%w: only sessions with a paged KV policy (SessionOptions.KV) can fork", ErrBadConfig)
	}
	if s.pol.mgr == nil || !s.pol.decoding {
		return nil, fmt.Errorf("%w: fork after the prompt has been evaluated", ErrBadConfig)
	}
	mgr, err := s.pol.mgr.Fork()
	if err != nil {
		return nil, err
	}
	pol := *s.pol
	pol.mgr, pol.ups, pol.low = mgr, nil, kv.Lowered{}
	a, err := newActs(s.m.dev, s.m, s.m.cfg.BatchSize)
	if err != nil {
		mgr.Close()
		return nil, fmt.Errorf("allocating activations: %w", err)
	}
	f := *s
	f.pol, f.acts = &pol, a
	f.scores = scoreBufs{heads: s.scores.heads}
	f.history = append([]int32(nil), s.history...)
	f.logits = append([]float32(nil), s.logits...)
	return &f, nil
}
