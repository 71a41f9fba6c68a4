package runtime_test

import (
	"context"
	"errors"
	"testing"

	"github.com/scopekv/scope/model"
	"github.com/scopekv/scope/model/quant"
	scope "github.com/scopekv/scope/runtime"
	kvpolicy "github.com/scopekv/scope/scope"
)

// FuzzSessionCalls drives sessions of a tiny model on the CPU with arbitrary call
// sequences (new sessions with and without a KV policy, Eval with any token ids, Generate,
// Continue, Fork, Reset, Close, cancelled contexts, a Stream that panics, cancels or
// closes the session) and checks that
// nothing panics and every error is one of the package's typed errors.
func FuzzSessionCalls(f *testing.F) {
	m := openTinyModel(f, scope.Config{Backend: "cpu", Threads: 1, BatchSize: 8})
	f.Add([]byte{0, 0, 3, 10, 20, 30, 2, 1, 1, 5, 3, 4, 2, 5})
	f.Add([]byte{1, 1, 8, 40, 41, 42, 43, 44, 45, 46, 47, 3, 2, 1, 1, 0, 2, 1, 6, 7, 0, 5})
	f.Add([]byte{1, 2, 1, 4, 7, 1, 3, 0, 5, 0, 6, 1, 2, 4, 0, 4, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		(&sessionDriver{t: t, m: m, data: data}).run()
	})
}

type sessionDriver struct {
	t        *testing.T
	m        *scope.Model
	data     []byte
	sessions []*scope.Session
}

func (d *sessionDriver) next() int {
	if len(d.data) == 0 {
		return 0
	}
	b := d.data[0]
	d.data = d.data[1:]
	return int(b)
}

// session picks one of the sessions (closed ones included).
func (d *sessionDriver) session() *scope.Session {
	if len(d.sessions) == 0 {
		return nil
	}
	return d.sessions[d.next()%len(d.sessions)]
}

func (d *sessionDriver) run() {
	d.newSession()
	for steps := 0; len(d.data) > 0 && steps < 24; steps++ {
		op, s := d.next()%10, d.session()
		switch {
		case op == 0 || s == nil:
			d.newSession()
		case op == 1:
			toks := make([]int32, 1+d.next()%12)
			for i := range toks {
				toks[i] = int32(d.next()*3) - 16 // some below 0 or past the vocabulary
			}
			_, err := s.Eval(d.ctx(), toks)
			d.check("Eval", err)
		case op == 2 || op == 9:
			d.generate(s, op == 9)
		case op == 3:
			f, err := s.Fork()
			d.check("Fork", err)
			if f != nil {
				d.sessions = append(d.sessions, f)
			}
		case op == 4:
			s.Reset()
		case op == 5:
			d.check("Close", s.Close())
		case op == 6:
			_ = s.KVReport()
			_ = s.Pos()
		case op == 7:
			_, err := s.Eval(cancelled(), []int32{1})
			d.check("Eval (cancelled)", err)
		case op == 8:
			_, err := s.Eval(d.ctx(), nil)
			d.check("Eval (empty)", err)
		}
	}
	for _, s := range d.sessions {
		d.check("Close", s.Close())
	}
}

func (d *sessionDriver) ctx() context.Context {
	if d.next()%8 == 0 {
		return cancelled()
	}
	return context.Background()
}

func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func (d *sessionDriver) newSession() {
	o := scope.SessionOptions{ContextLen: 4 + d.next()%44, PageSize: []int{0, 1, 4, 16}[d.next()%4]}
	if mode := d.next() % 4; mode > 0 {
		cfg := kvpolicy.DefaultConfig()
		cfg.PageSize = 4
		cfg.Decode, cfg.DecodeBudget, cfg.Recent = kvpolicy.DecodeSlide, 4+d.next()%8, 2
		if mode == 2 {
			cfg.Prefill, cfg.PrefillBudget, cfg.Window = kvpolicy.PrefillSnapKV, 6, 2
		}
		if mode == 3 {
			o.KVMemory = int64(d.next()) * 512 // small pools run out of pages
		}
		o.KV = &cfg
	}
	s, err := d.m.NewSession(o)
	d.check("NewSession", err)
	if s != nil {
		d.sessions = append(d.sessions, s)
	}
}

// generate calls Generate, or Continue on what the session holds.
func (d *sessionDriver) generate(s *scope.Session, cont bool) {
	prompt := make([]byte, d.next()%16)
	for i := range prompt {
		prompt[i] = byte(d.next())
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, pieces := d.next()%4, 0
	o := scope.GenerateOptions{MaxTokens: d.next()%10 - 1, NoBOS: d.next()%2 == 0,
		Sampling: scope.Sampling{Temperature: float32(d.next()%3) * 0.5, TopK: d.next() % 5, Seed: 1}}
	o.Stream = func(string) error {
		pieces++
		switch {
		case stream == 1 && pieces == 3:
			cancel()
		case stream == 2 && pieces == 2:
			panic("stream callback")
		case stream == 3 && pieces == 2:
			return s.Close()
		}
		return nil
	}
	var err error
	if cont {
		_, err = s.Continue(ctx, string(prompt), o)
	} else {
		_, err = s.Generate(ctx, string(prompt), o)
	}
	d.check("Generate/Continue", err)
}

// typed are the errors a session call may return on any input.
var typed = []error{scope.ErrBadConfig, scope.ErrContextFull, scope.ErrClosed, scope.ErrBusy, scope.ErrOutOfPages,
	scope.ErrOutOfMemory, scope.ErrCallback, context.Canceled}

func (d *sessionDriver) check(call string, err error) {
	d.t.Helper()
	if err == nil {
		return
	}
	for _, e := range typed {
		if errors.Is(err, e) {
			return
		}
	}
	d.t.Fatalf("%s: untyped error %v", call, err)
}

// openTinyModel writes the synthetic tiny model (F32) and opens it; it closes with the test.
func openTinyModel(tb testing.TB, cfg scope.Config) *scope.Model {
	tb.Helper()
	w, err := model.Synth(model.SynthOptions{Shape: "tiny", Type: quant.F32, Seed: 3})
	if err != nil {
		tb.Fatal(err)
	}
	path := tb.TempDir() + "/tiny.gguf"
	if err := w.WriteFile(path); err != nil {
		tb.Fatal(err)
	}
	m, err := scope.Open(path, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	return m
}
