package runtime

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/scopekv/scope/internal/backend"
	"github.com/scopekv/scope/kv"
	"github.com/scopekv/scope/scope"
)

// BatchOptions configure a Batch.
type BatchOptions struct {
	ContextLen int           // positions per sequence; 0 as for NewSession
	KVMemory   int64         // bytes of the KV store all sequences share (required)
	PageSize   int           // token slots per KV page; 0 = 16
	GQA        scope.GQAMode // the KV unit mode of every sequence's policy (group by default)
	StepTokens int           // tokens per forward pass; 0 = Config.BatchSize
	Seqs       int           // sequences per forward pass; 0 = 16
}

// Batch runs many sequences over one KV store and page pool: a step's forward pass carries
// the tokens of every sequence it is given (the matrix products run over all of them at
// once; attention, KV writes and scores go through each sequence's own page tables and
// positions). Each sequence is a Session made by NewSession, with its own KV policy. A
// Batch serves one Step at a time; Close frees it once its sessions are closed.
type Batch struct {
	m        *Model
	ctxLen   int
	pageSize int
	gqa      scope.GQAMode
	shape    scope.Shape
	pool     *kv.Pool
	store    *sharedKV
	fw       *forward

	mu     sync.Mutex
	closed bool
}

// NewBatch allocates the shared KV store of opts.KVMemory bytes and the activations of one
// forward pass.
func (m *Model) NewBatch(opts BatchOptions) (*Batch, error) {
	var b *Batch
	err := m.withDevice(context.Background(), func(context.Context) error {
		var err error
		b, err = m.newBatch(opts)
		return err
	})
	return b, err
}

func (m *Model) newBatch(opts BatchOptions) (*Batch, error) {
	c := m.file.Config
	b := &Batch{m: m, ctxLen: opts.ContextLen, pageSize: cmp.Or(opts.PageSize, defaultPageSize), gqa: opts.GQA,
		shape: scope.Shape{Layers: c.NLayers, Heads: c.NHeads, KVHeads: c.NKVHeads}}
	if b.ctxLen == 0 {
		b.ctxLen = cmp.Or(m.cfg.ContextLen, min(c.ContextLen, defaultContextCap))
	}
	rows, seqs := cmp.Or(opts.StepTokens, m.cfg.BatchSize), cmp.Or(opts.Seqs, 16)
	units := b.shape.Units(b.gqa)
	pages := kvPagesFor(opts.KVMemory, b.pageSize, c)
	switch {
	case b.ctxLen <= 0 || b.ctxLen > maxSlots || b.pageSize < 0 || rows < 0 || seqs < 0:
		return nil, fmt.Errorf("%w: context %d, page size %d, step tokens %d, sequences %d", ErrBadConfig, b.ctxLen, b.pageSize, rows, seqs)
	case pages < c.NLayers*units:
		return nil, fmt.Errorf("%w: a KV memory of %d bytes holds %d pages of %d slots; a sequence needs at least %d",
			ErrBadConfig, opts.KVMemory, pages, b.pageSize, c.NLayers*units)
	}
	if err := m.checkSession(int64(pages), b.pageSize, policySlotHostBytes); err != nil {
		return nil, err
	}
	pool, err := kv.NewPool(kv.Config{Layers: c.NLayers, Units: units, PageSize: b.pageSize, Pages: pages, BytesPerSlot: kvSlotBytes(c)})
	if err != nil {
		return nil, badConfig{err}
	}
	b.pool = pool
	store, err := m.dev.NewKV(backend.KVLayout{NumPages: pages, PageSize: b.pageSize, HeadDim: c.HeadDim})
	if err != nil {
		return nil, fmt.Errorf("allocating the KV store (%d pages of %d slots): %w", pages, b.pageSize, err)
	}
	if b.fw, err = newForward(m, rows, seqs); err != nil {
		return nil, errors.Join(fmt.Errorf("allocating activations: %w", err), m.dev.FreeKV(store))
	}
	b.store = &sharedKV{kv: store, refs: 1, fw: b.fw}
	return b, nil
}

// Pages returns the pool's used and total pages.
func (b *Batch) Pages() (used, total int) {
	return b.pool.UsedPages(), b.pool.Config().Pages
}

// NewSession adds a sequence with KV policy cfg (nil = full KV). Its pages come from the
// batch's pool, at the batch's page size; its GQA mode must be the batch's. The session is
// driven by Step (Eval, Prefill and Generate also work on it, one sequence at a time).
func (b *Batch) NewSession(cfg *scope.Config) (*Session, error) {
	var s *Session
	err := b.m.withDevice(context.Background(), func(context.Context) error {
		var err error
		s, err = b.newSession(cfg)
		return err
	})
	return s, err
}

func (b *Batch) newSession(cfg *scope.Config) (*Session, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, fmt.Errorf("%w: the batch is closed", ErrClosed)
	}
	c := scope.DefaultConfig()
	if cfg != nil {
		c = *cfg
	}
	c.PageSize = b.pageSize
	if c.GQA != b.gqa {
		return nil, fmt.Errorf("%w: GQA mode %q in a batch whose pool holds %q units", ErrBadConfig, c.GQA, b.gqa)
	}
	if err := c.Validate(b.ctxLen); err != nil {
		return nil, badConfig{err}
	}
	m := b.m
	b.store.retain()
	return &Session{m: m, pol: sharedPolicyKV(c, b.shape, b.pool), full: cfg == nil, units: b.shape.Units(b.gqa),
		kv: b.store.kv, store: b.store, fw: b.fw, scores: scoreBufs{heads: m.file.Config.NHeads}, ctxLen: b.ctxLen,
		logits: make([]float32, m.file.Config.VocabSize)}, nil
}

// Close frees the batch's KV store and activations once every session made from it is
// closed too. Later NewSession calls fail with ErrClosed.
func (b *Batch) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	err := b.m.withDevice(context.Background(), func(context.Context) error {
		return b.store.drop(b.m.dev)
	})
	if errors.Is(err, errModelClosed) {
		return nil
	}
	return err
}
