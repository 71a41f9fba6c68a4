package tests

import (
	"context"
	"errors"
	"fmt"
	"os"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scopekv/scope/model/quant"
	scope "github.com/scopekv/scope/runtime"
	kvpolicy "github.com/scopekv/scope/scope"
)

// The misuse suite: every call order and value a careless or hostile caller can produce
// returns a typed error (checked with errors.Is) on every backend, and leaves the model
// and its sessions usable or cleanly closable. Run it under -race.

// openTiny opens the synthetic tiny model (F32) on backend, with cfg's other fields.
func openTiny(t *testing.T, backend string, cfg scope.Config) *scope.Model {
	t.Helper()
	cfg.Backend, cfg.Threads = backend, 2
	cfg.Validation = backend == "vulkan"
	m, err := scope.Open(synthModel(t, "tiny", quant.F32), cfg)
	if err != nil {
		if backend == "vulkan" && os.Getenv("SCOPE_REQUIRE_VULKAN") != "1" {
			t.Skipf("skipped: no usable Vulkan device: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if msgs := m.ValidationMessages(); len(msgs) > 0 {
			t.Errorf("%d Vulkan validation messages, first: %s", len(msgs), msgs[0])
		}
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return m
}

// forEachBackend runs f as a subtest per backend.
func forEachBackend(t *testing.T, f func(t *testing.T, backend string)) {
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) { f(t, b) })
	}
}

func newSession(t *testing.T, m *scope.Model, o scope.SessionOptions) *scope.Session {
	t.Helper()
	s, err := m.NewSession(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: %v, want an error wrapping %v", what, err, target)
	}
}

func slidePolicy() *kvpolicy.Config {
	cfg := kvpolicy.DefaultConfig()
	cfg.PageSize, cfg.Decode, cfg.DecodeBudget, cfg.Recent = 4, kvpolicy.DecodeSlide, 6, 2
	return &cfg
}

var bg = context.Background()

func TestMisuseClosedModel(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		m := openTiny(t, backend, scope.Config{})
		s := newSession(t, m, scope.SessionOptions{ContextLen: 32})
		p := newSession(t, m, scope.SessionOptions{ContextLen: 32, KV: slidePolicy()})
		if _, err := p.Eval(bg, []int32{1, 2, 3}); err != nil {
			t.Fatal(err)
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		if err := m.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		_, err := m.NewSession(scope.SessionOptions{})
		wantErr(t, "NewSession after Close", err, scope.ErrClosed)
		_, err = s.Eval(bg, []int32{1})
		wantErr(t, "Eval after Close", err, scope.ErrClosed)
		_, err = s.Generate(bg, "hi", scope.GenerateOptions{MaxTokens: 2})
		wantErr(t, "Generate after Close", err, scope.ErrClosed)
		_, err = p.Fork()
		wantErr(t, "Fork after Close", err, scope.ErrClosed)
		_, err = m.Bench(bg, scope.BenchOptions{PromptTokens: 4})
		wantErr(t, "Bench after Close", err, scope.ErrClosed)
		s.Reset()
		if s.KVReport() != nil || p.KVReport() == nil {
			t.Error("KVReport: a report from a contiguous session, or none from a policy session")
		}
		if err := s.Close(); err != nil {
			t.Errorf("Session.Close after Model.Close: %v", err)
		}
		if m.Device().Name == "" {
			t.Error("Device() lost its description after Close")
		}
	})
}

func TestMisuseClosedSession(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		m := openTiny(t, backend, scope.Config{})
		s := newSession(t, m, scope.SessionOptions{ContextLen: 32, KV: slidePolicy()})
		if _, err := s.Eval(bg, []int32{1, 2, 3}); err != nil {
			t.Fatal(err)
		}
		f, err := s.Fork()
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		}
		_, err = s.Eval(bg, []int32{4})
		wantErr(t, "Eval on a closed session", err, scope.ErrClosed)
		_, err = s.Generate(bg, "hi", scope.GenerateOptions{})
		wantErr(t, "Generate on a closed session", err, scope.ErrClosed)
		_, err = s.Fork()
		wantErr(t, "Fork of a closed session", err, scope.ErrClosed)
		// the fork keeps the shared KV store alive and goes on
		if _, err := f.Eval(bg, []int32{4, 5, 6}); err != nil {
			t.Fatalf("the fork after its parent closed: %v", err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMisuseBadValues(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		m := openTiny(t, backend, scope.Config{})
		vocab := int32(m.Config().VocabSize)
		s := newSession(t, m, scope.SessionOptions{ContextLen: 8})
		_, err := s.Eval(bg, nil)
		wantErr(t, "Eval of no tokens", err, scope.ErrBadConfig)
		for _, tok := range []int32{-1, vocab, 1 << 30} {
			_, err = s.Eval(bg, []int32{1, tok})
			wantErr(t, "Eval of a token outside the vocabulary", err, scope.ErrBadConfig)
		}
		_, err = s.Eval(bg, make([]int32, 9))
		wantErr(t, "Eval past the context", err, scope.ErrContextFull)
		_, err = s.Generate(bg, "hi", scope.GenerateOptions{MaxTokens: -1})
		wantErr(t, "negative MaxTokens", err, scope.ErrBadConfig)
		if s.Pos() != 0 {
			t.Errorf("refused calls moved the session to %d", s.Pos())
		}
		for _, o := range []scope.SessionOptions{{ContextLen: -1}, {PageSize: -4}, {KVMemory: -1, KV: slidePolicy()},
			{ContextLen: 1 << 40}} {
			_, err := m.NewSession(o)
			wantErr(t, fmt.Sprintf("NewSession(%+v)", o), err, scope.ErrBadConfig)
		}
		_, err = m.NewSession(scope.SessionOptions{ContextLen: 64, KV: slidePolicy(), KVMemory: 1})
		wantErr(t, "KVMemory 1", err, scope.ErrBadConfig)
		if err == nil || !strings.Contains(err.Error(), "too small") {
			t.Errorf("KVMemory 1: %v, want it to say the budget is too small", err)
		}
		p := newSession(t, m, scope.SessionOptions{ContextLen: 32, KV: slidePolicy()})
		_, err = p.Fork()
		wantErr(t, "Fork before the prompt", err, scope.ErrBadConfig)
		_, err = s.Fork()
		wantErr(t, "Fork without a policy", err, scope.ErrBadConfig)
		_, err = scope.Open(synthModel(t, "tiny", quant.F32), scope.Config{Backend: "tpu"})
		wantErr(t, "Open with an unknown backend", err, scope.ErrBadConfig)
	})
}

// TestMisuseLimitsBeforeAllocating asks for contexts and batches far beyond the machine:
// the error comes at once, before the memory is touched.
func TestMisuseLimitsBeforeAllocating(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		m := openTiny(t, backend, scope.Config{})
		big := openTiny(t, backend, scope.Config{ContextLen: 1 << 30, BatchSize: 1 << 30})
		var before, after goruntime.MemStats
		goruntime.ReadMemStats(&before)
		start := time.Now()
		_, err := m.NewSession(scope.SessionOptions{ContextLen: 1 << 30})
		wantErr(t, "a context of 2^30 positions", err, scope.ErrOutOfMemory)
		_, err = m.NewSession(scope.SessionOptions{ContextLen: 1 << 30, KV: slidePolicy()})
		wantErr(t, "a policy context of 2^30 positions", err, scope.ErrOutOfMemory)
		_, err = m.NewSession(scope.SessionOptions{ContextLen: 256, KV: slidePolicy(), KVMemory: 1 << 50})
		wantErr(t, "a 1 PiB KV budget", err, scope.ErrOutOfMemory)
		_, err = big.NewSession(scope.SessionOptions{})
		wantErr(t, "Config.ContextLen and BatchSize 2^30", err, scope.ErrOutOfMemory)
		goruntime.ReadMemStats(&after)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("refusing took %v", d)
		}
		if grown := after.TotalAlloc - before.TotalAlloc; grown > 64<<20 {
			t.Errorf("refusing allocated %d MiB", grown>>20)
		}
	})
}

// TestMisuseCloseDuringGenerate closes the model, or the session, while a generation runs
// (from another goroutine, and from inside the Stream callback): the generation stops with
// ErrClosed and a "cancelled" stop reason, and nothing races.
func TestMisuseCloseDuringGenerate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		for _, c := range []struct {
			name   string
			inside bool // Close from the callback itself
			model  bool // Model.Close, else Session.Close
		}{{"model from another goroutine", false, true}, {"model from the callback", true, true},
			{"session from another goroutine", false, false}, {"session from the callback", true, false}} {
			m := openTiny(t, backend, scope.Config{})
			s := newSession(t, m, scope.SessionOptions{ContextLen: 64})
			closeIt := func() error {
				if c.model {
					return m.Close()
				}
				return s.Close()
			}
			started := make(chan struct{})
			var once sync.Once
			var wg sync.WaitGroup
			var closeErr error
			opts := scope.GenerateOptions{Sampling: scope.Sampling{Temperature: 1, Seed: 1}, Stream: func(string) error {
				if c.inside {
					once.Do(func() { closeErr = closeIt() })
				}
				once.Do(func() { close(started) })
				return nil
			}}
			if !c.inside {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-started
					closeErr = closeIt()
				}()
			}
			res, err := s.Generate(bg, "once upon a time", opts)
			wg.Wait()
			if closeErr != nil {
				t.Errorf("%s: Close: %v", c.name, closeErr)
			}
			wantErr(t, c.name+": Generate", err, scope.ErrClosed)
			if res != nil && res.StopReason != "cancelled" {
				t.Errorf("%s: stop reason %q, want cancelled", c.name, res.StopReason)
			}
			_, err = s.Eval(bg, []int32{1})
			wantErr(t, c.name+": Eval afterwards", err, scope.ErrClosed)
		}
	})
}

// TestMisuseCallbacks: a Stream that panics or calls back into its own session, and a
// cancelled context, each stop the generation with a typed error; the session then
// generates normally.
func TestMisuseCallbacks(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		m := openTiny(t, backend, scope.Config{})
		s := newSession(t, m, scope.SessionOptions{ContextLen: 64})
		opts := scope.GenerateOptions{MaxTokens: 6, NoBOS: true}
		want, err := s.Generate(bg, "abc", opts)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		opts.Stream = func(string) error {
			if n++; n == 2 {
				panic("boom")
			}
			return nil
		}
		_, err = s.Generate(bg, "abc", opts)
		wantErr(t, "a Stream that panics", err, scope.ErrCallback)

		var inner error
		opts.Stream = func(string) error {
			_, inner = s.Eval(bg, []int32{1})
			return nil
		}
		if _, err := s.Generate(bg, "abc", opts); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "Eval from inside the Stream", inner, scope.ErrBusy)

		ctx, cancel := context.WithCancel(bg)
		n = 0
		opts.Stream = func(string) error {
			if n++; n == 3 {
				cancel()
			}
			return nil
		}
		res, err := s.Generate(ctx, "abc", opts)
		wantErr(t, "a cancelled generation", err, context.Canceled)
		if res == nil || res.StopReason != "cancelled" || len(res.Tokens) != 2 {
			t.Errorf("a cancelled generation: %+v, want stop reason cancelled after 2 tokens", res)
		}
		opts.Stream = nil
		got, err := s.Generate(bg, "abc", opts)
		if err != nil || got.Text != want.Text {
			t.Errorf("after the failures: %q, %v; want %q", got.Text, err, want.Text)
		}
	})
}

// TestMisuseCancelledPolicyStep cancels decode steps of a KV-policy session (the step was
// left open before): the next call goes on from the same position with the logits of an
// uninterrupted session.
func TestMisuseCancelledPolicyStep(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		m := openTiny(t, backend, scope.Config{})
		prompt := []int32{1, 40, 41, 42, 43, 44}
		a := newSession(t, m, scope.SessionOptions{ContextLen: 48, KV: slidePolicy()})
		b := newSession(t, m, scope.SessionOptions{ContextLen: 48, KV: slidePolicy()})
		for _, s := range []*scope.Session{a, b} {
			if _, err := s.Eval(bg, prompt); err != nil {
				t.Fatal(err)
			}
		}
		for i := range int32(12) {
			_, err := b.Eval(cancelledCtx(), []int32{50 + i})
			wantErr(t, "a cancelled decode step", err, context.Canceled)
			want, err := a.Eval(bg, []int32{50 + i})
			if err != nil {
				t.Fatal(err)
			}
			got, err := b.Eval(bg, []int32{50 + i})
			if err != nil {
				t.Fatalf("step %d after a cancelled one: %v", i, err)
			}
			if d := maxAbsDiff(got, want); d != 0 {
				t.Fatalf("step %d after a cancelled one differs by %g", i, d)
			}
		}
		if a.Pos() != b.Pos() {
			t.Errorf("positions %d and %d", a.Pos(), b.Pos())
		}
	})
}

func cancelledCtx() context.Context {
	ctx, cancel := context.WithCancel(bg)
	cancel()
	return ctx
}

func maxAbsDiff(a, b []float32) float32 {
	var d float32
	for i := range a {
		d = max(d, a[i]-b[i], b[i]-a[i])
	}
	return d
}

// TestMisuseProbeCallback: a probe that panics returns ErrCallback; one that closes the
// model does not deadlock, and the session's next call returns ErrClosed.
func TestMisuseProbeCallback(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		m := openTiny(t, backend, scope.Config{})
		s := newSession(t, m, scope.SessionOptions{ContextLen: 32, KV: slidePolicy()})
		if _, err := s.Eval(bg, []int32{1, 2, 3}); err != nil {
			t.Fatal(err)
		}
		s.SetProbe(&scope.Probe{Steps: []int{1}, Layers: []int{0}, Fn: func(scope.ProbeSample) error { panic("probe") }})
		_, err := s.Eval(bg, []int32{4})
		wantErr(t, "a probe that panics", err, scope.ErrCallback)
		var closeErr error
		s.SetProbe(&scope.Probe{Steps: []int{2}, Layers: []int{0}, Fn: func(scope.ProbeSample) error {
			closeErr = m.Close()
			return nil
		}})
		if _, err := s.Eval(bg, []int32{5}); err != nil || closeErr != nil {
			t.Fatalf("a probe that closes the model: Eval %v, Close %v", err, closeErr)
		}
		_, err = s.Eval(bg, []int32{6})
		wantErr(t, "Eval after the probe closed the model", err, scope.ErrClosed)
	})
}
