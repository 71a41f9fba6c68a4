package runtime

import (
	"context"
	"fmt"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/scope"
)

// SessionOptions configures a session.
type SessionOptions struct {
	ContextLen int // KV positions; 0 = Config.ContextLen, else the model's (capped at 4096)
	PageSize   int // KV page size in token slots; 0 = 16 (KV.PageSize when KV is set)
	// KV selects a KV-compression policy (SCOPE or a baseline). nil keeps every entry in a
	// contiguous cache.
	KV *scope.Config
	// KVMemory bounds the paged KV pool in bytes when KV is set; 0 sizes it for the whole
	// context. Running out of pages is an error wrapping kv.ErrOutOfPages.
	KVMemory int64
}

// Session is one sequence's state: its KV cache and position. Not safe for concurrent use.
type Session struct {
	m       *Model
	cache   kvCache   // contiguous cache (KV == nil)
	pol     *policyKV // policy-driven paged cache (KV != nil)
	units   int       // KV selection units per layer
	kv      backend.KVStore
	acts    *acts
	scores  scoreBufs // attention probabilities for policies and probes
	ctxLen  int
	pos     int     // next position
	history []int32 // tokens evaluated so far
	logits  []float32

	probe      *Probe
	promptLen  int // tokens of the first Eval after Reset
	decodeStep int // tokens evaluated since the prompt
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
	s := &Session{m: m, ctxLen: ctxLen, logits: make([]float32, c.VocabSize), scores: scoreBufs{heads: c.NHeads}}
	layout, err := s.newCache(opts)
	if err != nil {
		return nil, err
	}
	if s.kv, err = m.dev.NewKV(layout); err != nil {
		return nil, fmt.Errorf("allocating the KV cache (%d pages of %d slots): %w", layout.NumPages, layout.PageSize, err)
	}
	if s.acts, err = newActs(m.dev, m, m.cfg.BatchSize); err != nil {
		return nil, fmt.Errorf("allocating activations: %w", err)
	}
	return s, nil
}

// newCache sets up the contiguous or the policy cache and returns the KV store geometry.
func (s *Session) newCache(opts SessionOptions) (backend.KVLayout, error) {
	c := s.m.file.Config
	if opts.KV == nil {
		ps := opts.PageSize
		if ps == 0 {
			ps = 16
		}
		if ps < 0 {
			return backend.KVLayout{}, fmt.Errorf("%w: page size %d", ErrBadConfig, ps)
		}
		cache := newContigCache(c.NLayers, c.NKVHeads, s.ctxLen, ps)
		s.cache, s.units = cache, c.NKVHeads
		return backend.KVLayout{NumPages: cache.numPages(), PageSize: ps, HeadDim: c.HeadDim}, nil
	}
	cfg := *opts.KV
	if opts.PageSize != 0 {
		cfg.PageSize = opts.PageSize
	}
	if err := cfg.Validate(s.ctxLen); err != nil {
		return backend.KVLayout{}, badConfig{err}
	}
	shape := scope.Shape{Layers: c.NLayers, Heads: c.NHeads, KVHeads: c.NKVHeads}
	units := shape.Units(cfg.GQA)
	pages := c.NLayers * units * ((s.ctxLen+cfg.PageSize-1)/cfg.PageSize + 2)
	switch caps := s.m.dev.Caps(); {
	case opts.KVMemory > 0:
		pages = kvPagesFor(opts.KVMemory, cfg.PageSize, c.HeadDim)
	case caps.Kind != "cpu" && caps.MemoryBytes > 0:
		// On a GPU the whole-context pool may not fit: hold it to half the device memory.
		pages = min(pages, kvPagesFor(caps.MemoryBytes/2, cfg.PageSize, c.HeadDim))
	}
	pol, err := newPolicyKV(cfg, shape, pages, int64(2*4*c.HeadDim))
	if err != nil {
		return backend.KVLayout{}, badConfig{err}
	}
	s.pol, s.units = pol, units
	return backend.KVLayout{NumPages: pages, PageSize: cfg.PageSize, HeadDim: c.HeadDim}, nil
}

// Pos is the number of positions evaluated so far.
func (s *Session) Pos() int { return s.pos }

// ContextLen is the session's capacity in positions.
func (s *Session) ContextLen() int { return s.ctxLen }

// KVReport returns the KV policy's accounting for the current request (nil without a policy).
func (s *Session) KVReport() *scope.Report {
	if s.pol == nil || s.pol.mgr == nil {
		return nil
	}
	r := s.pol.mgr.Report()
	return &r
}

// Reset forgets the session's tokens so it can start a new sequence.
func (s *Session) Reset() {
	if s.cache != nil {
		s.cache.Reset()
	}
	if s.pol != nil {
		s.pol.end()
	}
	s.pos, s.promptLen, s.decodeStep = 0, 0, 0
	s.history = s.history[:0]
}

// Eval runs tokens through the model at the next positions, in batches, and returns the
// logits after the last one (valid until the next call). With a KV policy, the first Eval
// after Reset is the prompt; every later token is a decode step.
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
	if s.pos == 0 {
		s.promptLen = len(tokens)
	}
	var err error
	switch {
	case s.pol == nil && s.pos > 0:
		for i := range tokens {
			if err = s.evalContigDecode(ctx, tokens[i]); err != nil {
				break
			}
		}
	case s.pol == nil:
		err = s.evalContig(ctx, tokens)
	case s.pos == 0:
		err = s.evalPrompt(ctx, tokens)
	default:
		for i := range tokens {
			if err = s.evalDecode(ctx, tokens[i]); err != nil {
				break
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if err := s.m.dev.Read(s.acts.logits, s.logits); err != nil {
		return nil, err
	}
	return s.logits, nil
}

func (s *Session) evalContig(ctx context.Context, tokens []int32) error {
	for len(tokens) > 0 {
		n := min(len(tokens), s.m.cfg.BatchSize)
		st, err := s.contigStep(tokens[:n])
		if err != nil {
			return err
		}
		if err := s.run(ctx, st); err != nil {
			return err
		}
		tokens = tokens[n:]
	}
	return nil
}

// contigStep gives tokens their slots and page tables in the contiguous cache.
func (s *Session) contigStep(tokens []int32) (*step, error) {
	st := s.newStep(tokens)
	slots, err := s.cache.Append(st.pos)
	if err != nil {
		return nil, err
	}
	st.slots = slots
	for l := 0; l < s.m.file.Config.NLayers; l++ {
		st.tables = append(st.tables, s.cache.Tables(l))
	}
	return st, nil
}

// evalContigDecode runs one decode token, with attention scores when a probe wants them.
func (s *Session) evalContigDecode(ctx context.Context, token int32) error {
	s.decodeStep++
	if !s.probe.wants(s.decodeStep) {
		return s.evalContig(ctx, []int32{token})
	}
	st, err := s.contigStep([]int32{token})
	if err != nil {
		return err
	}
	stride := 0
	for _, t := range st.tables {
		stride = max(stride, len(t[0])*s.kv.Layout().PageSize)
	}
	if err := s.attachScores(st, stride, 1); err != nil {
		return err
	}
	if err := s.run(ctx, st); err != nil {
		return err
	}
	return s.reportProbe(st, s.decodeStep)
}

func (s *Session) newStep(tokens []int32) *step {
	pos := make([]int32, len(tokens))
	for i := range pos {
		pos[i] = int32(s.pos + i)
	}
	return &step{tokens: tokens, pos: pos}
}

// run executes one step and advances the position.
func (s *Session) run(ctx context.Context, st *step) error {
	if err := s.m.dev.Run(ctx, s.buildOps(st)); err != nil {
		return err
	}
	s.pos += len(st.tokens)
	s.history = append(s.history, st.tokens...)
	return nil
}
