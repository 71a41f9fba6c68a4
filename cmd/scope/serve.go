package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/scopekv/scope/engine"
	"github.com/scopekv/scope/model/chat"
	scope "github.com/scopekv/scope/runtime"
	kvpol "github.com/scopekv/scope/scope"
	"github.com/scopekv/scope/serve"
)

// serveFlags configure scope serve.
type serveFlags struct {
	model                                  modelFlags
	kv                                     kvFlags
	host, alias, template                  string
	port, parallel, queue, maxTokens, step int
	bodyKiB                                int64
	drain                                  time.Duration
	bench                                  string
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	f.model.register(fs)
	f.kv.register(fs)
	fs.StringVar(&f.host, "host", "127.0.0.1", "address to listen on")
	fs.IntVar(&f.port, "port", 8080, "port to listen on (0 = any free port)")
	fs.StringVar(&f.alias, "alias", "", "model id clients name (default: the file name)")
	fs.StringVar(&f.template, "chat-template", "", "chat template for /v1/chat/completions: a file or a built-in name (default: the model's)")
	fs.IntVar(&f.parallel, "parallel", 4, "sequences generated at once")
	fs.IntVar(&f.queue, "queue", 64, "requests waiting for admission before 429")
	fs.IntVar(&f.maxTokens, "max-tokens", 0, "the most max_tokens a request may ask (0 = the context)")
	fs.IntVar(&f.step, "step-tokens", 512, "tokens per engine step (decode tokens plus prompts)")
	fs.Int64Var(&f.bodyKiB, "max-body", 1024, "request body limit in KiB (413 above)")
	fs.StringVar(&f.bench, "bench", "", "removed: use scope bench --parallel LEVELS -p P -n N")
	fs.DurationVar(&f.drain, "drain-timeout", 5*time.Minute, "on SIGTERM, how long running requests may take to finish")
}

func runServe(args []string) error {
	var f serveFlags
	fs := newFlags("serve")
	f.register(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if f.bench != "" {
		return fmt.Errorf("scope serve --bench moved: run scope bench --parallel %s -p P -n N (same model and --kv-* flags)", f.bench)
	}
	kv, err := engineKV(&f.kv, false)
	if err != nil {
		return err
	}
	if f.parallel < 1 || f.queue < 1 || f.maxTokens < 0 || f.step < 1 || f.bodyKiB < 1 {
		return errors.New("--parallel, --queue, --step-tokens and --max-body must be positive, --max-tokens not negative")
	}
	m, err := f.model.open()
	if err != nil {
		return err
	}
	defer m.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return serveModel(ctx, m, &f, kv)
}

// serveModel runs the server until ctx ends, then drains: the listener closes, running
// requests finish (up to --drain-timeout), and the engine stops.
func serveModel(ctx context.Context, m *scope.Model, f *serveFlags, kv *kvpol.Config) error {
	eng, err := engine.New(m, engine.Options{Parallel: f.parallel, ContextLen: f.model.ctx, KVMemory: f.kv.memory(),
		StepTokens: f.step, MaxQueue: f.queue, KV: kv})
	if err != nil {
		return err
	}
	format, err := chatFormatter(f.template, m)
	if err != nil {
		return err
	}
	srv := serve.New(serve.Config{Engine: eng, Model: f.modelID(), KV: *kv, MaxBodyBytes: f.bodyKiB << 10,
		MaxTokens: f.maxTokens, Chat: format})
	ln, err := net.Listen("tcp", net.JoinHostPort(f.host, strconv.Itoa(f.port)))
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "scope: serving %s on http://%s (%s, parallel %d, KV budget %.1f MiB, context %d)\n",
		f.modelID(), ln.Addr(), m.Device().Name, f.parallel, float64(eng.Budget())/(1<<20), eng.Context())
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err = <-served:
	case <-ctx.Done():
		fmt.Fprintln(os.Stderr, "scope: shutting down: finishing running requests")
	}
	srv.Drain()
	dctx, cancel := context.WithTimeout(context.Background(), f.drain)
	defer cancel()
	err = errors.Join(ignoreClosed(err), hs.Shutdown(dctx), eng.Close(dctx))
	fmt.Fprintln(os.Stderr, "scope: stopped")
	return err
}

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func (f *serveFlags) modelID() string {
	if f.alias != "" {
		return f.alias
	}
	return modelStem(f.model.model)
}

// chatFormatter renders chat requests with --chat-template or the model's own template;
// nil (no chat endpoint) when there is neither.
func chatFormatter(arg string, m *scope.Model) (serve.ChatFormatter, error) {
	if arg == "" && m.File().ChatTemplate == "" {
		fmt.Fprintln(os.Stderr, "scope: notice: the model has no chat template; /v1/chat/completions answers 400 (pass --chat-template)")
		return nil, nil
	}
	t, err := chatTemplate(arg, m.File())
	if err != nil {
		return nil, err
	}
	o := chat.Options{BOS: m.File().BOSText(), EOS: m.File().EOSText(), AddGenerationPrompt: true}
	return func(msgs []serve.Message) (string, error) {
		conv := make([]chat.Message, len(msgs))
		for i, m := range msgs {
			conv[i] = chat.Message{Role: m.Role, Content: m.Content}
		}
		return t.Render(conv, o)
	}, nil
}
