package runtime

import (
	"context"
	"fmt"
	"time"

	"github.com/scopekv/scope/internal/backend"
)

// BenchOptions configures Bench.
type BenchOptions struct {
	PromptTokens int // tokens processed in one batch (pp); 0 skips the test
	GenTokens    int // tokens generated one at a time (tg); 0 skips the test
	Reps         int // repetitions; the best is kept (default 1)
	Depth        int // tokens already in the cache before each test (llama-bench's -d)
	Session      SessionOptions
}

// BenchResult holds the measured speeds, like llama-bench's pp and tg rows.
type BenchResult struct {
	PromptTokens   int     `json:"prompt_tokens"`
	PromptPerSec   float64 `json:"pp_tokens_per_sec"`
	Depth          int     `json:"depth,omitempty"`
	GenTokens      int     `json:"gen_tokens"`
	GenPerSec      float64 `json:"tg_tokens_per_sec"`
	WeightBytes    int64   `json:"weight_bytes_per_token"`
	GenBytesPerSec float64 `json:"tg_weight_bytes_per_sec"`
	// KVBytes is the device KV store of the benchmarked session (one sequence); with a KV
	// policy, FullKVBytes is the full cache's for the same context.
	KVBytes     int64 `json:"kv_bytes_per_sequence"`
	FullKVBytes int64 `json:"full_kv_bytes_per_sequence,omitempty"`
	// GenDevice is the device's work per generated token (devices that count it: Vulkan).
	GenDevice *TokenCounters `json:"tg_device_per_token,omitempty"`
}

// TokenCounters is a device's work per generated token, averaged over the last tg run.
type TokenCounters struct {
	Dispatches   float64 `json:"dispatches"`
	Barriers     float64 `json:"barriers"`
	Submits      float64 `json:"submits"`
	Reused       float64 `json:"reused_recordings"` // steps that resubmitted a recorded command buffer
	EncodeMicros float64 `json:"encode_us"`         // host time planning and recording
	EncodeCPU    float64 `json:"encode_cpu_us"`     // the CPU time of that work
}

// perToken divides the device counters' growth from a to b by n tokens.
func perToken(a, b backend.Counters, n int) *TokenCounters {
	f := float64(n)
	return &TokenCounters{Dispatches: float64(b.Dispatches-a.Dispatches) / f, Barriers: float64(b.Barriers-a.Barriers) / f,
		Submits: float64(b.Submits-a.Submits) / f, Reused: float64(b.Reused-a.Reused) / f, EncodeMicros: float64((b.Encode - a.Encode).Microseconds()) / f,
		EncodeCPU: float64((b.EncodeCPU - a.EncodeCPU).Microseconds()) / f}
}

// WeightBytes is the number of weight bytes one decode step reads: every matrix once and
// one row of the embedding.
func (m *Model) WeightBytes() int64 {
	f := m.file
	n := int64(len(f.OutputNorm.Data) + len(f.Output.Data) + len(f.Embed.Data)/max(f.Embed.Rows, 1))
	for _, l := range f.Layers {
		for _, t := range [][]byte{l.AttnNorm.Data, l.Wq.Data, l.Wk.Data, l.Wv.Data, l.Wo.Data, l.Bq.Data,
			l.Bk.Data, l.Bv.Data, l.FFNNorm.Data, l.WGate.Data, l.WUp.Data, l.WDown.Data} {
			n += int64(len(t))
		}
	}
	return n
}

// Bench measures prompt processing and generation speed with synthetic tokens.
func (m *Model) Bench(ctx context.Context, o BenchOptions) (*BenchResult, error) {
	if o.PromptTokens < 0 || o.GenTokens < 0 || o.Depth < 0 {
		return nil, fmt.Errorf("%w: negative token counts", ErrBadConfig)
	}
	reps := max(o.Reps, 1)
	if o.Session.ContextLen == 0 {
		o.Session.ContextLen = max(o.Depth+o.PromptTokens+o.GenTokens+1, 16)
	}
	if o.Session.KV != nil && o.Session.MaxPromptTokens == 0 {
		o.Session.MaxPromptTokens = max(o.Depth, o.PromptTokens, 1) // the first Eval after a reset: the depth fill, the prompt, or one token
	}
	s, err := m.NewSession(o.Session)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	r := &BenchResult{PromptTokens: o.PromptTokens, Depth: o.Depth, GenTokens: o.GenTokens, WeightBytes: m.WeightBytes(),
		KVBytes: s.KVBytes()}
	if o.Session.KV != nil {
		if r.FullKVBytes, err = m.fullKVBytes(o.Session); err != nil {
			return nil, err
		}
	}
	vocab := m.file.Config.VocabSize
	tok := func(i int) int32 { return int32((i*7919 + 3) % vocab) }
	// fill resets the session and puts Depth tokens in the cache, untimed.
	fill := func() error {
		s.Reset()
		if o.Depth == 0 {
			return nil
		}
		ids := make([]int32, o.Depth)
		for i := range ids {
			ids[i] = tok(i + 1000)
		}
		_, err := s.Eval(ctx, ids)
		return err
	}
	for rep := 0; rep < reps; rep++ {
		if o.PromptTokens > 0 {
			if err := fill(); err != nil {
				return nil, err
			}
			ids := make([]int32, o.PromptTokens)
			for i := range ids {
				ids[i] = tok(i)
			}
			start := time.Now()
			if _, err := s.Eval(ctx, ids); err != nil {
				return nil, err
			}
			r.PromptPerSec = max(r.PromptPerSec, rate(o.PromptTokens, time.Since(start)))
		}
		if o.GenTokens > 0 {
			if err := fill(); err != nil {
				return nil, err
			}
			if _, err := s.Eval(ctx, []int32{tok(0)}); err != nil {
				return nil, err
			}
			cs, counted := m.dev.(backend.CounterSource)
			var before backend.Counters
			if counted {
				before = cs.Counters()
			}
			start := time.Now()
			for i := 1; i <= o.GenTokens; i++ {
				if _, err := s.Eval(ctx, []int32{tok(i)}); err != nil {
					return nil, err
				}
			}
			r.GenPerSec = max(r.GenPerSec, rate(o.GenTokens, time.Since(start)))
			if counted {
				r.GenDevice = perToken(before, cs.Counters(), o.GenTokens)
			}
		}
	}
	r.GenBytesPerSec = r.GenPerSec * float64(r.WeightBytes)
	return r, nil
}

// fullKVBytes allocates the full-KV cache of a session like opts and returns its
// device bytes.
func (m *Model) fullKVBytes(opts SessionOptions) (int64, error) {
	opts.KV, opts.KVMemory, opts.MaxPromptTokens = nil, 0, 0
	full, err := m.NewSession(opts)
	if err != nil {
		return 0, err
	}
	defer full.Close()
	return full.KVBytes(), nil
}
