package runtime

import (
	"context"
	"fmt"

	"github.com/scopekv/scope/internal/backend"
)

// SessionOptions configures a session.
type SessionOptions struct {
	ContextLen int // KV positions; 0 = the model's Config.ContextLen (capped at 4096)
	PageSize   int // KV page size in token slots; 0 = 16
}

// Session is one sequence's state: its KV cache and position. Not safe for concurrent use.
type Session struct {
	m           *Model
	cache       kvCache
	kv          backend.KVStore
	acts        *acts
	ctxLen      int
	pos         int     // next position
	history     []int32 // tokens evaluated so far
	scoreStride int
	logits      []float32
}

// NewSession allocates a session's KV cache and activations on the model's device.
func (m *Model) NewSession(opts SessionOptions) (*Session, error) {
	if m.dev == nil {
		return nil, ErrClosed
	}
	c := m.file.Config
	ctxLen := opts.ContextLen
	if ctxLen == 0 {
		ctxLen = m.cfg.ContextLen
	}
	if ctxLen == 0 {
		ctxLen = min(c.ContextLen, 4096)
	}
	if ctxLen < 0 {
		return nil, fmt.Errorf("%w: context length %d", ErrBadConfig, ctxLen)
	}
	pageSize := opts.PageSize
	if pageSize == 0 {
		pageSize = 16
	}
	if pageSize < 0 {
		return nil, fmt.Errorf("%w: page size %d", ErrBadConfig, pageSize)
	}
	cache := newContigCache(c.NLayers, c.NKVHeads, ctxLen, pageSize)
	kv, err := m.dev.NewKV(backend.KVLayout{NumPages: cache.numPages(), PageSize: pageSize, HeadDim: c.HeadDim})
	if err != nil {
		return nil, fmt.Errorf("allocating the KV cache (%d positions): %w", ctxLen, err)
	}
	a, err := newActs(m.dev, m, m.cfg.BatchSize, ctxLen)
	if err != nil {
		return nil, fmt.Errorf("allocating activations: %w", err)
	}
	return &Session{m: m, cache: cache, kv: kv, acts: a, ctxLen: ctxLen,
		logits: make([]float32, c.VocabSize)}, nil
}

// Pos is the number of positions evaluated so far.
func (s *Session) Pos() int { return s.pos }

// ContextLen is the session's capacity in positions.
func (s *Session) ContextLen() int { return s.ctxLen }

// Reset forgets the session's tokens so it can start a new sequence.
func (s *Session) Reset() {
	s.cache.Reset()
	s.pos = 0
	s.history = s.history[:0]
}

// Eval runs tokens through the model at the next positions, in batches, and returns the
// logits after the last one (valid until the next call).
func (s *Session) Eval(ctx context.Context, tokens []int32) ([]float32, error) {
	if len(tokens) == 0 {
		return nil, fmt.Errorf("%w: no tokens to evaluate", ErrBadConfig)
	}
	if s.pos+len(tokens) > s.ctxLen {
		return nil, fmt.Errorf("%w: %d tokens at position %d exceed the context of %d", ErrContextFull, len(tokens), s.pos, s.ctxLen)
	}
	vocab := s.m.file.Config.VocabSize
	for _, t := range tokens {
		if t < 0 || int(t) >= vocab {
			return nil, fmt.Errorf("%w: token %d outside the vocabulary of %d", ErrBadConfig, t, vocab)
		}
	}
	for len(tokens) > 0 {
		n := min(len(tokens), s.m.cfg.BatchSize)
		if err := s.forward(ctx, tokens[:n]); err != nil {
			return nil, err
		}
		tokens = tokens[n:]
	}
	if err := s.m.dev.Read(s.acts.logits, s.logits); err != nil {
		return nil, err
	}
	return s.logits, nil
}

func (s *Session) forward(ctx context.Context, tokens []int32) error {
	pos := make([]int32, len(tokens))
	for i := range pos {
		pos[i] = int32(s.pos + i)
	}
	slots, err := s.cache.Append(pos)
	if err != nil {
		return err
	}
	st := &step{tokens: tokens, pos: pos, slots: slots}
	for l := 0; l < s.m.file.Config.NLayers; l++ {
		st.tables = append(st.tables, s.cache.Tables(l))
	}
	if err := s.m.dev.Run(ctx, s.buildOps(st)); err != nil {
		return err
	}
	s.pos += len(tokens)
	s.history = append(s.history, tokens...)
	return nil
}
