package engine

import (
	"cmp"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scopekv/scope/model/tokenizer"
	"github.com/scopekv/scope/runtime"
	"github.com/scopekv/scope/scope"
)

// Options configure an Engine.
type Options struct {
	Parallel   int           // sequences running at once; 0 = 4
	ContextLen int           // positions per sequence; 0 = the model's (at most 4096)
	KVMemory   int64         // KV bytes shared by all sequences; 0 = Parallel full contexts
	StepTokens int           // tokens per step (decode tokens plus prompts); 0 = 512
	MaxQueue   int           // requests waiting for admission; 0 = 64
	KV         *scope.Config // default KV policy; nil = full KV in the paged pool
	Runner     Runner        // nil = a BatchRunner over one pool of KVMemory bytes
}

// Request is one generation.
type Request struct {
	Prompt    []int32 // token ids, BOS included when wanted
	MaxTokens int     // new tokens; 0 = up to the context
	Sampling  runtime.Sampling
	Stop      []string      // the text ends before the first of these
	KV        *scope.Config // nil = the engine's default
	IgnoreEOS bool          // generate MaxTokens tokens even past end of text (benchmarks)
}

// Event is what a request's channel carries: text as it is produced, then one final event
// with Done set.
type Event struct {
	Text   string
	Tokens int // tokens generated so far
	Done   bool
	Finish string // with Done: "stop" (end of text or a stop string) or "length"
	Err    error  // with Done: why the request failed
	Usage  Usage
	TTFT   time.Duration // with the first event: time from Submit to the first token
}

// Usage counts a request's tokens.
type Usage struct{ PromptTokens, CompletionTokens int }

// Engine schedules requests over one model. Its methods are safe for concurrent use.
type Engine struct {
	opt    Options
	tok    *tokenizer.Tokenizer
	vocab  int
	geo    geometry
	runner Runner
	budget int64
	// ownRunner is the runner New made (closed with the engine)
	ownRunner interface{ Close() error }

	mu       sync.Mutex
	wake     chan struct{}
	inbox    []*sequence
	draining bool
	stats    Stats
	rate     tokenRate
	done     chan struct{}
	stop     context.CancelFunc
	ctx      context.Context
	reserve  func(kv scope.Config, prompt, maxNew int) int64 // the projection; tests replace it

	queued      atomic.Int64
	preemptions atomic.Int64
	generated   atomic.Int64
	prompted    atomic.Int64
	shared      atomic.Int64
}

// New starts an engine over m. Close stops it.
func New(m *runtime.Model, opt Options) (*Engine, error) {
	c := m.Config()
	e := &Engine{opt: opt, tok: m.Tokenizer(), vocab: c.VocabSize, wake: make(chan struct{}, 1), done: make(chan struct{}),
		rate: tokenRate{window: 10 * time.Second}}
	e.geo = geometry{shape: scope.Shape{Layers: c.NLayers, Heads: c.NHeads, KVHeads: c.NKVHeads}, headDim: c.HeadDim, context: c.ContextLen}
	e.geo.context = min(max(c.ContextLen, 1), 4096)
	if opt.ContextLen > 0 {
		e.geo.context = opt.ContextLen
	}
	if err := e.defaults(m); err != nil {
		return nil, err
	}
	e.ctx, e.stop = context.WithCancel(context.Background())
	go e.loop()
	return e, nil
}

func (e *Engine) defaults(m *runtime.Model) error {
	o := &e.opt
	if o.Parallel < 0 || o.ContextLen < 0 || o.KVMemory < 0 || o.StepTokens < 0 || o.MaxQueue < 0 {
		return fmt.Errorf("%w: negative engine option", runtime.ErrBadConfig)
	}
	o.Parallel = cmp.Or(o.Parallel, 4)
	o.StepTokens = cmp.Or(o.StepTokens, 512)
	o.MaxQueue = cmp.Or(o.MaxQueue, 64)
	if o.KV == nil {
		d := scope.DefaultConfig()
		o.KV = &d
	}
	if err := o.KV.Validate(e.geo.context); err != nil {
		return fmt.Errorf("%w: %v", runtime.ErrBadConfig, err)
	}
	e.budget = o.KVMemory
	if e.budget == 0 {
		e.budget = int64(o.Parallel) * e.geo.fullBytes(*o.KV, e.geo.context, 0)
	}
	e.reserve = e.geo.bytes
	e.runner = o.Runner
	if e.runner == nil {
		r, err := NewBatchRunner(m, runtime.BatchOptions{ContextLen: e.geo.context, KVMemory: e.budget,
			PageSize: o.KV.PageSize, GQA: o.KV.GQA, StepTokens: o.StepTokens, Seqs: o.Parallel})
		if err != nil {
			return err
		}
		e.runner, e.ownRunner = r, r
	}
	return nil
}

// Context is the positions a sequence may use.
func (e *Engine) Context() int { return e.geo.context }

// Tokenizer is the model's tokenizer.
func (e *Engine) Tokenizer() *tokenizer.Tokenizer { return e.tok }

// Reserve is the KV memory a request of prompt tokens and maxNew new tokens reserves under
// policy kv (nil = the engine's default): its projected need.
func (e *Engine) Reserve(kv *scope.Config, prompt, maxNew int) int64 {
	if kv == nil {
		kv = e.opt.KV
	}
	return e.reserve(*kv, prompt, maxNew)
}

// Budget is the KV memory shared by all sequences, in bytes.
func (e *Engine) Budget() int64 { return e.budget }

// Submit queues a request. The returned channel carries its events; the last has Done set.
// Cancelling ctx cancels the request and frees its memory within one step.
func (e *Engine) Submit(ctx context.Context, req Request) (<-chan Event, error) {
	s, err := e.newSequence(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := e.enqueue(s); err != nil {
		return nil, err
	}
	return s.events, nil
}

// enqueue hands checked requests to the loop, all or none.
func (e *Engine) enqueue(seqs ...*sequence) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.draining {
		return ErrDraining
	}
	if e.queued.Load()+int64(len(seqs)) > int64(e.opt.MaxQueue) {
		return fmt.Errorf("%w: %d requests waiting", ErrQueueFull, e.opt.MaxQueue)
	}
	e.queued.Add(int64(len(seqs)))
	e.inbox = append(e.inbox, seqs...)
	e.signal()
	return nil
}

func (e *Engine) signal() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Close stops accepting requests, lets the queued and running ones finish, then stops the
// loop. When ctx ends first the remaining requests fail with ErrInterrupted.
func (e *Engine) Close(ctx context.Context) error {
	e.mu.Lock()
	e.draining = true
	e.mu.Unlock()
	e.signal()
	select {
	case <-e.done:
		return nil
	case <-ctx.Done():
		e.stop()
		<-e.done
		return ctx.Err()
	}
}

// Stats is a snapshot of the engine's state.
type Stats struct {
	Running, Waiting  int
	KVBudget, KVInUse int64 // bytes: the budget and what running sequences reserve
	KVPageBytes       int64 // bytes of one page with the default page size
	// PoolPages and PoolPagesUsed are the shared KV pool's pages and those in use now
	// (0 when the runner has no shared pool).
	PoolPages, PoolPagesUsed int
	Preemptions              int64
	GeneratedTokens          int64
	PromptTokens             int64
	SharedPromptTokens       int64   // prompt tokens whose KV pages came from another sequence
	TokensPerSecond          float64 // generated tokens per second over the last 10 s
	Steps                    StepStats
}

// Stats returns the current state.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	s := e.stats
	s.TokensPerSecond = e.rate.perSecond(time.Now())
	e.mu.Unlock()
	s.Waiting = int(e.queued.Load())
	s.KVBudget = e.budget
	s.KVPageBytes = e.geo.pageBytes(e.opt.KV.PageSize)
	if p, ok := e.runner.(interface{ Pages() (int, int) }); ok {
		s.PoolPagesUsed, s.PoolPages = p.Pages()
	}
	s.Preemptions = e.preemptions.Load()
	s.GeneratedTokens = e.generated.Load()
	s.PromptTokens = e.prompted.Load()
	s.SharedPromptTokens = e.shared.Load()
	return s
}
