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
	// KV selects a KV-compression policy (SCOPE or a baseline). nil keeps every entry (full
	// KV, scope.DefaultConfig); either way the cache lives in pages of a paged pool.
	KV *scope.Config
	// KVMemory bounds the paged KV pool in bytes; 0 sizes it for the policy's need (see
	// MaxPromptTokens), the whole context with full KV. Running out of pages is an error wrapping kv.ErrOutOfPages.
	KVMemory int64
	// MaxPromptTokens is the longest prompt the session will take: with a policy the KV
	// store is then sized for that prompt plus what the policy keeps while decoding, not
	// for the whole context. A longer prompt fails with ErrContextFull. 0 = the context.
	// The store then holds one sequence: forks share it, so size those with KVMemory.
	MaxPromptTokens int
}

// Session is one sequence's state: its KV cache and position. It serves one call at a
// time: a call made while another runs returns ErrBusy. Close frees it.
type Session struct {
	m       *Model
	pol     *policyKV // the paged cache and its policy (full KV keeps every entry)
	full    bool      // no policy was asked for
	units   int       // KV selection units per layer
	kv      backend.KVStore
	store   *sharedKV // kv, shared with forks and a Batch's sessions
	fw      *forward  // the session's own, or its Batch's
	ownFw   bool
	scores  scoreBufs // attention probabilities for policies and probes
	ctxLen  int
	pos     int     // next position
	history []int32 // tokens evaluated so far
	logits  []float32
	life    sessionLife

	prompt *promptLeft // a Batch prompt that has not all run yet

	probe      *Probe
	promptLen  int // tokens of the first Eval after Reset
	decodeStep int // tokens evaluated since the prompt

	probeOut []ProbeSample // samples of the running Eval, delivered after it
}

// NewSession allocates a session's KV cache and activations on the model's device, after
// checking that they fit in its memory.
func (m *Model) NewSession(opts SessionOptions) (*Session, error) {
	var s *Session
	err := m.withDevice(context.Background(), func(context.Context) error {
		var err error
		s, err = m.newSession(opts)
		return err
	})
	return s, err
}

func (m *Model) newSession(opts SessionOptions) (*Session, error) {
	c := m.file.Config
	ctxLen := opts.ContextLen
	if ctxLen == 0 {
		ctxLen = m.cfg.ContextLen
	}
	if ctxLen == 0 {
		ctxLen = min(c.ContextLen, defaultContextCap)
	}
	if ctxLen <= 0 || ctxLen > maxSlots || opts.KVMemory < 0 {
		return nil, fmt.Errorf("%w: context length %d, KV memory %d", ErrBadConfig, ctxLen, opts.KVMemory)
	}
	s := &Session{m: m, ctxLen: ctxLen, scores: scoreBufs{heads: c.NHeads}}
	layout, err := s.newCache(opts)
	if err != nil {
		return nil, err
	}
	s.logits = make([]float32, c.VocabSize)
	if s.kv, err = m.dev.NewKV(layout); err != nil {
		return nil, fmt.Errorf("allocating the KV cache (%d pages of %d slots): %w", layout.NumPages, layout.PageSize, err)
	}
	s.store = &sharedKV{kv: s.kv, refs: 1}
	if s.fw, err = newForward(m, m.cfg.BatchSize, 1); err != nil {
		s.release()
		return nil, fmt.Errorf("allocating activations: %w", err)
	}
	s.ownFw = true
	return s, nil
}

// newCache sets up the paged cache with its policy (full KV without one) and returns the
// KV store geometry, once the store is known to fit.
func (s *Session) newCache(opts SessionOptions) (backend.KVLayout, error) {
	c := s.m.file.Config
	cfg := scope.DefaultConfig()
	if opts.KV != nil {
		cfg = *opts.KV
	}
	s.full = opts.KV == nil
	if opts.PageSize < 0 {
		return backend.KVLayout{}, fmt.Errorf("%w: page size %d", ErrBadConfig, opts.PageSize)
	}
	if opts.PageSize != 0 {
		cfg.PageSize = opts.PageSize
	}
	if err := cfg.Validate(s.ctxLen); err != nil {
		return backend.KVLayout{}, badConfig{err}
	}
	shape := scope.Shape{Layers: c.NLayers, Heads: c.NHeads, KVHeads: c.NKVHeads}
	units := shape.Units(cfg.GQA)
	pages, err := policyPages(cfg, shape, s.ctxLen, opts.MaxPromptTokens)
	if err != nil {
		return backend.KVLayout{}, badConfig{err}
	}
	switch caps := s.m.caps; {
	case opts.KVMemory > 0:
		pages = kvPagesFor(opts.KVMemory, cfg.PageSize, c)
		if least := c.NLayers * units; pages < least {
			return backend.KVLayout{}, fmt.Errorf("%w: a KV memory budget of %d bytes holds %d pages of %d slots; the policy needs at least %d (one per layer and unit): budget too small",
				ErrBadConfig, opts.KVMemory, pages, cfg.PageSize, least)
		}
	case !caps.Kind.OnHost() && caps.MemoryBytes > 0:
		// On a GPU the whole-context pool may not fit: hold it to half the device memory.
		pages = min(pages, kvPagesFor(caps.MemoryBytes/2, cfg.PageSize, c))
	}
	if err := s.m.checkSession(int64(pages), cfg.PageSize, policySlotHostBytes); err != nil {
		return backend.KVLayout{}, err
	}
	pol, err := newPolicyKV(cfg, shape, pages, kvSlotBytes(c))
	if err != nil {
		return backend.KVLayout{}, badConfig{err}
	}
	s.pol, s.units = pol, units
	pol.maxPrompt = opts.MaxPromptTokens
	return backend.KVLayout{NumPages: pages, PageSize: cfg.PageSize, HeadDim: c.HeadDim}, nil
}

// Pos is the number of positions evaluated so far.
func (s *Session) Pos() int { return s.pos }

// ContextLen is the session's capacity in positions.
func (s *Session) ContextLen() int { return s.ctxLen }

// KVReport returns the KV policy's accounting for the current request (nil with full KV,
// on a closed session and while a call runs on it).
func (s *Session) KVReport() *scope.Report {
	if _, err := s.enter(context.Background()); err != nil {
		return nil
	}
	defer s.exit()
	return s.kvReport()
}

func (s *Session) kvReport() *scope.Report {
	if s.full || s.pol.mgr == nil {
		return nil
	}
	r := s.pol.mgr.Report()
	r.DeviceBytes = s.KVBytes()
	return &r
}

// KVBytes returns the device memory of the session's KV store (K, V and positions).
func (s *Session) KVBytes() int64 { return s.kv.Bytes() }

// Reset forgets the session's tokens so it can start a new sequence. On a closed or busy
// session it does nothing.
func (s *Session) Reset() {
	if _, err := s.enter(context.Background()); err != nil {
		return
	}
	defer s.exit()
	s.reset()
}

func (s *Session) reset() {
	s.pol.end()
	s.prompt = nil
	s.pos, s.promptLen, s.decodeStep = 0, 0, 0
	s.history = s.history[:0]
}

// Eval runs tokens through the model at the next positions, in batches, and returns the
// logits after the last one (valid until the next call). With a KV policy, the first Eval
// after Reset is the prompt; every later token is a decode step. A step that fails or is
// cancelled leaves the session as it was before that step (a policy session that fails in
// its prompt starts over from Reset).
func (s *Session) Eval(ctx context.Context, tokens []int32) ([]float32, error) {
	ctx, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer s.exit()
	return s.eval(ctx, tokens)
}

func (s *Session) eval(ctx context.Context, tokens []int32) ([]float32, error) {
	if err := s.checkTokens(tokens); err != nil {
		return nil, err
	}
	err := s.m.withDevice(ctx, func(ctx context.Context) error {
		s.fw.mu.Lock()
		defer s.fw.mu.Unlock()
		return s.evalTokens(ctx, tokens)
	})
	if perr := s.deliverProbes(); err == nil {
		err = perr
	}
	if err != nil {
		return nil, err
	}
	return s.logits, nil
}

// checkTokens refuses an empty list, ids outside the vocabulary and tokens past the context.
func (s *Session) checkTokens(tokens []int32) error {
	if len(tokens) == 0 {
		return fmt.Errorf("%w: no tokens to evaluate", ErrBadConfig)
	}
	if s.pos+len(tokens) > s.ctxLen {
		return fmt.Errorf("%w: %d tokens at position %d exceed the context of %d", ErrContextFull, len(tokens), s.pos, s.ctxLen)
	}
	vocab := s.m.file.Config.VocabSize
	for _, t := range tokens {
		if t < 0 || int(t) >= vocab {
			return fmt.Errorf("%w: token %d outside the vocabulary of %d", ErrBadConfig, t, vocab)
		}
	}
	return nil
}

// evalTokens runs the tokens through the cache: the first ones after Reset are the prompt,
// every later token is a decode step. The caller holds s.fw.mu.
func (s *Session) evalTokens(ctx context.Context, tokens []int32) error {
	if s.pos == 0 {
		s.promptLen = len(tokens)
		err := s.evalPrompt(ctx, tokens)
		if err != nil {
			s.reset() // the policy's prompt state cannot be resumed halfway
		}
		return err
	}
	for i := range tokens {
		if err := s.evalDecode(ctx, tokens[i]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Session) newStep(tokens []int32) *step {
	pos := make([]int32, len(tokens))
	for i := range pos {
		pos[i] = int32(s.pos + i)
	}
	return &step{tokens: tokens, pos: pos}
}

// runPart runs one part of this session alone and returns its outcome (a failed pass
// is the part's error too).
func (s *Session) runPart(ctx context.Context, p *part) error {
	_ = s.fw.run(ctx, []*part{p})
	return p.err
}
