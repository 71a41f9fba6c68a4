package runtime

import (
	"context"
	"fmt"

	"github.com/scopekv/scope/kv"
)

// Fork returns a new session that continues from this one's state and shares its KV pages
// (copy on write): a prompt evaluated once can be continued several ways, with full KV or a
// policy, after the prompt. The fork is
// a session of its own: Close it when done (its shared pages lose a reference; the KV
// store is freed with the last session that uses it).
func (s *Session) Fork() (*Session, error) {
	ctx, err := s.enter(context.Background())
	if err != nil {
		return nil, err
	}
	defer s.exit()
	if s.pol.mgr == nil || !s.pol.decoding {
		return nil, fmt.Errorf("%w: fork after the prompt has been evaluated", ErrBadConfig)
	}
	var f *Session
	err = s.m.withDevice(ctx, func(context.Context) error {
		f, err = s.fork()
		return err
	})
	return f, err
}

func (s *Session) fork() (*Session, error) {
	mgr, err := s.pol.mgr.Fork()
	if err != nil {
		return nil, err
	}
	fw, err := newForward(s.m, s.m.cfg.BatchSize, 1)
	if err != nil {
		mgr.Close()
		return nil, fmt.Errorf("allocating activations: %w", err)
	}
	pol := *s.pol
	pol.mgr, pol.ups, pol.low = mgr, nil, kv.Lowered{}
	s.store.retain()
	return &Session{m: s.m, pol: &pol, units: s.units, kv: s.kv, store: s.store, fw: fw, ownFw: true, full: s.full,
		scores: scoreBufs{heads: s.scores.heads}, ctxLen: s.ctxLen, pos: s.pos,
		history: append([]int32(nil), s.history...), logits: append([]float32(nil), s.logits...),
		probe: s.probe, promptLen: s.promptLen, decodeStep: s.decodeStep}, nil
}
